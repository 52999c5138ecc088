"""Answer spans chosen by a learned model among every value the rules find in the top passages.

core/values.py's patterns propose values of each kind (amount, date, person, ...) in each sentence of the
best passages. Which of them answers is a matter of evidence a reader weighs: the value is of the kind
asked, its sentence holds the question's words, it stands near them, it is not already in the question,
its passage is the best match. ``span_features`` measures that; a ``LinearModel`` (core/linear.py)
trained on FacQA *train* questions (bench/tune_answers.py writes spans.json) weighs it, and
its option ``min_probability`` is where "no answer" beats a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..core.kinds import KINDS
from ..core.text import fold, tokenize, weighted_coverage
from ..core.values import Span, find_values

SPAN_FEATURES = (
    *(f"is_{kind}" for kind in KINDS),  # a pattern of this kind found the value
    *(f"asked_{kind}" for kind in KINDS),  # ... and the question asks for this kind
    "kind_rank",  # 1 / (1 + rank) among the asked kind's values in the sentence
    "sentence_coverage",  # IDF-weighted share of the question's terms in the value's sentence
    "passage_similarity",  # cosine of question and the value's passage
    "first_passage",
    "second_passage",
    "nearness",  # closeness to the nearest question term in the sentence
    "in_question",  # share of the value's words the question already holds
    "log_words",
)
_WORD = re.compile(r"\w+")


@dataclass
class SpanCandidate:
    span: Span  # offsets in ``sentence``
    sentence: str
    passage_id: str
    position: int  # 0 for the best passage
    similarity: float
    coverage: float
    distance: int  # characters to the nearest question term
    ranks: dict[str, int] = field(default_factory=dict)  # rank among the values of each kind that found it


@dataclass(frozen=True)
class Sentence:
    passage_id: str
    position: int
    similarity: float
    text: str


def span_candidates(query: str, sentences: Sequence[Sentence], idf: Mapping[str, float]) -> list[SpanCandidate]:
    """Every value any kind's patterns find in ``sentences`` and the question does not already say, once
    per distinct text: where it occurs more than once, the occurrence in the sentence closest to the question."""
    terms = list(dict.fromkeys(tokenize(query)))
    folded = fold(query)
    query_words = set(_WORD.findall(folded))
    found: dict[str, SpanCandidate] = {}
    for s in sentences:
        coverage = weighted_coverage(terms, idf, set(tokenize(s.text)))
        anchors = [m.start() for m in _WORD.finditer(s.text) if fold(m.group()) in terms]
        for kind in KINDS:
            for rank, span in enumerate(find_values(kind, s.text, query_words)):
                key = " ".join(_WORD.findall(fold(span.text)))
                if not key or fold(span.text) in folded:
                    continue
                distance = min((abs(a - span.start) for a in anchors), default=300)
                c = found.get(key)
                if c is None:
                    c = found[key] = SpanCandidate(
                        span, s.text, s.passage_id, s.position, s.similarity, coverage, distance
                    )
                elif coverage > c.coverage:
                    c.span, c.sentence, c.passage_id, c.coverage, c.distance = (
                        span,
                        s.text,
                        s.passage_id,
                        coverage,
                        distance,
                    )
                c.similarity, c.position = max(c.similarity, s.similarity), min(c.position, s.position)
                c.ranks[kind] = min(rank, c.ranks.get(kind, rank))
    return list(found.values())


def span_features(kind: str | None, query: str, candidates: Sequence[SpanCandidate]) -> np.ndarray:
    """One row of ``SPAN_FEATURES`` per candidate, for a question asking for ``kind``."""
    query_words = set(_WORD.findall(fold(query)))
    rows = []
    for c in candidates:
        words = _WORD.findall(fold(c.span.text))
        rows.append(
            [float(k in c.ranks) for k in KINDS]
            + [float(k in c.ranks and k == kind) for k in KINDS]
            + [
                1 / (1 + c.ranks[kind]) if kind in c.ranks else 0.0,
                c.coverage,
                c.similarity,
                float(c.position == 0),
                float(c.position == 1),
                1 / (1 + c.distance / 10),
                sum(w in query_words for w in words) / max(len(words), 1),
                np.log1p(len(words)),
            ]
        )
    return np.array(rows, dtype=np.float64).reshape(len(candidates), len(SPAN_FEATURES))
