"""The Milvus backend: the same protocols as the local one, over ``pymilvus``' ``MilvusClient``, so one code path
serves Milvus Lite (a file, in-process: laptops and CI), Milvus Standalone and a Milvus cluster (a URL).

Each build is a generation of three collections (passages with their vectors and BM25 terms, documents, the
terms' document frequencies), written whole and then named current in one row of a small ``meta`` collection:
readers never see half a build, and a failed build leaves the previous generation serving (as ``CURRENT`` does
for the local backend). Milvus Lite has no collection aliases, so the switch is that row, on every kind of server.

BM25 runs in Milvus, over the product's own tokens (``core.text.tokenize``: numbers normalised, stopwords
dropped) joined by spaces and split on whitespace by Milvus, with the local backend's k1 and b: the same scores.
Fusion, reranking and answers stay in the product, so both backends rank alike. ``pip install '.[milvus]'``."""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from functools import partial
from typing import Any, TypeVar

import numpy as np

from ..core.config import Settings
from ..core.schema import Document, Filters, Hit, Passage
from ..core.text import tokenize
from ..errors import IndexNotFoundError, IndexStoreError
from . import bm25
from .base import ChangeSet, IndexInfo, SearchBackend

log = logging.getLogger(__name__)

BATCH = 1000  # rows per insert: 5,000-row batches were pathological on Milvus Lite (72 s for 10k rows)
CHUNK = 15_000  # characters per stored piece of a document: VARCHAR holds 65,535 bytes, a character up to 4
MAX_TERM_BYTES = 512
CANDIDATES = 3  # English concept search: Milvus BM25 over all alternatives finds k x this, rescored here
CACHED = 100_000  # passage rows and document frequencies kept per generation
T = TypeVar("T")
PASSAGE_FIELDS = ["passage_id", "doc_id", "ordinal", "start", "end", "text"]
ROW_FIELDS = [*PASSAGE_FIELDS, "dense", "terms"]


class MilvusStore:
    """A connection and the names of this product's collections (all start with ``prefix``)."""

    def __init__(self, uri: str, prefix: str = "berita", timeout: float = 10.0):
        try:
            from pymilvus import MilvusClient
        except ImportError as exc:
            raise IndexStoreError("the milvus backend needs its extra: pip install '.[milvus]'") from exc
        os.environ.setdefault("RUST_LOG", "error")  # Milvus Lite's text index logs every commit otherwise
        self.uri, self.prefix, self.timeout = uri, prefix, timeout
        if "://" not in uri:
            try:
                os.makedirs(os.path.dirname(os.path.abspath(uri)), exist_ok=True)
            except OSError as exc:
                raise IndexStoreError(f"cannot create the folder of the Milvus Lite file {uri}: {exc}") from exc
        try:
            self.client = MilvusClient(uri=uri, timeout=timeout)
        except Exception as exc:  # pymilvus raises its own exceptions and grpc's alike
            hint = (
                "a Milvus Lite file is open in one process at a time: stop the server using it, or use a Milvus server"
                if "://" not in uri
                else "is the server running and reachable?"
            )
            raise IndexStoreError(f"cannot open Milvus at {uri}: {exc}; {hint}") from exc
        self.meta = f"{prefix}_meta"

    def call(self, what: str, fn: Callable[[], T], attempts: int = 3) -> T:
        """``fn`` (a read, or an idempotent write), retried on a transient failure; a clear error after."""
        from pymilvus.exceptions import MilvusException

        for attempt in range(attempts):
            try:
                return fn()
            except MilvusException as exc:
                if attempt + 1 == attempts or not _transient(exc):
                    raise IndexStoreError(f"Milvus at {self.uri}: {what} failed: {exc}") from exc
            except Exception as exc:  # grpc errors: the server went away or timed out
                if attempt + 1 == attempts:
                    raise IndexStoreError(f"Milvus at {self.uri}: {what} failed: {exc}") from exc
            time.sleep(0.2 * 2**attempt)
        raise AssertionError("unreachable")

    # ---- the meta collection: small JSON values by name ----------------------------------------------------
    def get(self, name: str) -> Any:
        if not self.client.has_collection(self.meta):
            return None
        rows = self.call("reading meta", lambda: self._query(self.meta, "name == {n}", {"n": name}, ["piece", "value"]))
        return json.loads(_join(rows)) if rows else None

    def put(self, name: str, value: Any) -> None:
        if not self.client.has_collection(self.meta):
            self._create_blobs(self.meta)
        rows = [{"pk": f"{name}#{n}", "name": name, "piece": n, "value": v} for n, v in _pieces(json.dumps(value))]
        # one upsert: the pieces of a value are replaced together (the values written here fit one piece)
        self.call("writing meta", lambda: self.client.upsert(self.meta, [_blob(r) for r in rows]))
        self.call("flushing meta", lambda: self.client.flush(self.meta))

    # ---- helpers ------------------------------------------------------------------------------------------
    def names(self, generation: str) -> tuple[str, str, str]:
        return (
            f"{self.prefix}_{generation}_passages",
            f"{self.prefix}_{generation}_documents",
            f"{self.prefix}_{generation}_vocab",
        )

    def _query(
        self, collection: str, expr: str, params: dict, fields: list[str], limit: int | None = None
    ) -> list[dict]:
        kwargs: dict[str, Any] = {"filter": expression(expr, params), "output_fields": fields}
        if limit is not None:
            kwargs["limit"] = limit
        return list(self.client.query(collection, **kwargs))

    def query(
        self, collection: str, expr: str, params: dict, fields: list[str], limit: int | None = None
    ) -> list[dict]:
        if any(isinstance(v, list) and not v for v in params.values()):
            return []  # "in []" matches nothing, and Milvus Lite fails on it instead
        return self.call(f"query on {collection}", lambda: self._query(collection, expr, params, fields, limit))

    def scan(self, collection: str, expr: str, fields: list[str]) -> Iterator[dict]:
        """Every row matching ``expr``, a batch at a time (a collection can be larger than one query returns)."""
        iterator = self.call(
            "scan", lambda: self.client.query_iterator(collection, batch_size=BATCH, filter=expr, output_fields=fields)
        )
        while True:
            rows = iterator.next()
            if not rows:
                iterator.close()
                return
            yield from rows

    def _create_blobs(self, name: str) -> None:
        from pymilvus import DataType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=2048)
        schema.add_field("name", DataType.VARCHAR, max_length=2048)
        schema.add_field("piece", DataType.INT64)
        schema.add_field("value", DataType.VARCHAR, max_length=65535)
        schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector in every collection
        index = self.client.prepare_index_params()
        index.add_index("v", index_type="FLAT", metric_type="L2")
        self.client.create_collection(name, schema=schema, index_params=index)


def open_milvus_backend(settings: Settings) -> SearchBackend:
    s = settings.storage
    store = MilvusStore(s.milvus_uri, s.milvus_prefix, s.milvus_timeout)
    current = store.get("current")
    if not current:
        raise IndexNotFoundError(
            f"no index in Milvus at {s.milvus_uri} (collections {s.milvus_prefix}_*); build one: "
            f"python -m berita index FOLDER --backend milvus --milvus-uri {s.milvus_uri}"
        )
    generation = Generation(store, current["generation"], current["info"])
    info = IndexInfo(**{**current["info"], "generation": current["generation"]})
    return SearchBackend(
        info,
        MilvusDocuments(generation),
        MilvusDense(generation),
        MilvusLexical(generation),
        lambda: (store.get("current") or {}).get("generation", ""),
    )


class Generation:
    """One committed generation: its collections, loaded, and the BM25 statistics written with it."""

    def __init__(self, store: MilvusStore, generation: str, info: dict):
        self.store = store
        self.passages, self.documents, self.vocab = store.names(generation)
        self.size = int(info["passages"])
        self.avg_terms = float(info.get("options", {}).get("avg_terms", 1.0)) or 1.0
        self.sources: list[str] = list(info.get("options", {}).get("sources", []))
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
        metric = {"dense": "IP", "sparse": "BM25"}[field]
        found = self.store.call(
            f"search on {self.passages}",
            lambda: self.store.client.search(
                self.passages,
                data=[data],
                anns_field=field,
                limit=max(1, min(k, 16_384)),  # Milvus caps a search's limit
                filter=expression(expr, values),
                search_params={"metric_type": metric},
                output_fields=list(fields),
            ),
        )
        hits = [(Hit(str(r["id"]), float(r["distance"])), dict(r.get("entity") or {})) for r in found[0]]
        return [h for h in hits if h[0].score > 0] if field == "sparse" else hits

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
            AnnSearchRequest([np.asarray(vector, np.float32).tolist()], "dense", {"metric_type": "IP"}, k),
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
        rows = self.g.store.query(self.g.documents, "name in {d}", {"d": list(doc_ids)}, ["name", "piece", "value"])
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


def expression(template: str, values: dict[str, Any]) -> str:
    """A Milvus filter with ``{name}`` replaced by ``values[name]`` as a literal: strings quoted and escaped,
    lists bracketed. (Milvus Lite 2.5 does not take ``filter_params``; ids with quotes must not break out.)"""

    def literal(value: Any) -> str:
        if isinstance(value, list | tuple):
            return "[" + ", ".join(literal(v) for v in value) + "]"
        if isinstance(value, str):
            return json.dumps(value, ensure_ascii=False)  # "..." with \" \\ and control characters escaped
        return str(int(value))

    return re.sub(r"\{(\w+)\}", lambda m: literal(values[m.group(1)]), template)


def _filter(filters: Filters | None) -> tuple[str, dict]:
    """The filters as a Milvus expression with parameters (values are never pasted into the expression)."""
    parts, values = [], {}
    if filters and filters.source:
        parts.append("source_key == {source}")
        values["source"] = filters.source.casefold()
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


def _pieces(text: str) -> list[tuple[int, str]]:
    return [(n, text[i : i + CHUNK]) for n, i in enumerate(range(0, max(len(text), 1), CHUNK))]


def _join(rows: list[dict]) -> str:
    return "".join(r["value"] for r in sorted(rows, key=lambda r: r["piece"]))


def _blob(row: dict) -> dict:
    return {**row, "v": [0.0, 0.0]}


def _transient(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(word in text for word in ("unavailable", "deadline", "timeout", "connection", "not ready"))


class MilvusWriter(ChangeSet):
    """Upserts and deletes on top of the current generation; ``commit`` writes a new generation and names it
    current in one row. Documents neither upserted nor deleted are copied from the current generation."""

    def __init__(self, settings: Settings):
        s = settings.storage
        self.store = MilvusStore(s.milvus_uri, s.milvus_prefix, s.milvus_timeout)
        current = self.store.get("current")
        self.previous: str | None = current["generation"] if current else None
        self.previous_info: dict = current["info"] if current else {}
        super().__init__()
        self._pending: dict[str, list[dict]] = {}

    def document_ids(self) -> set[str]:
        if not self.previous:
            return set()
        return {r["name"] for r in self.store.scan(self.store.names(self.previous)[1], "piece == 0", ["name"])}

    def known_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors the current generation holds for these keys (a key names the model, the runtime and the text)."""
        if not self.previous:
            return {}
        passages = self.store.names(self.previous)[0]
        out: dict[str, np.ndarray] = {}
        distinct = list(dict.fromkeys(keys))
        for i in range(0, len(distinct), BATCH):
            for row in self.store.query(passages, "key in {k}", {"k": distinct[i : i + BATCH]}, ["key", "dense"]):
                out[row["key"]] = np.asarray(row["dense"], dtype=np.float32)
        return out

    def commit(self, info: IndexInfo) -> str:
        generation = time.strftime("g%Y%m%d%H%M%S") + uuid.uuid4().hex[:6]
        names = self.store.names(generation)
        try:
            stats = self._write(names, info.dim)
            info = IndexInfo(
                info.model,
                info.dim,
                stats["documents"],
                stats["passages"],
                time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                options={"avg_terms": stats["avg_terms"], "sources": stats["sources"], "backend": "milvus"},
                runtime=info.runtime,
            )
            info_dict = {k: v for k, v in asdict(info).items() if k != "generation"}
            self.store.put("current", {"generation": generation, "info": info_dict})  # the switch
        except BaseException:
            for name in names:  # a failed build leaves nothing behind, and the previous generation serving
                try:
                    self.store.client.drop_collection(name)
                except Exception:  # noqa: BLE001 (best effort: the failure being raised matters more)
                    log.warning("could not drop %s after a failed build", name)
            raise
        self._drop_old(keep={generation, self.previous or ""})
        return generation

    def _write(self, names: tuple[str, str, str], dim: int) -> dict:
        passages_c, documents_c, vocab_c = names
        self._create_passages(passages_c, dim)
        self.store._create_blobs(documents_c)
        self._create_vocab(vocab_c)
        df: Counter[str] = Counter()
        totals = {"documents": 0, "passages": 0, "terms": 0}
        sources: set[str] = set()
        for doc, rows in self._all_documents():
            totals["documents"] += 1
            sources.update([doc.source] if doc.source else [])
            self._insert(
                documents_c,
                [
                    _blob({"pk": f"{doc.doc_id}#{n}", "name": doc.doc_id, "piece": n, "value": v})
                    for n, v in _pieces(json.dumps(asdict(doc)))
                ],
            )
            records = []
            for passage, key, vector, terms in rows:
                df.update(set(terms))
                totals["passages"] += 1
                totals["terms"] += len(terms)
                records.append(
                    {
                        "passage_id": passage.passage_id,
                        "doc_id": passage.doc_id,
                        "ordinal": passage.ordinal,
                        "start": passage.start,
                        "end": passage.end,
                        "text": passage.text,
                        "key": key,
                        "source_key": (doc.source or "").casefold(),
                        "date": (doc.date or "")[:10],
                        "terms": " ".join(terms),
                        "dense": np.asarray(vector, dtype=np.float32).tolist(),
                    }
                )
            self._insert(passages_c, records)
        vocab = [{"term": t, "df": n, "v": [0.0, 0.0]} for t, n in df.items() if len(t.encode()) <= MAX_TERM_BYTES]
        self._insert(vocab_c, vocab)
        self._flush()
        for name in names:
            self.store.call(f"flushing {name}", partial(self.store.client.flush, name))
        return {
            "documents": totals["documents"],
            "passages": totals["passages"],
            "avg_terms": totals["terms"] / max(totals["passages"], 1),
            "sources": sorted(sources, key=str.casefold),
        }

    def _all_documents(self) -> Iterator[tuple[Document, list[tuple[Passage, str, Any, list[str]]]]]:
        """The new generation's documents with their passages: those upserted, then those kept from before."""
        for doc_id, doc in self._documents.items():
            yield doc, [(p, k, v, tokenize(p.text)) for p, k, v in self._rows.get(doc_id, [])]
        if not self.previous:
            return
        old = Generation(self.store, self.previous, self.previous_info)
        documents = MilvusDocuments(old)
        for doc_id in sorted(self.document_ids() - set(self._documents) - self._deleted):
            kept = documents.document(doc_id)
            if kept is None:
                continue
            rows = old.rows("doc_id == {d}", {"d": doc_id}, [*PASSAGE_FIELDS, "key", "dense", "terms"])
            yield (
                doc,
                [
                    (_passage(r), r["key"], r["dense"], r["terms"].split())
                    for r in sorted(rows, key=lambda r: r["ordinal"])
                ],
            )

    def _insert(self, collection: str, rows: list[dict]) -> None:
        self._pending.setdefault(collection, []).extend(rows)
        if len(self._pending[collection]) >= BATCH:
            self._flush(collection)

    def _flush(self, only: str | None = None) -> None:
        for collection, rows in list(self._pending.items()):
            if only and collection != only:
                continue
            for i in range(0, len(rows), BATCH):
                batch = rows[i : i + BATCH]
                # an upsert by primary key: safe to retry if the first attempt reached the server
                self.store.call(
                    f"writing {collection}",
                    partial(self.store.client.upsert, collection, batch),
                )
            self._pending[collection] = []

    def _create_passages(self, name: str, dim: int) -> None:
        from pymilvus import DataType, Function, FunctionType

        client = self.store.client
        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        # ingest caps document ids at 200 characters (800 bytes), so ids always fit
        schema.add_field("passage_id", DataType.VARCHAR, is_primary=True, max_length=2048)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=2048)
        for field in ("ordinal", "start", "end"):
            schema.add_field(field, DataType.INT64)
        schema.add_field("text", DataType.VARCHAR, max_length=65535)
        schema.add_field("key", DataType.VARCHAR, max_length=64)
        schema.add_field("source_key", DataType.VARCHAR, max_length=1024)
        schema.add_field("date", DataType.VARCHAR, max_length=16)
        # the product's own tokens, split on spaces by Milvus: BM25 sees exactly what the local backend sees
        schema.add_field(
            "terms",
            DataType.VARCHAR,
            max_length=65535,
            enable_analyzer=True,
            analyzer_params={"tokenizer": "whitespace"},
        )
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_function(
            Function(
                name="bm25", function_type=FunctionType.BM25, input_field_names=["terms"], output_field_names=["sparse"]
            )
        )
        index = client.prepare_index_params()
        index.add_index(
            "dense", index_type="FLAT", metric_type="IP"
        )  # Lite: FLAT/IVF_FLAT; a cluster: HNSW (docs/scale-out.md)
        index.add_index(
            "sparse",
            index_type="SPARSE_INVERTED_INDEX",
            metric_type="BM25",
            params={"bm25_k1": bm25.K1, "bm25_b": bm25.B},
        )
        client.create_collection(name, schema=schema, index_params=index)

    def _create_vocab(self, name: str) -> None:
        from pymilvus import DataType

        client = self.store.client
        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("term", DataType.VARCHAR, is_primary=True, max_length=MAX_TERM_BYTES)
        schema.add_field("df", DataType.INT64)
        schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)
        index = client.prepare_index_params()
        index.add_index("v", index_type="FLAT", metric_type="L2")
        client.create_collection(name, schema=schema, index_params=index)

    def _drop_old(self, keep: set[str]) -> None:
        """Generations before the previous one: a reader that loaded the previous one may still be reading it."""
        prefix = f"{self.store.prefix}_"
        for name in self.store.client.list_collections():
            if name.startswith(prefix) and name != self.store.meta and name.split("_")[-2] not in keep:
                self.store.call(f"dropping {name}", partial(self.store.client.drop_collection, name))
