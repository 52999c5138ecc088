"""Second stage: re-order the best candidates with a small linear model over what a reader checks.

Fusion sees two scores per passage. A reader also looks at whether the passage holds the question's
rare words, all in one sentence, in the question's own order, next to a value of the kind asked for.
``features`` measures that; a ``LinearModel`` (linear.py) weighs it with weights learned on two kinds of
questions, FacQA train (news, worded like their passage: BM25 strong) and TyDi QA train (Wikipedia, written
by people: dense strong), so that neither kind's habits are taken for the other's (training/tune_rerank.py
writes rerank.json). Its options say which candidates are re-ordered: the fused ``depth`` best and the
``dense_depth`` best by cosine, which fusion may have pushed down. Languages without weights keep fusion's order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..core.linear import LinearModel, load_learned
from ..core.schema import Hit
from ..core.text import fold, sentence_spans, tokenize, weighted_coverage
from ..lang.id.kinds import question_kind
from ..lang.id.values import find_span
from .fusion import min_max

FEATURES = (
    "dense",  # cosine of question and passage
    "dense_scaled",  # the same, min-max scaled over the candidates
    "bm25_share",  # BM25 score over the summed IDF of the question's terms: how much of it matched
    "bm25_scaled",  # BM25 min-max scaled over the candidates
    "coverage",  # IDF-weighted share of the question's terms found in the passage
    "sentence_coverage",  # the same, in the passage's best sentence
    "answer_type",  # that sentence holds a value of the kind asked for (amount, date, person, ...)
    "longest_run",  # longest run of the question's words, stopwords included, found verbatim
    "word_coverage",  # share of the question's words, stopwords included, in the best sentence
    "dense_rank",  # 1 / (1 + rank by cosine among the candidates): dense order, which held on Wikipedia questions
    "bm25_rank",  # 1 / (1 + rank by BM25 among the candidates)
    "dense_gap",  # cosine minus the best candidate's cosine
)
_WORD = re.compile(r"\w+")


def features(
    query: str, lang: str, texts: Sequence[str], dense: np.ndarray, bm25: np.ndarray, idf: Mapping[str, float]
) -> np.ndarray:
    """One row of ``FEATURES`` per passage text; ``idf`` maps each of the query's terms to its IDF."""
    terms = list(dict.fromkeys(tokenize(query)))
    total_idf = sum(idf[t] for t in terms) or 1.0
    words = _WORD.findall(fold(query))
    kind = question_kind(query, lang)

    rows = []
    for text in texts:
        view = _view(text)
        best, best_sentence = -1.0, 0
        for n, tokens in enumerate(view.sentence_tokens):
            c = weighted_coverage(terms, idf, tokens)
            if c > best:
                best, best_sentence = c, n
        a, b = view.spans[best_sentence] if view.spans else (0, len(text))
        typed = bool(kind and find_span(kind, text[a:b], query))
        sentence_words = view.sentence_words[best_sentence] if view.spans else set(view.words)
        rows.append(
            (
                weighted_coverage(terms, idf, view.tokens),
                max(best, 0.0),
                float(typed),
                _longest_common_run(words, view.words) / max(len(words), 1),
                sum(w in sentence_words for w in words) / max(len(words), 1),
            )
        )
    dense, bm25 = np.asarray(dense, dtype=np.float64), np.asarray(bm25, dtype=np.float64)
    lexical = np.array(rows, dtype=np.float64).reshape(len(texts), 5)
    gap = dense - dense.max() if len(dense) else dense
    return np.column_stack(
        [
            dense,
            min_max(dense),
            bm25 / total_idf,
            min_max(bm25),
            lexical,
            _inverse_rank(dense),
            _inverse_rank(bm25),
            gap,
        ]
    )


@dataclass(frozen=True)
class _View:
    """What the features read of a passage whatever the question: its sentences' spans, terms and words."""

    spans: list[tuple[int, int]]
    sentence_tokens: list[frozenset[str]]
    sentence_words: list[frozenset[str]]
    tokens: frozenset[str]
    words: list[str]


@lru_cache(maxsize=8192)  # the passages questions share (a day's story) are read once, not once a question
def _view(text: str) -> _View:
    spans = sentence_spans(text)
    return _View(
        spans,
        [frozenset(tokenize(text[a:b])) for a, b in spans],
        [frozenset(_WORD.findall(fold(text[a:b]))) for a, b in spans],
        frozenset(tokenize(text)),
        _WORD.findall(fold(text)),
    )


def candidates(fused: list[Hit], dense: list[Hit], depth: int, dense_depth: int) -> list[str]:
    """The passages to re-order: the fused head, then the dense head's passages it lacks."""
    head = [h.passage_id for h in fused[:depth]]
    return list(dict.fromkeys(head + [h.passage_id for h in dense[:dense_depth]]))


def _inverse_rank(x: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(x))
    ranks[np.argsort(-x, kind="stable")] = np.arange(len(x))
    return 1 / (1 + ranks)


def _longest_common_run(a: list[str], b: list[str]) -> int:
    """Length of the longest run of words that ``a`` and ``b`` share, in order and adjacent."""
    where: dict[str, list[int]] = {}
    for j, w in enumerate(b):
        where.setdefault(w, []).append(j)
    best, previous = 0, dict[int, int]()
    for w in a:
        current = {j: previous.get(j - 1, 0) + 1 for j in where.get(w, ())}
        best = max(best, *current.values()) if current else best
        previous = current
    return best


class Reranker:
    """The fused head re-ordered by a ``LinearModel`` over ``features``, scored with its probability; the
    rest keep their order and score 0, so scores never rise down the list."""

    SWITCH = "BERITA_RERANK"

    def __init__(self, model: LinearModel):
        self.model = model
        self.depth = int(model.options["depth"])
        self.dense_depth = int(model.options.get("dense_depth", 0))

    @classmethod
    def load(cls, path: Path) -> Reranker:
        return cls(load_learned(path, FEATURES, cls.SWITCH))

    def handles(self, lang: str) -> bool:
        return self.model.handles(lang)

    def candidates(self, fused: list[Hit], dense: list[Hit]) -> list[str]:
        return candidates(fused, dense, self.depth, self.dense_depth)

    def rerank(self, lang: str, fused: list[Hit], candidates: list[str], rows: np.ndarray) -> list[Hit]:
        """``candidates`` (see ``candidates``) re-ordered by their ``features`` ``rows``, then the rest of ``fused``."""
        probability = self.model.probabilities(lang, rows)
        order = np.argsort(-probability, kind="stable")
        chosen = set(candidates)
        return [Hit(candidates[j], float(probability[j])) for j in order] + [
            Hit(h.passage_id, 0.0) for h in fused if h.passage_id not in chosen
        ]
