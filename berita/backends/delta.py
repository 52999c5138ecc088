"""The changes since a generation's full build, in SQLite (WAL, synchronous FULL) inside the generation's folder.

One row per changed document: its latest version with its passages, their embedding keys and vectors, or a
tombstone for a deletion. A change (one article, or a batch) is one transaction: it survives ``kill -9`` once
acknowledged, and a reader sees all of it or none. ``seq`` numbers the changes; the index's version is the
generation and the last ``seq``. SQLite is the storage engine here because it is durable, transactional, ships
with Python and lets readers read while one writer writes; the ranking structures are rebuilt from it in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..core.schema import Document, Passage
from ..errors import IndexCorruptError, IndexStoreError

FILE = "delta.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    doc_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    document TEXT,          -- JSON; NULL: deleted
    passages TEXT,          -- JSON [[passage_id, ordinal, start, end], ...]
    keys TEXT,              -- JSON [embedding key, ...]
    vectors BLOB            -- float32, one row per passage
);
CREATE INDEX IF NOT EXISTS changes_seq ON changes (seq);
"""


@dataclass
class Change:
    """A document's new version (its passages, keys and vectors), or its deletion (``document`` None)."""

    doc_id: str
    document: Document | None = None
    passages: list[Passage] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    vectors: np.ndarray | None = None


@dataclass
class Delta:
    """The changes as read at one ``seq``: the changed documents in the order of their last change."""

    seq: int = 0
    changes: dict[str, Change] = field(default_factory=dict)


@contextmanager
def _connect(path: Path, write: bool) -> Iterator[sqlite3.Connection]:
    try:
        with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as db:
            if write:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")  # a committed change is on disk before the write is answered
                db.executescript(SCHEMA)
            yield db
    except sqlite3.DatabaseError as exc:
        raise IndexCorruptError(f"the index's changes at {path} are unreadable ({exc}); rebuild the index") from exc
    except OSError as exc:
        raise IndexStoreError(f"cannot write the index's changes at {path}: {exc.strerror or exc}") from exc


def apply(folder: Path, changes: Sequence[Change]) -> int:
    """Write ``changes`` in one durable transaction; returns the new ``seq``."""
    with _connect(folder / FILE, write=True) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0] + 1
            db.executemany("INSERT OR REPLACE INTO changes VALUES (?, ?, ?, ?, ?, ?)", [_row(c, seq) for c in changes])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return int(seq)


def read(folder: Path) -> Delta:
    """The changes committed in ``folder`` (none where nothing was ever changed)."""
    path = folder / FILE
    if not path.exists():
        return Delta()
    with _connect(path, write=False) as db:
        rows = db.execute(
            "SELECT doc_id, seq, document, passages, keys, vectors FROM changes ORDER BY seq, rowid"
        ).fetchall()
    delta = Delta(seq=max((r[1] for r in rows), default=0))
    for doc_id, _, document, passages, keys, vectors in rows:
        delta.changes[doc_id] = _change(doc_id, document, passages, keys, vectors)
    return delta


def last_seq(folder: Path) -> int:
    """The last change's number, cheaply (the server asks every second)."""
    path = folder / FILE
    if not path.exists():
        return 0
    with _connect(path, write=False) as db:
        return int(db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0])


def _row(change: Change, seq: int) -> tuple:
    if change.document is None:
        return (change.doc_id, seq, None, None, None, None)
    spans = [[p.passage_id, p.ordinal, p.start, p.end] for p in change.passages]
    vectors = np.ascontiguousarray(change.vectors, dtype=np.float32)
    return (
        change.doc_id,
        seq,
        json.dumps(asdict(change.document), ensure_ascii=False),
        json.dumps(spans),
        json.dumps(change.keys),
        vectors.tobytes(),
    )


def _change(doc_id: str, document: str | None, passages: str | None, keys: str | None, vectors: bytes | None) -> Change:
    if document is None:
        return Change(doc_id)
    doc = Document(**json.loads(document))
    spans = json.loads(passages or "[]")
    rows = [
        Passage(passage_id=pid, doc_id=doc_id, ordinal=n, start=a, end=b, text=doc.text[a:b]) for pid, n, a, b in spans
    ]
    matrix = np.frombuffer(vectors or b"", dtype=np.float32)
    return Change(doc_id, doc, rows, json.loads(keys or "[]"), matrix.reshape(len(rows), -1) if rows else None)
