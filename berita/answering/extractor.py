"""One place that turns a ``Retrieval`` into a direct answer: the sentences of the top passages, then the
learned span model where it is trained (Indonesian) or the rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.config import AnswerConfig
from ..core.kinds import is_question, question_kind
from ..core.linear import LinearModel, load_learned
from ..core.text import sentence_spans, tokenize, weighted_coverage
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
        the neural reader answers (both languages); else ``learned``: the span model where trained; else rules."""
        query, lang = retrieval.query, retrieval.lang
        if not retrieval.hits or not is_question(query, lang):
            return None
        kind = question_kind(query, lang)
        sentences = self.sentences(retrieval)
        if read and self.reader and lang in self.config.reader_languages:
            return self._read(retrieval, kind, sentences, *self.reader)
        if kind and learned and self.span_model and self.span_model.handles(lang):
            return self._learned(retrieval, kind, sentences)
        found = rule_answer(query, kind, sentences, self.config)
        if found is None:
            return None
        sentence, span, score = found
        return Found(sentence.passage_id, sentence.text, span.text if span else None, kind, score)

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
        best = int(np.argmax(probability))
        if probability[best] < self.span_model.options["min_probability"]:
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
        chosen = self.reading(retrieval, sentences, reader)
        if not chosen:
            return None
        context, starts = "", []
        for sentence in chosen:
            starts.append(len(context))
            context += sentence.text + " "
        spans = reader.read(retrieval.query, [context])
        if not spans or not spans[0].text or spans[0].margin < calibration.min_margin:
            return None
        best = spans[0]
        where = max(n for n, start in enumerate(starts) if start <= best.start)
        return Found(chosen[where].passage_id, chosen[where].text, best.text, kind, calibration.confidence(best.margin))

    def reading(self, retrieval: Retrieval, sentences: list[Sentence], reader: Reader) -> list[Sentence]:
        """The sentences the reader reads, in their order: those of the best ``reader_passages`` passages, better
        passages first and, where they do not all fit in ``reader_context_tokens``, the ones holding more of the
        question's terms (IDF weighted). One passage read whole was as good as the best sentences of three on FacQA
        train questions (EM 0.728 against 0.720) at two thirds of the time."""
        terms = list(dict.fromkeys(retrieval.terms))
        coverage = [weighted_coverage(terms, retrieval.idf, set(tokenize(s.text))) for s in sentences]
        order = sorted(range(len(sentences)), key=lambda i: (sentences[i].position, -coverage[i], i))
        chosen: list[int] = []
        used = 0
        for i in order:
            if sentences[i].position >= self.config.reader_passages:
                continue
            cost = reader.token_count(sentences[i].text)
            if chosen and used + cost > self.config.reader_context_tokens:
                continue
            chosen.append(i)
            used += cost
        return [sentences[i] for i in sorted(chosen)]
