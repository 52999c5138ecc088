"""Changes applied to the live collections of a generation (an API write, a small rebuild), with a journal.

Before a change touches a collection, the rows it will replace or remove (its before-image) are written to the
``meta`` collection as ``change-<generation>-<n>``; then passages and documents are upserted by primary key, the rows they no
longer have deleted, the terms' document frequencies adjusted, and ``current`` names change ``n``. The journal
serves twice: a change cut short (the writer died before ``current`` named it) is taken back from it when a writer
next opens the index, and ``undo`` takes back the last changes one by one. Milvus has no transactions: while a
change is being applied, a search may see some of its rows and not others (upserts first, so an article being
replaced is never missing)."""

from __future__ import annotations

import base64
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from .client import BATCH, MAX_TERM_BYTES, MilvusStore

log = logging.getLogger(__name__)
UNDO_DEPTH = 20  # changes that can be taken back one by one; older journals are dropped
PASSAGE_COLUMNS = ["passage_id", "doc_id", "ordinal", "start", "end", "text", "key", "source_key", "date", "terms"]


@dataclass
class Rows:
    """Documents' rows as the collections hold them: blob pieces of each document and its passages' rows."""

    documents: dict[str, list[dict]] = field(default_factory=dict)  # doc_id -> its pieces (piece -1: signature)
    passages: dict[str, list[dict]] = field(default_factory=dict)  # doc_id -> its passages' rows, with ``dense``

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "passages": {d: [_packed(r) for r in rows] for d, rows in self.passages.items()},
        }

    @classmethod
    def from_json(cls, value: Mapping) -> Rows:
        return cls(dict(value["documents"]), {d: [_unpacked(r) for r in rows] for d, rows in value["passages"].items()})


def read_rows(store: MilvusStore, generation: str, doc_ids: Sequence[str]) -> Rows:
    """The rows these documents have now (those that exist)."""
    passages_c, documents_c, _ = store.names(generation)
    out = Rows()
    for i in range(0, len(doc_ids), BATCH):
        ids = list(doc_ids[i : i + BATCH])
        for row in store.query(documents_c, "name in {d}", {"d": ids}, ["pk", "name", "piece", "value"]):
            out.documents.setdefault(row["name"], []).append(_blob_row(row))
        for row in store.query(passages_c, "doc_id in {d}", {"d": ids}, [*PASSAGE_COLUMNS, "dense"]):
            out.passages.setdefault(row["doc_id"], []).append(_passage_row(row))
    return out


def apply(store: MilvusStore, generation: str, before: Rows, after: Rows, touched: Iterable[str]) -> dict:
    """Make the ``touched`` documents what ``after`` holds (absent there: deleted), ``before`` being what they are
    now. Returns the change in counts: documents, passages and terms."""
    passages_c, documents_c, vocab_c = store.names(generation)
    touched = list(touched)
    new_passages = [r for d in touched for r in after.passages.get(d, [])]
    new_pieces = [r for d in touched for r in after.documents.get(d, [])]
    _upsert(store, passages_c, new_passages)
    _upsert(store, documents_c, new_pieces)
    kept = {r["passage_id"] for r in new_passages}
    stale = [r["passage_id"] for d in touched for r in before.passages.get(d, []) if r["passage_id"] not in kept]
    kept = {r["pk"] for r in new_pieces}
    stale_pieces = [r["pk"] for d in touched for r in before.documents.get(d, []) if r["pk"] not in kept]
    for collection, ids in ((passages_c, stale), (documents_c, stale_pieces)):
        for i in range(0, len(ids), BATCH):
            batch = ids[i : i + BATCH]
            store.call(f"deleting from {collection}", partial(store.client.delete, collection, ids=batch))
    old_terms = [r["terms"].split() for d in touched for r in before.passages.get(d, [])]
    new_terms = [r["terms"].split() for r in new_passages]
    _adjust_df(store, vocab_c, old_terms, new_terms)
    for name in (passages_c, documents_c, vocab_c):
        store.call(f"flushing {name}", partial(store.client.flush, name))
    return {
        "documents": sum(1 for d in touched if after.documents.get(d))
        - sum(1 for d in touched if before.documents.get(d)),
        "passages": len(new_terms) - len(old_terms),
        "terms": sum(map(len, new_terms)) - sum(map(len, old_terms)),
    }


def counted(info: dict, delta: dict, sources: Iterable[str]) -> dict:
    """``info`` (a generation's, as ``current`` holds it) after a change of ``delta`` adding ``sources``."""
    options = dict(info.get("options", {}))
    passages = int(info["passages"])
    terms = float(options.get("avg_terms", 1.0)) * passages + delta["terms"]
    options["avg_terms"] = terms / max(passages + delta["passages"], 1)
    # a source whose last article went stays listed (a filter on it finds nothing) until the next full build
    options["sources"] = sorted({*options.get("sources", []), *sources}, key=str.casefold)
    return {
        **info,
        "documents": int(info["documents"]) + delta["documents"],
        "passages": passages + delta["passages"],
        "options": options,
    }


def journal_name(generation: str, change: int) -> str:
    return f"{journal_prefix(generation)}{change}"


def journal_prefix(generation: str) -> str:
    return f"change-{generation}-"


def write_journal(store: MilvusStore, generation: str, change: int, before: Rows, touched: Sequence[str]) -> None:
    store.put(
        journal_name(generation, change),
        {"generation": generation, "touched": list(touched), "before": before.to_json()},
    )


def take_back(store: MilvusStore, generation: str, journal: Mapping, now: Rows | None = None) -> tuple[list[str], dict]:
    """Put the documents of ``journal`` back as they were before its change (``now``: their rows as they are, read
    here if not given); returns them and the change in counts (as ``apply``). ``current`` is left as it is."""
    touched = list(journal["touched"])
    now = read_rows(store, generation, touched) if now is None else now
    return touched, apply(store, generation, now, Rows.from_json(journal["before"]), touched)


def recover(store: MilvusStore) -> None:
    """A change cut short (journalled, never named in ``current``) is taken back: it was never acknowledged."""
    current = store.get("current")
    if not current:
        return
    generation, cut = current["generation"], int(current.get("change", 0)) + 1
    journal = store.get(journal_name(generation, cut))
    if journal is None:
        return
    touched, _ = take_back(store, generation, journal)
    store.drop(journal_name(generation, cut))
    log.warning("a change to %s cut short was taken back (%d documents)", generation, len(touched))


def _upsert(store: MilvusStore, collection: str, rows: list[dict]) -> None:
    for i in range(0, len(rows), BATCH):
        batch = rows[i : i + BATCH]  # by primary key: safe to retry
        store.call(f"writing {collection}", partial(store.client.upsert, collection, batch))


def _adjust_df(store: MilvusStore, vocab: str, old: list[list[str]], new: list[list[str]]) -> None:
    delta: Counter[str] = Counter()
    for terms in new:
        delta.update(set(terms))
    for terms in old:
        delta.subtract(set(terms))
    terms = [t for t, n in delta.items() if n and len(t.encode()) <= MAX_TERM_BYTES]
    now: dict[str, int] = {}
    for i in range(0, len(terms), BATCH):
        rows = store.query(vocab, "term in {t}", {"t": terms[i : i + BATCH]}, ["term", "df"])
        now.update((r["term"], int(r["df"])) for r in rows)
    counts = {t: now.get(t, 0) + delta[t] for t in terms}
    _upsert(store, vocab, [{"term": t, "df": n, "v": [0.0, 0.0]} for t, n in counts.items() if n > 0])
    gone = [t for t, n in counts.items() if n <= 0 and t in now]
    for i in range(0, len(gone), BATCH):
        store.call("deleting terms", partial(store.client.delete, vocab, ids=gone[i : i + BATCH]))


def _blob_row(row: dict) -> dict:
    return {"pk": row["pk"], "name": row["name"], "piece": int(row["piece"]), "value": row["value"], "v": [0.0, 0.0]}


def _passage_row(row: dict) -> dict:
    out = {c: row[c] for c in PASSAGE_COLUMNS}
    out.update({c: int(row[c]) for c in ("ordinal", "start", "end")})
    out["dense"] = [float(x) for x in row["dense"]]
    return out


def _packed(row: dict) -> dict:  # a vector as base64 float32 in the journal: a quarter of its JSON list
    return {**row, "dense": base64.b64encode(np.asarray(row["dense"], np.float32).tobytes()).decode()}


def _unpacked(row: dict) -> dict:
    return {**row, "dense": np.frombuffer(base64.b64decode(row["dense"]), np.float32).tolist()}
