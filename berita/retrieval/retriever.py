"""Dense + lexical retrieval, fused, then (where trained) reranked: ``Retriever.retrieve`` -> ``Retrieval``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Literal

import numpy as np

from ..backends.base import SearchBackend
from ..core.config import Fusion, RetrievalConfig
from ..core.schema import Filters, Hit, Passage
from ..core.text import names as names_in
from ..core.text import reading, tokenize
from ..embed.queries import QueryEncoder
from ..embed.registry import Embedder
from ..lang.id import bilingual
from .fusion import convex, dense_shares, rrf
from .rerank import Reranker, features

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")
# passages read beyond k at a time to fill the places of copies (``Retriever.distinct``)
SPARE = 10


@dataclass
class Retrieval:
    """What retrieval found and what it knew on the way, so that answering never reaches back into an index."""

    query: str
    lang: str
    hits: list[Hit]  # best first; the leading ones carry their cosine to the query where asked
    passages: dict[str, Passage]  # the hits' passages
    vector: np.ndarray | None  # the query's embedding, by its language's query encoder (None for BM25 alone)
    terms: list[str]  # the query's BM25 terms
    idf: dict[str, float] = field(default_factory=dict)  # of those terms
    reranked: bool = False  # the leading hits' scores are the reranker's probabilities
    # the terms as BM25 matched them: an English question's term with its Indonesian translations, one concept each;
    # left empty, each term alone
    concepts: list[frozenset[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.concepts = self.concepts or [frozenset({t}) for t in dict.fromkeys(self.terms)]

    @cached_property
    def asked(self) -> frozenset[str]:
        """The query's terms with their translations (computed once per query: the answer checks read it per span)."""
        return frozenset().union(*self.concepts)

    @cached_property
    def names(self) -> list[frozenset[str]]:
        """The names the query names (``core.text.names``), each with its translations where it has some."""
        return [next((c for c in self.concepts if name in c), frozenset({name})) for name in names_in(self.query)]

    @cached_property
    def concept_weights(self) -> list[float]:
        """Each concept's IDF; all 1 where the terms were translated: an English word the corpus never holds has the
        highest IDF and would outweigh the words that did match."""
        if any(len(c) > 1 for c in self.concepts):
            return [1.0] * len(self.concepts)
        return [max((self.idf.get(t, 0.0) for t in c), default=0.0) for c in self.concepts]


@dataclass(frozen=True)
class Fusing:
    """How the two runs are fused for one query (the settings' choice unless a caller asks otherwise)."""

    fusion: Fusion
    dense_share: Mapping[str, float]


class Retriever:
    def __init__(
        self,
        backend: SearchBackend,
        embedder: Embedder,
        config: RetrievalConfig,
        query_encoders: Mapping[str, QueryEncoder] | None = None,
    ):
        self.backend = backend
        self.embedder = embedder
        self.config = config
        # by question language: another encoder for questions whose vectors search the same passages (embed/queries.py)
        self.query_encoders = dict(query_encoders or {})
        self.e5 = QueryEncoder(embedder)
        self.embed_query = lru_cache(maxsize=4096)(self._embed_query)

    def retrieve(
        self,
        query: str,
        lang: str,
        k: int,
        mode: Mode = "hybrid",
        filters: Filters | None = None,
        reranker: Reranker | None = None,
        similarities: int = 0,
        fusing: Fusing | None = None,
    ) -> Retrieval:
        """The best ``k`` passages for ``query``; the first ``similarities`` hits get their cosine to the query."""
        depth = max(k, self.config.candidates)
        reranked = False
        terms = tokenize(query)
        idf = self.backend.lexical.idf(terms)
        vector = self.embed_query(query, lang) if mode != "bm25" or similarities else None
        dense = self._dense(vector, lang, depth, filters) if vector is not None and mode != "bm25" else []
        concepts = self._concepts(query, lang)
        lexical = self._lexical(terms, concepts, depth, filters) if mode != "dense" else []
        if mode != "hybrid":
            hits = dense if mode == "dense" else lexical
        else:
            hits = self._fuse(dense, lexical, lang, fusing)
            if hits and reranker and reranker.handles(lang):
                chosen = reranker.candidates(hits, dense)
                hits = reranker.rerank(lang, hits, chosen, self.rerank_features(query, lang, chosen, terms, idf))
                reranked = True
        hits, passages = self.distinct(hits, k)
        if vector is not None and similarities:
            head = hits[:similarities]
            for hit, s in zip(head, self._similarity(vector, lang, [h.passage_id for h in head])):
                hit.similarity = float(s)
        return Retrieval(query, lang, hits, passages, vector, terms, idf, reranked, concepts)

    def rerank_features(
        self,
        query: str,
        lang: str,
        passage_ids: list[str],
        terms: list[str] | None = None,
        idf: dict[str, float] | None = None,
    ) -> np.ndarray:
        """The reranker's view of the passages named for ``query`` (one row each; see rerank.py); ``terms`` and
        ``idf`` where the caller has them already."""
        terms = tokenize(query) if terms is None else terms
        texts = [p.text for p in self.backend.documents.passages(passage_ids)]
        return features(
            query,
            lang,
            texts,
            self._similarity(self.embed_query(query, lang), lang, passage_ids),
            self.backend.lexical.scores(terms, passage_ids),
            self.backend.lexical.idf(terms) if idf is None else idf,
        )

    def distinct(self, hits: list[Hit], k: int) -> tuple[list[Hit], dict[str, Passage]]:
        """The first ``k`` of ``hits`` that read differently, and their passages: a text copied into several
        documents (syndicated news, two versions of one paragraph in a dataset) is shown once, where it ranks best.
        Passages are read ``k + SPARE`` at a time, further only where copies took the places."""
        kept: dict[str, tuple[Hit, Passage]] = {}
        for lo in range(0, len(hits), k + SPARE):
            if len(kept) == k:
                break
            chunk = hits[lo : lo + k + SPARE]
            for hit, passage in zip(chunk, self.backend.documents.passages([h.passage_id for h in chunk])):
                if len(kept) == k:
                    break
                kept.setdefault(reading(passage.text), (hit, passage))
        return [h for h, _ in kept.values()], {h.passage_id: p for h, p in kept.values()}

    def clear_cache(self) -> None:
        """Forget cached query embeddings (benchmarks measure cold queries with it)."""
        self.embed_query.cache_clear()

    def _concepts(self, query: str, lang: str) -> list[frozenset[str]]:
        """English questions, where translation is on: each term with its translations; else none (each term alone)."""
        dictionary = bilingual.load() if lang == "en" and self.config.translate_english else {}
        return bilingual.concepts(query, dictionary) if dictionary else []

    def _lexical(
        self, terms: list[str], concepts: list[frozenset[str]], depth: int, filters: Filters | None
    ) -> list[Hit]:
        if any(len(c) > 1 for c in concepts):
            return self.backend.lexical.search_concepts(concepts, depth, filters)
        return self.backend.lexical.search(terms, depth, filters)

    def _fuse(self, dense: list[Hit], lexical: list[Hit], lang: str, fusing: Fusing | None) -> list[Hit]:
        fusing = fusing or Fusing(self.config.fusion, dense_shares())
        share = fusing.dense_share.get(lang, 0.5)
        if fusing.fusion == "rrf":
            return rrf([dense, lexical], (share, 1 - share), self.config.rrf_k)
        return convex([dense, lexical], (share, 1 - share))

    def _encoder(self, lang: str) -> QueryEncoder:
        return self.query_encoders.get(lang, self.e5)

    def _embed_query(self, query: str, lang: str) -> np.ndarray:
        vector = self._encoder(lang).encode([query])[0]
        vector.setflags(write=False)  # shared through the cache
        return vector

    def _dense(self, vector: np.ndarray, lang: str, depth: int, filters: Filters | None) -> list[Hit]:
        """The dense run, its cosines on e5's scale whichever encoder made ``vector`` (see embed/queries.py)."""
        hits = self.backend.dense.search(vector, depth, filters)
        scores = self._encoder(lang).calibrated(np.array([h.score for h in hits]))
        return [Hit(h.passage_id, float(s)) for h, s in zip(hits, scores)]

    def _similarity(self, vector: np.ndarray, lang: str, passage_ids: list[str]) -> np.ndarray:
        return self._encoder(lang).calibrated(self.backend.dense.similarity(vector, passage_ids))
