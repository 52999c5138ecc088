"""The neural reader as a ``Reader``: it reads the best sentences of the top passages with the span model
(``reader.ReaderModel``) and answers from the passage whose span weighs most, if the span clears its checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from ..core.text import fold
from ..retrieval import Retrieval
from . import checks
from .base import Candidate, Sentence, sentences
from .reader import ReaderModel, ReadSpan
from .tuning import Tuning


class NeuralReader:
    """:param model: the span model.
    :param tuning: what it was tuned to (``reader.json``: bars, confidence, passages and tokens read, weights).
    :param answer_passages: the top passages whose sentences it chooses among.
    :param by_language: span models of their own for questions in some languages (English questions over
        Indonesian text: ``reader-en.npz``); ``model`` reads the others."""

    def __init__(
        self,
        model: ReaderModel,
        tuning: Tuning,
        answer_passages: int = 3,
        by_language: Mapping[str, ReaderModel] | None = None,
    ):
        self.model = model
        self.tuning = tuning
        self.answer_passages = answer_passages
        self.by_language = dict(by_language or {})

    @property
    def passages(self) -> int:
        """How many of the top passages it may read."""
        return max(self.answer_passages, self.tuning.passages, self.tuning.unranked_passages)

    def with_tuning(self, **changes: object) -> NeuralReader:
        """The same model with some tuned numbers changed (the tuning scripts try bars and weights with it)."""
        return NeuralReader(self.model, self.tuning.replace(**changes), self.answer_passages, self.by_language)

    def read(self, retrieval: Retrieval, kind: str | None) -> Candidate | None:
        contexts = self.reading(retrieval, sentences(retrieval, self.answer_passages))
        if not contexts:
            return None
        texts = [" ".join(s.text for s in chosen) for chosen in contexts]
        proposed = [
            checks.run(
                checks.SPAN_CHECKS, self._candidate(span, texts, contexts, kind, retrieval), retrieval, self.tuning
            )
            for span in self.by_language.get(retrieval.lang, self.model).read(retrieval.query, texts)
        ]
        allowed = [c for c in proposed if c is not None]
        best = max(allowed, key=lambda c: self._reading_score(retrieval, c), default=None)
        if best is None or not best.span:
            return None
        best = dataclasses.replace(best, signals=self._signals(best, allowed, len(contexts)))
        best = checks.run(checks.SCORE_CHECKS, best, retrieval, self.tuning)
        return dataclasses.replace(best, confidence=self.tuning.confidence(best.score)) if best else None

    @staticmethod
    def _signals(best: Candidate, allowed: list[Candidate], contexts: int) -> dict[str, float]:
        """What the calibrated confidence reads of the reading: the margin, its lead over the other passages' best
        spans, and how many of those say the same (agreement between passages)."""
        others = [c for c in allowed if c is not best]
        words = set(fold(best.span or "").split())
        agree = sum(bool(words & set(fold(c.span or "").split())) for c in others)
        lead = best.score - max((c.score for c in others), default=best.score - 10.0)
        return {"margin": best.score, "lead": min(lead, 10.0), "agree": agree / max(contexts - 1, 1)}

    def _candidate(
        self, span: ReadSpan, texts: list[str], contexts: list[list[Sentence]], kind: str | None, retrieval: Retrieval
    ) -> Candidate:
        chosen, at = contexts[span.context], 0
        for sentence in chosen:  # the sentence the span starts in
            if span.start < at + len(sentence.text) + 1:
                break
            at += len(sentence.text) + 1
        return Candidate(
            passage_id=sentence.passage_id,
            sentence=sentence.text,
            span=span.text,
            kind=kind,
            score=span.margin,
            bar=self.tuning.threshold(len(contexts)),
            before=texts[span.context][: span.start],
            leads=retrieval.reranked or len(contexts) > 1,
        )

    def _reading_score(self, retrieval: Retrieval, candidate: Candidate) -> float:
        """How good the answer from ``candidate``'s passage is: the reranker's log-probability of that passage plus
        ``tuning.weight`` times the reader's margin, so that the passage holding the answer rises over a better-ranked
        one that does not. (Without the reranker's probabilities the fused score stands in for it.)"""
        score = next(h.score for h in retrieval.hits if h.passage_id == candidate.passage_id)
        return float(np.log(max(score, 1e-12))) + self.tuning.weight * candidate.score

    def reading(self, retrieval: Retrieval, sentences: list[Sentence]) -> list[list[Sentence]]:
        """What the reader reads: for each of the best passages (``tuning.passages`` of them where the reranker
        ordered them, else ``tuning.unranked_passages``), its sentences holding more of the question's terms (IDF
        weighted) first, up to an equal share of ``tuning.context_tokens`` (the best sentence always), in order."""
        passages = self.tuning.read(retrieval.reranked)
        budget = self.tuning.context_tokens // passages
        out = []
        for position in range(passages):
            mine = [s for s in sentences if s.position == position]
            coverage = [checks.coverage(retrieval, s.text) for s in mine]
            chosen: list[int] = []
            used = 0
            for i in sorted(range(len(mine)), key=lambda i: (-coverage[i], i)):
                cost = self.model.token_count(mine[i].text)
                if chosen and used + cost > budget:
                    continue
                chosen.append(i)
                used += cost
            if chosen:
                out.append([mine[i] for i in sorted(chosen)])
        return out
