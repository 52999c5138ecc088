"""One place that turns a ``Retrieval`` into a direct answer: the sentences of the top passages, then the
learned span model where it is trained (Indonesian) or the rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.config import AnswerConfig
from ..core.kinds import is_question, question_kind
from ..core.linear import LinearModel, load_learned
from ..core.text import sentence_spans
from ..core.values import could_answer
from ..retrieval.retriever import Retrieval
from .reader import Calibration, Reader
from .rules import rule_answer
from .spans import SPAN_FEATURES, Sentence, SpanCandidate, span_candidates, span_features


@dataclass
class Found:
    """An answer before it is cited: the passage it is in, its sentence, the span, and how sure we are."""

    passage_id: str
    sentence: str
    span: str | None
    kind: str | None
    confidence: float
    leads: bool = False  # the reader chose its passage among the reranked ones: show that passage first


class AnswerExtractor:
    SWITCH = "BERITA_LEARNED_SPANS"

    def __init__(
        self,
        config: AnswerConfig,
        span_model: LinearModel | None = None,
        reader: tuple[Reader, Calibration] | None = None,
    ):
        self.config = config
        self.span_model = span_model
        self.reader = reader

    @classmethod
    def load_span_model(cls, path: Path) -> LinearModel:
        return load_learned(path, SPAN_FEATURES, cls.SWITCH)

    def answer(self, retrieval: Retrieval, learned: bool = True, read: bool = False) -> Found | None:
        """The answer to ``retrieval.query`` in its top passages; ``None`` when none fits well enough. ``read``:
        the neural reader answers (both languages; for English questions the rules answer where it says nothing);
        else ``learned``: the span model where trained; else rules."""
        query, lang = retrieval.query, retrieval.lang
        if not retrieval.hits or not is_question(query, lang):
            return None
        kind = question_kind(query, lang)
        sentences = self.sentences(retrieval)
        if read and self.reader and lang in self.config.reader_languages:
            found = self._grounded(retrieval, self._read(retrieval, kind, sentences, *self.reader))
            if found or lang not in self.config.rules_after_reader:
                return found
        elif kind and learned and self.span_model and self.span_model.handles(lang):
            return self._grounded(retrieval, self._learned(retrieval, kind, sentences))
        ruled = rule_answer(query, kind, sentences, self.config, retrieval.other_office)
        if ruled is None:
            return None
        sentence, span, score = ruled
        if read and self.reader and lang in self.config.reader_languages:
            score = min(score, self._least_sure(retrieval, self.reader[1]))
        return self._grounded(
            retrieval, Found(sentence.passage_id, sentence.text, span.text if span else None, kind, score)
        )

    def _grounded(self, retrieval: Retrieval, found: Found | None) -> Found | None:
        """``found`` where its passage holds enough of the question's terms (``answer_min_coverage``) and its span
        says more than the question did, else None: a passage that shares none of the question's words does not hold
        its answer, however sure the reader is."""
        if found is None or (found.span and retrieval.echoes(found.span)):
            return None
        coverage = retrieval.coverage(retrieval.passages[found.passage_id].text)
        return found if coverage >= self.config.answer_min_coverage else None

    def _least_sure(self, retrieval: Retrieval, calibration: Calibration) -> float:
        """The confidence of the least sure answer the reader gives, at its bar. The rules answer only where the reader
        found nothing it would give, so their answer is shown no surer than that: their own score, the passage's
        similarity (about 0.85), had read as "85% sure" for answers right 2 of 4 times on the English dev questions."""
        return calibration.confidence(calibration.threshold(self.config.reader_passages if retrieval.reranked else 1))

    def sentences(self, retrieval: Retrieval) -> list[Sentence]:
        """The sentences of the top passages, each once, with their passage's similarity to the query."""
        out, seen = [], set()
        for position, hit in enumerate(retrieval.hits[: self.config.answer_passages]):
            passage = retrieval.passages[hit.passage_id]
            for a, b in sentence_spans(passage.text):
                where = (passage.doc_id, passage.start + a)
                if where not in seen:  # overlapping passages share sentences
                    seen.add(where)
                    out.append(Sentence(passage.passage_id, position, float(hit.similarity or 0.0), passage.text[a:b]))
        return out

    def candidates(self, retrieval: Retrieval, kind: str) -> tuple[list[SpanCandidate], np.ndarray]:
        """The values that could answer a question asking for ``kind``, and their features (see spans.py)."""
        candidates = span_candidates(retrieval.query, self.sentences(retrieval), retrieval.idf)
        return candidates, span_features(kind, retrieval.query, candidates)

    def _learned(self, retrieval: Retrieval, kind: str, sentences: list[Sentence]) -> Found | None:
        assert self.span_model is not None
        candidates = span_candidates(retrieval.query, sentences, retrieval.idf)
        if not candidates:
            return None
        probability = self.span_model.probabilities(retrieval.lang, span_features(kind, retrieval.query, candidates))
        # a value after (or opening with) another office's title is no answer, as for the reader and the rules;
        # it keeps its place in the softmax, so the others' probabilities read as they were fitted
        allowed = [not retrieval.other_office(c.sentence[: c.span.start], c.span.text) for c in candidates]
        best = int(np.argmax(np.where(allowed, probability, -1.0)))
        if not allowed[best] or probability[best] < self.span_model.options["min_probability"]:
            return None
        c = candidates[best]
        return Found(c.passage_id, c.sentence, c.span.text, kind, float(probability[best]))

    def _read(
        self,
        retrieval: Retrieval,
        kind: str | None,
        sentences: list[Sentence],
        reader: Reader,
        calibration: Calibration,
    ) -> Found | None:
        contexts = self.reading(retrieval, sentences, reader)
        if not contexts:
            return None
        texts = [" ".join(s.text for s in chosen) for chosen in contexts]
        spans = reader.read(retrieval.query, texts)
        # a "when" answered by no word of time, a "how many" by no number, is wrong however sure the reader is; so is
        # the deputy's name for "who is the governor" (the reader reads "Wakil Gubernur X" as the governor X)
        spans = [
            s
            for s in spans
            if could_answer(kind, s.text) and not retrieval.other_office(texts[s.context][: s.start], s.text)
        ]
        best = max(spans, key=lambda s: self._reading_score(retrieval, contexts[s.context][0], s.margin), default=None)
        if best is None or not best.text:
            return None
        margin = best.margin - self._unnamed(retrieval, contexts[best.context][0])
        if margin < calibration.threshold(len(contexts)):
            return None
        chosen, at = contexts[best.context], 0
        for sentence in chosen:  # the sentence the span starts in
            if best.start < at + len(sentence.text) + 1:
                break
            at += len(sentence.text) + 1
        confidence = calibration.confidence(margin)
        return Found(sentence.passage_id, sentence.text, best.text, kind, confidence, retrieval.reranked)

    def _unnamed(self, retrieval: Retrieval, sentence: Sentence) -> float:
        """What the answer's margin loses where its passage lacks a name the question names (``reader_name_penalty``,
        once however many): the reader reads a few sentences and cannot tell that the passage is about another mayor
        or another dynasty. It weighs on whether to answer, not on which passage answers."""
        if retrieval.lang not in self.config.name_languages:
            return 0.0
        missing = retrieval.missing_names(retrieval.passages[sentence.passage_id].text)
        return self.config.reader_name_penalty if missing else 0.0

    def _reading_score(self, retrieval: Retrieval, sentence: Sentence, margin: float) -> float:
        """How good the answer from ``sentence``'s passage is: the reranker's log-probability of that passage plus
        ``reader_weight`` times the reader's margin. The weight came from TyDi QA's dev questions (bench/tune_reader.py):
        the reader then lifts the passage holding the answer over a better-ranked one that does not hold it. (Without
        the reranker only the first passage is read, so nothing is weighed.)"""
        score = retrieval.hits[sentence.position].score
        return float(np.log(max(score, 1e-12))) + self.config.reader_weight * margin

    def reading(self, retrieval: Retrieval, sentences: list[Sentence], reader: Reader) -> list[list[Sentence]]:
        """What the reader reads: for each of the best passages (``reader_passages`` of them where the reranker
        ordered them, else one), its sentences holding more of the question's terms (IDF weighted) first, up to an
        equal share of ``reader_context_tokens`` (the best sentence always), put back in their order. One passage
        read whole was as good as the best sentences of three on FacQA train questions (EM 0.728 against 0.720);
        three let the reader choose the passage (bench/tune_reader.py)."""
        passages = self.config.reader_passages if retrieval.reranked else 1
        budget = self.config.reader_context_tokens // passages
        out = []
        for position in range(passages):
            mine = [s for s in sentences if s.position == position]
            coverage = [retrieval.coverage(s.text) for s in mine]
            chosen: list[int] = []
            used = 0
            for i in sorted(range(len(mine)), key=lambda i: (-coverage[i], i)):
                cost = reader.token_count(mine[i].text)
                if chosen and used + cost > budget:
                    continue
                chosen.append(i)
                used += cost
            if chosen:
                out.append([mine[i] for i in sorted(chosen)])
        return out
