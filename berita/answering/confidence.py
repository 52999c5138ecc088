"""Confidence as the probability that an answer is right on news, and the level shown with it.

A logistic model per question language over what the product knows of an answer (the reader's margin, its lead
over the other passages' spans and their agreement, the passage's rank and retrieval score, how much of the
question it holds, the names it lacks, whether the span is a value of the kind asked). Its weights and the two
levels' bars are fitted by ``training/calibrate.py`` on the newsroom dev questions with TyDi QA and IDK-MRC dev, and
kept in ``confidence.json`` beside the reader's weights with ``tuned_on``."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.files import write_atomic
from ..core.text import tokenize
from ..errors import ModelError
from ..lang.id.values import find_values
from ..retrieval import Retrieval
from . import checks
from .base import Candidate

FEATURES = (
    "neural",  # the neural reader gave it (else the rules)
    "margin",  # the reader's margin over "no answer", before the name check
    "lead",  # that margin over the best span of the other passages read
    "agree",  # share of the other passages whose best span shares a word with it
    "rank",  # the answer's passage's place among the results (0: first)
    "passage_score",  # log of its retrieval score (the reranker's probability, or the fused score)
    "coverage",  # share of the question's terms in the passage (IDF weighted)
    "names_missing",  # names the question names that the passage lacks (at most 3)
    "kind_value",  # a kind is asked and the span is a value of it
    "asked_kind",  # the question asks for a kind of value (amount, date, person, ...)
    "span_words",  # log(1 + words in the span)
    "similarity",  # the rules' score (their passage's cosine to the question)
    "sentence_coverage",  # share of the question's terms in the answer's sentence
    "numbers_missing",  # numbers the question names (a year, an amount) that the passage lacks (at most 2)
    "top_article",  # the answer's passage is of the first result's article
)
LEVELS = ("sure", "possible")


def features(candidate: Candidate, retrieval: Retrieval) -> np.ndarray:
    signals, text = candidate.signals, checks.passage_text(candidate, retrieval)
    ids = [h.passage_id for h in retrieval.hits]
    rank = ids.index(candidate.passage_id) if candidate.passage_id in ids else len(ids)
    score = retrieval.hits[rank].score if rank < len(ids) else 0.0
    kind, span = candidate.kind, candidate.span or ""
    neural = "margin" in signals
    numbers = {t for t in retrieval.terms if t[:1].isdigit()}
    return np.array(
        [
            float(neural),
            signals.get("margin", 0.0),
            signals.get("lead", 0.0),
            signals.get("agree", 0.0),
            float(min(rank, 5)),
            math.log(max(float(score), 1e-4)),
            checks.coverage(retrieval, text),
            float(min(checks.missing_names(retrieval, text), 3)),
            float(bool(kind and find_values(kind, span, set()))),
            float(bool(kind)),
            math.log1p(len(span.split())),
            0.0 if neural else candidate.score,
            checks.coverage(retrieval, candidate.sentence),
            float(min(len(numbers - set(tokenize(text))), 2)),
            float(bool(ids) and retrieval.passages[ids[0]].doc_id == retrieval.passages[candidate.passage_id].doc_id),
        ]
    )


@dataclass(frozen=True)
class Calibrator:
    """:param weights: per question language, one weight per feature, then the bias.
    :param sure: per language, the probability from which an answer is "sure" (on the dev split, at least 90% of
        the answers from there on were right).
    :param possible: per language, the probability under which no answer is given.
    :param tuned_on: on what the weights and bars were fitted."""

    weights: dict[str, list[float]]
    sure: dict[str, float]
    possible: dict[str, float]
    features: tuple[str, ...] = FEATURES
    tuned_on: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Calibrator:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            model = cls(raw["weights"], raw["sure"], raw["possible"], tuple(raw["features"]), raw.get("tuned_on", {}))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"cannot load the answers' confidence from {path}: {exc}") from exc
        if model.features != FEATURES or any(len(w) != len(FEATURES) + 1 for w in model.weights.values()):
            raise ModelError(f"{path} was fitted on other features; refit it (python -m training.calibrate)")
        return model

    def save(self, path: Path) -> None:
        write_atomic(path, json.dumps(dataclasses.asdict(self), indent=2, ensure_ascii=False) + "\n")

    def probability(self, candidate: Candidate, retrieval: Retrieval) -> float:
        w = np.asarray(self.weights[retrieval.lang], dtype=np.float64)
        return float(1 / (1 + np.exp(-(features(candidate, retrieval) @ w[:-1] + w[-1]))))

    def judge(self, candidate: Candidate | None, retrieval: Retrieval) -> Candidate | None:
        """``candidate`` with its calibrated confidence and level, or ``None`` where it is under the possible bar
        (a language without weights keeps its reader's confidence and is "possible" at most)."""
        if candidate is None:
            return None
        lang = retrieval.lang
        if lang not in self.weights:
            return dataclasses.replace(candidate, level="possible")
        p = self.probability(candidate, retrieval)
        if p < self.possible[lang]:
            return None
        return dataclasses.replace(candidate, confidence=p, level="sure" if p >= self.sure[lang] else "possible")
