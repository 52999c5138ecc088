"""The read side of a committed generation: the document store, the dense index and the lexical index."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

import numpy as np

from ...core.config import Settings
from ...core.schema import Document, Filters, Hit, Passage
from ...errors import IndexNotFoundError
from .. import bm25
from ..base import IndexInfo, SearchBackend
from .change import recover
from .client import MAX_TERM_BYTES, MilvusStore, _join, expression, is_lite, vector_index

CANDIDATES = 3  # English concept search: Milvus BM25 over all alternatives finds k x this, rescored here
CACHED = 100_000  # passage rows and document frequencies kept per generation
PASSAGE_FIELDS = ["passage_id", "doc_id", "ordinal", "start", "end", "text"]
ROW_FIELDS = [*PASSAGE_FIELDS, "dense", "terms"]


def open_milvus_backend(settings: Settings) -> SearchBackend:
    s = settings.storage
    search_params = vector_index(s).search  # before connecting: a setting Lite cannot serve fails first
    store = MilvusStore(s.milvus_uri, s.milvus_prefix, s.milvus_timeout)
    current = store.get("current")
    if not current:
        raise IndexNotFoundError(
            f"no index in Milvus at {s.milvus_uri} (collections {s.milvus_prefix}_*); build one: "
            f"python -m berita index FOLDER --backend milvus --milvus-uri {s.milvus_uri}"
        )
    if is_lite(s.milvus_uri):  # this process alone has the file: no writer is mid-change
        recover(store)
        current = store.get("current")
    generation = Generation(store, current["generation"], current["info"], search_params)
    info = IndexInfo(**{**current["info"], "generation": version_of(current)})
    return SearchBackend(
        info,
        MilvusDocuments(generation),
        MilvusDense(generation),
        MilvusLexical(generation),
        lambda: version_of(store.get("current") or {}),
    )


def version_name(generation: str, change: int) -> str:
    """A generation and the changes applied to it in place, as the local backend names its versions."""
    return f"{generation}+{change}" if change else generation


def version_of(current: dict) -> str:
    return version_name(current.get("generation", ""), int(current.get("change", 0)))


class Generation:
    """One committed generation: its collections, loaded, and the BM25 statistics written with it."""

    def __init__(self, store: MilvusStore, generation: str, info: dict, dense_params: dict[str, int] | None = None):
        self.store = store
        self.passages, self.documents, self.vocab = store.names(generation)
        self.size = int(info["passages"])
        self.avg_terms = float(info.get("options", {}).get("avg_terms", 1.0)) or 1.0
        self.sources: list[str] = list(info.get("options", {}).get("sources", []))
        self.dense_params = dict(dense_params or {})  # the vector index's search parameters (ef, nprobe)
        self._rows: dict[str, dict] = {}
        self._df: dict[str, int] = {}
        for name in (self.passages, self.documents, self.vocab):
            store.call(f"loading {name}", partial(store.client.load_collection, name))

    def rows(self, expr: str, params: dict, fields: list[str], limit: int | None = None) -> list[dict]:
        return self.store.query(self.passages, expr, params, fields, limit)

    def by_id(self, passage_ids: Sequence[str]) -> dict[str, dict]:
        """Whole rows (text, vector, terms) of these passages. A search asks for the same top passages three
        times (their text, their cosine, their BM25 scores): one round trip fetches them for all three, and a
        generation's rows never change, so they are kept (up to ``CACHED`` of them)."""
        missing = [i for i in dict.fromkeys(passage_ids) if i not in self._rows]
        if missing:
            if len(self._rows) + len(missing) > CACHED:
                self._rows.clear()
            self.keep(self.rows("passage_id in {ids}", {"ids": missing}, ROW_FIELDS))
        return {i: self._rows[i] for i in passage_ids if i in self._rows}

    def df(self, terms: Sequence[str]) -> dict[str, int]:
        """Document frequencies (kept: questions share their words)."""
        missing = [t for t in dict.fromkeys(terms) if t not in self._df and len(t.encode()) <= MAX_TERM_BYTES]
        if missing:
            if len(self._df) + len(missing) > CACHED:
                self._df.clear()
            rows = self.store.query(self.vocab, "term in {t}", {"t": missing}, ["term", "df"])
            self._df.update({t: 0 for t in missing})
            self._df.update({r["term"]: int(r["df"]) for r in rows})
        return {t: self._df.get(t, 0) for t in terms}

    def search(
        self, data: Any, field: str, k: int, filters: Filters | None, fields: Sequence[str] = ()
    ) -> list[tuple[Hit, dict]]:
        """The best ``k`` passages for a vector (``dense``) or a text of terms (``sparse``, BM25), with ``fields``."""
        expr, values = _filter(filters)
        limit = max(1, min(k, 16_384))  # Milvus caps a search's limit
        search_params = self.dense_search(limit) if field == "dense" else {"metric_type": "BM25"}
        found = self.store.call(
            f"search on {self.passages}",
            lambda: self.store.client.search(
                self.passages,
                data=[data],
                anns_field=field,
                limit=limit,
                filter=expression(expr, values),
                search_params=search_params,
                output_fields=list(fields),
            ),
        )
        hits = [(Hit(str(r["id"]), float(r["distance"])), dict(r.get("entity") or {})) for r in found[0]]
        return [h for h in hits if h[0].score > 0] if field == "sparse" else hits

    def dense_search(self, limit: int) -> dict[str, Any]:
        """How the dense index is searched for ``limit`` hits: inner product, and the index's own parameters."""
        if not self.dense_params:
            return {"metric_type": "IP"}
        params = dict(self.dense_params)
        if "ef" in params:
            params["ef"] = max(params["ef"], limit)  # HNSW cannot return more hits than its ef
        return {"metric_type": "IP", "params": params}

    def keep(self, rows: Iterable[dict]) -> None:
        """Rows fetched, for ``by_id`` to find without another round trip."""
        if len(self._rows) > CACHED:
            self._rows.clear()
        self._rows.update((r["passage_id"], r) for r in rows)

    def hybrid(self, vector: np.ndarray, terms: list[str], k: int) -> list[Hit]:
        """Milvus's own hybrid search (dense and BM25 fused by RRF in the server, one round trip). The product
        does not use it: it fuses by language and reranks itself, so that both backends rank alike. Measured
        beside it in bench/scale_out.py."""
        from pymilvus import AnnSearchRequest, RRFRanker

        requests = [
            AnnSearchRequest([np.asarray(vector, np.float32).tolist()], "dense", self.dense_search(k), k),
            AnnSearchRequest([" ".join(dict.fromkeys(terms)) or "-"], "sparse", {"metric_type": "BM25"}, k),
        ]
        found = self.store.call(
            "hybrid search", lambda: self.store.client.hybrid_search(self.passages, requests, RRFRanker(60), limit=k)
        )
        return [Hit(str(r["id"]), float(r["distance"])) for r in found[0]]


class MilvusDocuments:
    def __init__(self, generation: Generation):
        self.g = generation

    def document(self, doc_id: str) -> Document | None:
        return self.documents([doc_id]).get(doc_id)

    def documents(self, doc_ids: Sequence[str]) -> dict[str, Document]:
        rows = self.g.store.query(
            self.g.documents, "name in {d} and piece >= 0", {"d": list(doc_ids)}, ["name", "piece", "value"]
        )
        pieces: dict[str, list[dict]] = {}
        for row in rows:
            pieces.setdefault(row["name"], []).append(row)
        return {doc_id: Document(**json.loads(_join(found))) for doc_id, found in pieces.items()}

    def passages(self, passage_ids: Sequence[str]) -> list[Passage]:
        found = self.g.by_id(passage_ids)
        return [_passage(found[i]) for i in passage_ids]  # a KeyError for an unknown id, as the protocol says

    def passages_of(self, doc_id: str) -> list[Passage]:
        return sorted(self._passages("doc_id == {d}", {"d": doc_id}), key=lambda p: p.ordinal)

    def sources(self) -> list[str]:
        return list(self.g.sources)

    def sample(self, n: int) -> list[Passage]:
        return self._passages("ordinal >= 0", {}, limit=n)

    def recent(self, n: int) -> list[Document]:
        rows = self.g.store.query(self.g.passages, "ordinal == 0", {}, ["doc_id", "date"], limit=16_384)
        newest = [r["doc_id"] for r in sorted(rows, key=lambda r: r["date"] or "", reverse=True)[:n]]
        found = self.documents(newest)
        return [found[d] for d in newest if d in found]

    def _passages(self, expr: str, params: dict, limit: int | None = None) -> list[Passage]:
        return [_passage(r) for r in self.g.rows(expr, params, PASSAGE_FIELDS, limit)]


class MilvusDense:
    def __init__(self, generation: Generation):
        self.g = generation

    def hybrid(self, vector: np.ndarray, terms: list[str], k: int) -> list[Hit]:
        return self.g.hybrid(vector, terms, k)

    def search(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[Hit]:
        return [hit for hit, _ in self.g.search(np.asarray(vector, np.float32).tolist(), "dense", k, filters)]

    def similarity(self, vector: np.ndarray, passage_ids: Sequence[str]) -> np.ndarray:
        rows = self.g.by_id(passage_ids)
        return np.array([np.dot(rows[i]["dense"], vector) for i in passage_ids], dtype=np.float32)


class MilvusLexical:
    """BM25 by Milvus; where a score must be exact for given passages (the reranker's features, concepts with
    alternatives), it is computed here from the passages' stored terms and the generation's statistics."""

    def __init__(self, generation: Generation):
        self.g = generation

    def search(self, terms: list[str], k: int, filters: Filters | None = None) -> list[Hit]:
        distinct = list(dict.fromkeys(terms))  # each distinct term once, as the local BM25 counts them
        return [hit for hit, _ in self.g.search(" ".join(distinct), "sparse", k, filters)] if distinct else []

    def scores(self, terms: list[str], passage_ids: Sequence[str]) -> np.ndarray:
        rows = self.g.by_id(passage_ids)
        stored = {i: rows[i]["terms"].split() for i in passage_ids}
        concepts = [frozenset([t]) for t in dict.fromkeys(terms)]
        idf = self.idf(terms)
        return np.array([self._score(concepts, stored[i], idf) for i in passage_ids], dtype=np.float32)

    def search_concepts(self, concepts: list[frozenset[str]], k: int, filters: Filters | None = None) -> list[Hit]:
        """Each concept counts once, by its best alternative: Milvus finds candidates by every alternative (k x
        ``CANDIDATES`` of them), and they are scored here exactly as the local backend scores them."""
        words = sorted({w for c in concepts for w in c})
        if not words:
            return []
        found = self.g.search(" ".join(words), "sparse", max(k * CANDIDATES, 100), filters, ["terms"])
        idf = self.idf(words)
        scored = [Hit(hit.passage_id, self._score(concepts, row["terms"].split(), idf)) for hit, row in found]
        return sorted((h for h in scored if h.score > 0), key=lambda h: -h.score)[:k]

    def idf(self, terms: list[str]) -> dict[str, float]:
        return {t: float(bm25.idf(self.g.size, df)) for t, df in self.g.df(terms).items()}

    def _score(self, concepts: Iterable[Iterable[str]], tokens: list[str], idf: dict[str, float]) -> float:
        counts = Counter(tokens)
        length = len(tokens)

        def best(concept: Iterable[str]) -> float:
            found = [float(bm25.weight(idf[w], counts[w], length, self.g.avg_terms)) for w in concept if counts[w]]
            return max(found, default=0.0)

        return float(sum(best(c) for c in concepts))


def _filter(filters: Filters | None) -> tuple[str, dict]:
    """The filters as a Milvus expression with parameters (values are never pasted into the expression)."""
    parts: list[str] = []
    values: dict[str, str | list[str]] = {}
    if filters and filters.sources:
        parts.append("source_key in {sources}")
        values["sources"] = sorted(filters.folded_sources)
    if filters and (filters.date_from or filters.date_to):
        parts.append('date != ""')
        if filters.date_from:
            parts.append("date >= {date_from}")
            values["date_from"] = filters.date_from
        if filters.date_to:
            parts.append("date <= {date_to}")
            values["date_to"] = filters.date_to
    return " and ".join(parts), values


def _passage(row: dict) -> Passage:
    return Passage(
        passage_id=row["passage_id"],
        doc_id=row["doc_id"],
        ordinal=int(row["ordinal"]),
        start=int(row["start"]),
        end=int(row["end"]),
        text=row["text"],
    )
