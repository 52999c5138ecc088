"""The writer: upserts and deletes gathered, then applied to the live collections (a small change with the same
model and vector index: ``change``) or written whole as a new generation of collections (their schema is here) and
named current in one row of ``meta``; generations older than the previous one are dropped."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import asdict
from functools import partial
from typing import Any

import numpy as np

from ...core.config import Settings
from ...core.schema import Document, Passage
from ...core.text import tokenize
from ...errors import NothingToUndoError
from .. import bm25
from ..base import ChangeSet, IndexInfo, signature
from . import change
from .client import BATCH, MAX_TERM_BYTES, MilvusStore, _blob, _pieces, vector_index
from .read import PASSAGE_FIELDS, Generation, MilvusDocuments, _passage, version_name

log = logging.getLogger(__name__)
IN_PLACE_MAX = 200  # documents one change may touch in place; a larger one writes a generation (restorable whole)


class MilvusWriter(ChangeSet):
    """Upserts and deletes on top of the current generation; ``commit`` writes a new generation and names it
    current in one row. Documents neither upserted nor deleted are copied from the current generation."""

    def __init__(self, settings: Settings):
        s = settings.storage
        self.index = vector_index(s)  # before connecting: an index Lite cannot build fails before any embedding
        self.store = MilvusStore(s.milvus_uri, s.milvus_prefix, s.milvus_timeout)
        change.recover(self.store)  # a change cut short by a crash is taken back before another starts
        current = self.store.get("current")
        self.current: dict = current or {}
        self.previous: str | None = current["generation"] if current else None
        self.previous_info: dict = current["info"] if current else {}
        super().__init__()
        self._pending: dict[str, list[dict]] = {}

    def document_ids(self) -> set[str]:
        return set(self._document_rows("piece == 0", ["name"])) if self.previous else set()

    def signatures(self, doc_ids: Collection[str] | None = None) -> dict[str, str]:
        """Each document's ``signature`` (piece -1 of its rows; "" where a generation written before has none)."""
        if not self.previous:
            return {}
        out = dict.fromkeys(self._document_rows("piece == 0", ["name"], doc_ids), "")
        out.update(
            (n, v) for n, v in self._document_rows("piece == -1", ["name", "value"], doc_ids).items() if n in out
        )
        return out

    def _document_rows(self, expr: str, fields: list[str], doc_ids: Collection[str] | None = None) -> dict[str, str]:
        """Name -> the last field asked for, of the documents' rows matching ``expr`` (of every document, or of
        ``doc_ids``). Names only for piece 0: its value is the document's text, not worth fetching here."""
        documents = self.store.names(str(self.previous))[1]
        if doc_ids is None:
            rows = list(self.store.scan(documents, expr, fields))
        else:
            ids, rows = list(doc_ids), []
            for i in range(0, len(ids), BATCH):
                rows += self.store.query(documents, f"name in {{n}} and {expr}", {"n": ids[i : i + BATCH]}, fields)
        return {r["name"]: r[fields[-1]] for r in rows}

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
        if self._fits_in_place(info):
            return self._commit_in_place()
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
                options={
                    "avg_terms": stats["avg_terms"],
                    "sources": stats["sources"],
                    "backend": "milvus",
                    "index": self._index_options(),
                },
                runtime=info.runtime,
            )
            info_dict = {k: v for k, v in asdict(info).items() if k != "generation"}
            current = self.store.get("current")
            self.store.put("current", {"generation": generation, "info": info_dict})  # the switch
            if current:
                self.store.put("previous", current)  # what rollback() restores; kept until the next build
        except BaseException:
            for name in names:  # a failed build leaves nothing behind, and the previous generation serving
                try:
                    self.store.client.drop_collection(name)
                except Exception:  # noqa: BLE001 (best effort: the failure being raised matters more)
                    log.warning("could not drop %s after a failed build", name)
            raise
        self._drop_old(keep={generation, self.previous or ""})
        return generation

    def _index_options(self) -> dict:
        return {"kind": self.index.kind, "build": self.index.build}

    def _fits_in_place(self, info: IndexInfo) -> bool:
        """Whether this change can be applied to the live collections: the same model, runtime and vector index as
        the generation's, at most ``IN_PLACE_MAX`` documents, and not a forced mass removal (``whole``)."""
        if self.whole or not self.previous:
            return False
        before = self.previous_info
        same = (before.get("model"), before.get("dim"), before.get("runtime", ""), before["options"].get("index")) == (
            info.model,
            info.dim,
            info.runtime,
            self._index_options(),
        )
        return same and len({*self._documents, *self._deleted}) <= IN_PLACE_MAX

    def _commit_in_place(self) -> str:
        generation, number = str(self.previous), int(self.current.get("change", 0))
        touched = [*self._documents, *sorted(self._deleted - set(self._documents))]
        if not touched:
            return version_name(generation, number)
        before = change.read_rows(self.store, generation, touched)
        after = change.Rows()
        for doc_id, doc in self._documents.items():
            rows = self._rows.get(doc_id, [])
            after.documents[doc_id] = _document_rows(doc, signature(doc, [k for _, k, _ in rows]))
            after.passages[doc_id] = [_passage_row(doc, p, k, v, tokenize(p.text)) for p, k, v in rows]
        number += 1
        change.write_journal(self.store, generation, number, before, touched)  # first: a crash is taken back
        delta = change.apply(self.store, generation, before, after, touched)
        sources = [d.source for d in self._documents.values() if d.source]
        info = change.counted(self.previous_info, delta, sources)
        undoable = [*self.current.get("undo", []), number][-change.UNDO_DEPTH :]
        self.store.put("current", {**self.current, "info": info, "change": number, "undo": undoable})  # the switch
        for old in set(self.current.get("undo", [])) - set(undoable):
            self.store.drop(change.journal_name(generation, old))
        return version_name(generation, number)

    def _write(self, names: tuple[str, str, str], dim: int) -> dict:
        passages_c, documents_c, vocab_c = names
        self._create_passages(passages_c, dim)
        self.store._create_blobs(documents_c)
        self._create_vocab(vocab_c)
        df: Counter[str] = Counter()
        totals = {"documents": 0, "passages": 0, "terms": 0}
        sources: set[str] = set()
        for doc, rows, sig in self._all_documents():
            totals["documents"] += 1
            sources.update([doc.source] if doc.source else [])
            self._insert(documents_c, _document_rows(doc, sig))
            records = []
            for passage, key, vector, terms in rows:
                df.update(set(terms))
                totals["passages"] += 1
                totals["terms"] += len(terms)
                records.append(_passage_row(doc, passage, key, vector, terms))
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

    def _all_documents(self) -> Iterator[tuple[Document, list[tuple[Passage, str, Any, list[str]]], str]]:
        """The new generation's documents with their passages and signatures: those upserted, then those kept."""
        for doc_id, doc in self._documents.items():
            rows = self._rows.get(doc_id, [])
            yield doc, [(p, k, v, tokenize(p.text)) for p, k, v in rows], signature(doc, [k for _, k, _ in rows])
        if not self.previous:
            return
        old = Generation(self.store, self.previous, self.previous_info)
        documents = MilvusDocuments(old)
        signatures = self.signatures()
        for doc_id in sorted(set(signatures) - set(self._documents) - self._deleted):
            kept = documents.document(doc_id)
            if kept is None:
                continue
            stored = old.rows("doc_id == {d}", {"d": doc_id}, [*PASSAGE_FIELDS, "key", "dense", "terms"])
            yield (
                kept,
                [
                    (_passage(r), r["key"], r["dense"], r["terms"].split())
                    for r in sorted(stored, key=lambda r: r["ordinal"])
                ],
                signatures[doc_id],
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
        # the type the settings name (milvus_index_type): FLAT unless a server should answer approximately
        index.add_index("dense", index_type=self.index.kind, metric_type="IP", params=self.index.build)
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
                self.store.drop_like(change.journal_prefix(name.split("_")[-2]))  # its changes' journals


def _document_rows(doc: Document, sig: str) -> list[dict]:
    """A document's rows: its JSON in pieces, and its signature as piece -1 (what decides whether it changed)."""
    rows = [
        {"pk": f"{doc.doc_id}#{n}", "name": doc.doc_id, "piece": n, "value": v}
        for n, v in _pieces(json.dumps(asdict(doc)))
    ]
    rows.append({"pk": f"{doc.doc_id}#signature", "name": doc.doc_id, "piece": -1, "value": sig})
    return [_blob(r) for r in rows]


def _passage_row(doc: Document, passage: Passage, key: str, vector: Any, terms: list[str]) -> dict:
    return {
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


def undo(settings: Settings) -> tuple[str, list[str] | None]:
    """Take back the last change applied in place (its documents return to what they were; the version now and
    them), one change after another; with none left, ``rollback`` to the generation before."""
    s = settings.storage
    store = MilvusStore(s.milvus_uri, s.milvus_prefix, s.milvus_timeout)
    change.recover(store)
    current = store.get("current") or {}
    undoable = list(current.get("undo", []))
    last = store.get(change.journal_name(current["generation"], undoable[-1])) if undoable else None
    if not last:
        return rollback(settings), None
    generation, number = current["generation"], int(current.get("change", 0)) + 1
    # the undo is a change too, journalled first: a crash during it is taken back
    now = change.read_rows(store, generation, last["touched"])
    change.write_journal(store, generation, number, now, last["touched"])
    touched, delta = change.take_back(store, generation, last, now)
    info = change.counted(current["info"], delta, [])
    store.put("current", {**current, "info": info, "change": number, "undo": undoable[:-1]})  # the switch
    for done in (undoable[-1], number):
        store.drop(change.journal_name(generation, done))
    return version_name(generation, number), touched


def rollback(settings: Settings) -> str:
    """Name the previous generation current again (and the current one previous); returns its name."""
    s = settings.storage
    store = MilvusStore(s.milvus_uri, s.milvus_prefix, s.milvus_timeout)
    current, previous = store.get("current"), store.get("previous")
    if not previous or previous["generation"] not in {n.split("_")[-2] for n in store.client.list_collections()}:
        raise NothingToUndoError(f"no previous version of the index in Milvus at {s.milvus_uri} to roll back to")
    store.put("current", previous)
    store.put("previous", current)
    return str(previous["generation"])
