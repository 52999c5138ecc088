"""The changes since a generation's full build, in SQLite (WAL, synchronous FULL) inside the generation's folder.

One row per changed document: its latest version with its passages, their embedding keys and vectors, or a
tombstone for a deletion. A change (one article, or a batch) is one transaction: it survives ``kill -9`` once
acknowledged, and a reader sees all of it or none. ``seq`` numbers the changes; the index's version is the
generation and the last ``seq``. Each change also keeps what its documents were before (``undo``), so the last
changes can be taken back one at a time (a bad batch from an app), each undo being a change of its own. SQLite is
the storage engine here because it is durable, transactional, ships with Python and lets readers read while one
writer writes; the ranking structures are rebuilt from it in memory.
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
CREATE TABLE IF NOT EXISTS undo (
    seq INTEGER NOT NULL,   -- the change these rows take back
    doc_id TEXT NOT NULL,
    had INTEGER NOT NULL,   -- 1: the document's changes row before it (the columns below); 0: none, the build's
    document TEXT,
    passages TEXT,
    keys TEXT,
    vectors BLOB,
    PRIMARY KEY (seq, doc_id)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
COLUMNS = "document, passages, keys, vectors"


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
    """Write ``changes`` in one durable transaction; returns the new ``seq`` (the same one where there are none)."""
    if not changes:
        return last_seq(folder)
    with _connect(folder / FILE, write=True) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            seq = _seq(db) + 1
            for doc_id in dict.fromkeys(c.doc_id for c in changes):
                before = db.execute(f"SELECT {COLUMNS} FROM changes WHERE doc_id = ?", (doc_id,)).fetchone()
                db.execute(
                    "INSERT OR REPLACE INTO undo VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (seq, doc_id, before is not None, *(before or (None,) * 4)),
                )
            db.executemany("INSERT OR REPLACE INTO changes VALUES (?, ?, ?, ?, ?, ?)", [_row(c, seq) for c in changes])
            _set_seq(db, seq)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return int(seq)


def undo(folder: Path) -> tuple[int, list[str]] | None:
    """Take back the last change not yet taken back: its documents return to what they were before it, in one
    durable transaction that is a change of its own. Returns the new ``seq`` and those documents; ``None`` when no
    change since the generation's build is left to take back."""
    path = folder / FILE
    if not path.exists():
        return None
    with _connect(path, write=True) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            last = db.execute("SELECT MAX(seq) FROM undo").fetchone()[0]
            if last is None:
                db.execute("ROLLBACK")
                return None
            seq = _seq(db) + 1
            rows = db.execute(
                f"SELECT doc_id, had, {COLUMNS} FROM undo WHERE seq = ? ORDER BY rowid", (last,)
            ).fetchall()
            for doc_id, had, *before in rows:
                if had:
                    db.execute("INSERT OR REPLACE INTO changes VALUES (?, ?, ?, ?, ?, ?)", (doc_id, seq, *before))
                else:
                    db.execute("DELETE FROM changes WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM undo WHERE seq = ?", (last,))
            _set_seq(db, seq)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return seq, [r[0] for r in rows]


def _seq(db: sqlite3.Connection) -> int:
    """The last change's number: the newest row's, or the last undo's (which may have removed every row)."""
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0]
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone():
        seq = max(seq, db.execute("SELECT COALESCE(MAX(value), 0) FROM meta WHERE key = 'seq'").fetchone()[0])
    return int(seq)


def _set_seq(db: sqlite3.Connection, seq: int) -> None:
    db.execute("INSERT OR REPLACE INTO meta VALUES ('seq', ?)", (seq,))


def read(folder: Path, since: Delta | None = None) -> Delta:
    """The changes committed in ``folder`` (none where nothing was ever changed). Given ``since``, the same read
    earlier, only the rows changed after it are read and parsed (a write costs its own rows, not all the changes)."""
    path = folder / FILE
    if not path.exists():
        return Delta()
    after = since.seq if since else 0
    with _connect(path, write=False) as db:
        db.execute("BEGIN")  # one snapshot for the three reads
        rows = db.execute(
            f"SELECT doc_id, seq, {COLUMNS} FROM changes WHERE seq > ? ORDER BY seq, rowid", (after,)
        ).fetchall()
        seq = _seq(db)
        count = db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] if since else 0
        db.execute("COMMIT")
    changes = dict(since.changes) if since else {}
    for doc_id, _, document, parts, keys, vectors in rows:
        changes.pop(doc_id, None)  # to the end: the order of their last change
        changes[doc_id] = _change(doc_id, document, parts, keys, vectors)
    if since and len(changes) != count:  # an undo removed rows since ``since``: read them all
        return read(folder)
    return Delta(seq, changes)


def last_seq(folder: Path) -> int:
    """The last change's number, cheaply (the server asks every second)."""
    path = folder / FILE
    if not path.exists():
        return 0
    with _connect(path, write=False) as db:
        return _seq(db)


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
