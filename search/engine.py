"""SearchEngine: load an index once, answer many queries."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from .answer import Span, find_span, is_question, question_kind
from .bm25 import BM25
from .fusion import convex, rrf
from .lang import SUPPORTED, detect_language, warm_up
from .models import Embedder, ModelError, load_embedder
from .linear import LinearModel
from .rerank import FEATURES as RERANK_FEATURES, features
from .spans import SPAN_FEATURES, Sentence, SpanCandidate, span_candidates, span_features
from .settings import Settings
from .store import StoredIndex, read_index
from .text import normalize, sentence_spans, tokenize
from .types import Answer, Document, Filters, Passage, Result, SearchResponse

MODES = ("hybrid", "dense", "bm25")


class QueryError(ValueError):
    """A query the engine will not run: empty, too long, or with bad options."""


class SearchEngine:
    def __init__(self, index: StoredIndex, embedder: Embedder, settings: Settings):
        if embedder.name != index.manifest.model or embedder.dim != index.manifest.dim:
            raise ModelError(f"the index was built with {index.manifest.model!r} ({index.manifest.dim} dims) and cannot be "
                             f"searched with {embedder.name!r} ({embedder.dim} dims); rebuild it with that model or search with the index's own")
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.bm25 = BM25([tokenize(p.text) for p in index.passages])
        self.reranker = load_linear(settings.rerank_file, RERANK_FEATURES, "BERITA_RERANK") if settings.rerank else None
        self.span_ranker = (load_linear(settings.spans_file, SPAN_FEATURES, "BERITA_LEARNED_SPANS")
                            if settings.learned_spans else None)
        self._passages_of: dict[str, list[Passage]] = {}
        for p in index.passages:
            self._passages_of.setdefault(p.doc_id, []).append(p)
        self._embed_query = lru_cache(maxsize=4096)(self._embed_query_uncached)
        self._allowed = lru_cache(maxsize=64)(self._allowed_uncached)  # filters repeat across pages
        self._sources = sorted({d.source for d in index.documents.values() if d.source}, key=str.casefold)
        warm_up()

    @classmethod
    def load(cls, settings: Settings | None = None, embedder: Embedder | None = None) -> "SearchEngine":
        settings = settings or Settings.from_env()
        index = read_index(settings.index_dir)
        if embedder is None:
            if settings.model and settings.model != index.manifest.model:
                raise ModelError(f"the index at {settings.index_dir} was built with {index.manifest.model!r}, not {settings.model!r}")
            embedder = load_embedder(index.manifest.model, settings.models_file)
        return cls(index, embedder, settings)

    # ---- queries -------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, lang: str | None = None, mode: str = "hybrid",
               with_answer: bool = True, filters: Filters | None = None, offset: int = 0) -> SearchResponse:
        """The best ``k`` passages after the first ``offset``, and the direct answer from the best ones."""
        query, k, lang = self.check(query, k, lang)
        filters = self.check_filters(filters)
        if not 0 <= offset <= 10 * self.settings.max_k:
            raise QueryError(f"offset must be between 0 and {10 * self.settings.max_k}")
        ranked = self.retrieve(query, lang, k + offset, mode, filters)
        results = [self._result(rank, idx, score) for rank, (idx, score) in enumerate(ranked, 1)][offset:]
        answer = self.answer(query, ranked, lang) if with_answer else None
        return SearchResponse(query=query, lang=lang, answer=answer, results=results)

    def check(self, query: str, k: int | None, lang: str | None) -> tuple[str, int, str]:
        if not isinstance(query, str):
            raise QueryError("the query must be text")
        query = normalize(query)
        if not query:
            raise QueryError("the query is empty")
        if len(query) > self.settings.max_query_chars:
            raise QueryError(f"the query is {len(query)} characters long; the limit is {self.settings.max_query_chars}")
        k = self.settings.default_k if k is None else k
        if not 1 <= k <= self.settings.max_k:
            raise QueryError(f"k must be between 1 and {self.settings.max_k}")
        if lang is not None and lang not in SUPPORTED:
            raise QueryError(f"lang must be one of {', '.join(SUPPORTED)}")
        return query, k, lang or detect_language(query)

    @staticmethod
    def check_filters(filters: Filters | None) -> Filters:
        filters = filters or Filters()
        for name in ("date_from", "date_to"):
            value = getattr(filters, name)
            if value and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise QueryError(f"{name} must be a date written YYYY-MM-DD")
        return filters

    def retrieve(self, query: str, lang: str, k: int, mode: str = "hybrid", filters: Filters | None = None) -> list[tuple[int, float]]:
        """(passage index, score) of the best ``k`` passages, best first."""
        if mode not in MODES:
            raise QueryError(f"mode must be one of {', '.join(MODES)}")
        allowed = self._allowed(filters) if filters else None
        depth = max(k, self.settings.candidates)
        dense = self._dense(query, depth, allowed) if mode in ("hybrid", "dense") else ([], [])
        lexical_scores = self.bm25.scores(tokenize(query)) if mode in ("hybrid", "bm25") else None
        lexical = self.bm25.top(lexical_scores, depth, allowed) if lexical_scores is not None else ([], [])
        if mode != "hybrid":
            ids, scores = dense if mode == "dense" else lexical
            return [(int(i), float(s)) for i, s in zip(ids, scores)][:k]
        share = self.settings.dense_share.get(lang, 0.5)
        if self.settings.fusion == "rrf":
            fused = rrf([dense[0], lexical[0]], (share, 1 - share), self.settings.rrf_k)
        else:
            fused = convex([dense, lexical], (share, 1 - share))
        if fused and self.settings.rerank and self.reranker and self.reranker.handles(lang):
            fused = self._rerank(query, lang, fused, lexical_scores)
        return fused[:k]

    def _rerank(self, query: str, lang: str, fused: list[tuple[int, float]], lexical_scores: np.ndarray) -> list[tuple[int, float]]:
        """The head of the fused list re-ordered, scored with the reranker's probability; the rest keep their
        order and score 0, so scores never rise down the list."""
        ids = [idx for idx, _ in fused[: int(self.reranker.options["depth"])]]
        probability = self.reranker.probabilities(lang, self.rerank_features(query, lang, ids, lexical_scores))
        order = np.argsort(-probability, kind="stable")
        return [(ids[j], float(probability[j])) for j in order] + [(idx, 0.0) for idx, _ in fused[len(ids):]]

    def _dense(self, query: str, depth: int, allowed: np.ndarray | None) -> tuple[list[int], list[float]]:
        # with filters, look deeper so that enough allowed passages remain
        fetch = depth if allowed is None else min(len(self.index.passages), depth * 20)
        scores, ids = self.index.ann.search(self._embed_query(query)[None, :], fetch)
        kept = [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0 and (allowed is None or allowed[i])][:depth]
        return [i for i, _ in kept], [s for _, s in kept]

    def rerank_features(self, query: str, lang: str, ids: list[int], lexical_scores: np.ndarray | None = None) -> np.ndarray:
        """The reranker's view of passages ``ids`` for ``query`` (one row each; see search/rerank.py)."""
        terms = tokenize(query)
        lexical_scores = self.bm25.scores(terms) if lexical_scores is None else lexical_scores
        return features(query, lang, [self.index.passages[i].text for i in ids], self.index.vectors[ids] @ self._embed_query(query),
                        lexical_scores[ids], self.bm25.idf(terms))

    def _allowed_uncached(self, filters: Filters) -> np.ndarray:
        docs = {doc_id for doc_id, doc in self.index.documents.items() if filters.accepts(doc)}
        mask = np.fromiter((p.doc_id in docs for p in self.index.passages), dtype=bool, count=len(self.index.passages))
        mask.setflags(write=False)  # shared through the cache
        return mask

    def sources(self) -> list[str]:
        """Every source named in the index, for filter menus."""
        return list(self._sources)

    def answer(self, query: str, ranked: list[tuple[int, float]], lang: str | None = None) -> Answer | None:
        """The sentence among the top passages that answers ``query``; ``None`` when none fits well enough."""
        if not ranked or not is_question(query, lang):
            return None
        kind = question_kind(query, lang)
        sentences = self.top_sentences(query, [idx for idx, _ in ranked[: self.settings.answer_passages]])
        if kind and self.settings.learned_spans and self.span_ranker and self.span_ranker.handles(lang):
            return self._learned_answer(query, lang, kind, sentences)
        candidates = []
        for sentence in sentences:
            span = find_span(kind, sentence.text, query) if kind else None
            if span or not kind:  # a typed question needs a value of its type
                candidates.append((sentence, span))
        if not candidates:
            return None
        # No model call per sentence: the passage's similarity to the question, nudged towards sentences that
        # share its words. On the seed questions this matched embedding every sentence, at 1/300 of the time.
        terms = set(tokenize(query))
        overlap = np.array([len(terms & set(tokenize(s.text))) / max(len(terms), 1) for s, _ in candidates])
        score = np.array([s.similarity for s, _ in candidates]) + self.settings.answer_overlap_weight * overlap
        best = int(np.argmax(score))
        if score[best] < self.settings.answer_min_similarity:
            return None
        sentence, span = candidates[best]
        return self._answer(sentence.passage, sentence.text, span, kind, float(score[best]))

    def span_candidates(self, query: str, kind: str, sentences: list[Sentence]) -> tuple[list[SpanCandidate], np.ndarray]:
        """The values that could answer ``query``, a question asking for ``kind``, in ``sentences``, and their
        features (see search/spans.py)."""
        candidates = span_candidates(query, sentences, self.bm25.idf(tokenize(query)))
        return candidates, span_features(kind, query, candidates)

    def _learned_answer(self, query: str, lang: str, kind: str, sentences: list[Sentence]) -> Answer | None:
        candidates, rows = self.span_candidates(query, kind, sentences)
        if not candidates:
            return None
        probability = self.span_ranker.probabilities(lang, rows)
        best = int(np.argmax(probability))
        if probability[best] < self.span_ranker.options["min_probability"]:
            return None
        c = candidates[best]
        return self._answer(c.passage, c.sentence, c.span, kind, float(probability[best]))

    def top_sentences(self, query: str, passage_ids: list[int]) -> list[Sentence]:
        """The sentences of the given passages, each once, with their passage's similarity to ``query``."""
        similarity = self.index.vectors[passage_ids] @ self._embed_query(query)
        out, seen = [], set()
        for position, idx in enumerate(passage_ids):
            passage = self.index.passages[idx]
            text = self.index.documents[passage.doc_id].text
            for a, b in sentence_spans(text, passage.start, passage.end):
                if (passage.doc_id, a) not in seen:  # overlapping passages share sentences
                    seen.add((passage.doc_id, a))
                    out.append(Sentence(idx, position, float(similarity[position]), text[a:b]))
        return out

    def _answer(self, idx: int, sentence: str, span: Span | None, kind: str | None, confidence: float) -> Answer:
        passage = self.index.passages[idx]
        doc = self.index.documents[passage.doc_id]
        return Answer(text=sentence, span=span.text if span else None, doc_id=doc.doc_id, title=doc.title,
                      source=doc.source, date=doc.date, start=passage.start, end=passage.end,
                      passage_id=passage.passage_id, kind=kind, confidence=round(confidence, 4))

    def clear_cache(self) -> None:
        """Forget cached query embeddings (benchmarks measure cold queries with it)."""
        self._embed_query.cache_clear()

    # ---- documents -----------------------------------------------------------------------
    def document(self, doc_id: str) -> tuple[Document, list[Passage]] | None:
        doc = self.index.documents.get(doc_id)
        return (doc, self._passages_of.get(doc_id, [])) if doc else None

    def _embed_query_uncached(self, query: str) -> np.ndarray:
        vector = self.embedder.encode_queries([query])[0]
        vector.setflags(write=False)  # shared through the cache
        return vector

    def _result(self, rank: int, idx: int, score: float) -> Result:
        p = self.index.passages[idx]
        d = self.index.documents[p.doc_id]
        return Result(rank=rank, score=round(float(score), 6), doc_id=d.doc_id, passage_id=p.passage_id, title=d.title,
                      source=d.source, date=d.date, text=p.text, start=p.start, end=p.end)


def load_linear(path: Path, features: tuple[str, ...], switch: str) -> LinearModel:
    """A learned stage's weights; ``switch`` is the setting that turns the stage off, for the error message."""
    try:
        return LinearModel.load(path, features)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"cannot load a learned model from {path}: {exc}; set {switch}=off to search without it") from exc
