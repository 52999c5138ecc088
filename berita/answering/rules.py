"""The rules as a ``Reader``: the first value of the asked kind in the sentence whose passage is most similar to the
question, nudged towards sentences that share its words; nothing below a similarity bar."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..core.text import tokenize
from ..lang.id.values import find_span
from ..retrieval import Retrieval
from . import checks
from .base import Candidate, sentences
from .tuning import Tuning

# where a span is found, the rules check only the office: the value patterns already find the kind asked
SPAN_CHECKS: tuple[checks.Check, ...] = (checks.not_another_office,)


class RuleReader:
    """:param min_similarity: the score (the passage's cosine to the question, plus the nudge) an answer needs.
    :param overlap_weight: how much a sentence sharing the question's words is nudged up.
    :param answer_passages: the top passages whose sentences it reads."""

    def __init__(self, min_similarity: float = 0.80, overlap_weight: float = 0.02, answer_passages: int = 3):
        self.min_similarity = min_similarity
        self.overlap_weight = overlap_weight
        self.answer_passages = answer_passages
        self.tuning = Tuning()  # the span checks read none of its numbers

    @property
    def passages(self) -> int:
        return self.answer_passages

    def read(self, retrieval: Retrieval, kind: str | None) -> Candidate | None:
        query = retrieval.query
        candidates = []
        for sentence in sentences(retrieval, self.answer_passages):
            span = find_span(kind, sentence.text, query) if kind else None
            found = Candidate(
                sentence.passage_id,
                sentence.text,
                span.text if span else None,
                kind,
                sentence.similarity,
                self.min_similarity,
                before=sentence.text[: span.start] if span else "",
            )
            if span and checks.run(SPAN_CHECKS, found, retrieval, self.tuning) is None:
                continue  # a typed question needs a value of its type, and this one is ruled out
            if span or not kind:
                candidates.append(found)
        if not candidates:
            return None
        # No model call per sentence: the passage's similarity to the question, nudged towards sentences that
        # share its words. On the seed questions this matched embedding every sentence, at 1/300 of the time.
        terms = set(tokenize(query))
        overlap = np.array([len(terms & set(tokenize(c.sentence))) / max(len(terms), 1) for c in candidates])
        score = np.array([c.score for c in candidates]) + self.overlap_weight * overlap
        best = int(np.argmax(score))
        scored = dataclasses.replace(candidates[best], score=float(score[best]))
        given = checks.run((checks.clears_bar,), scored, retrieval, self.tuning)
        return dataclasses.replace(given, confidence=given.score) if given else None
