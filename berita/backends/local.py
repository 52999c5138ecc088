"""The local backend: one directory per build ("generation") and a ``CURRENT`` file naming the live one.

A build writes a whole new generation beside the old one and then replaces ``CURRENT`` in one
``os.replace``, so a crash at any moment leaves either the old index or the new one, never half of each.
Vectors, the ANN index and BM25 are memory-mapped when a generation is read.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from ..core.schema import Document, Filters, Hit, Passage
from ..core.text import tokenize
from ..errors import IndexCorruptError, IndexNotFoundError, IndexStoreError
from .ann import VectorIndex, build_index, load_index
from .base import ChangeSet, IndexInfo, SearchBackend
from .bm25 import BM25
from .bm25 import FILES as BM25_FILES

FORMAT_VERSION = 2  # 2: BM25 saved with the generation; 1 (read too): BM25 rebuilt when loaded
CURRENT = "CURRENT"
PREVIOUS = "PREVIOUS"  # the generation before the current one, kept until the next build: what --rollback restores


@dataclass
class Manifest:
    model: str
    dim: int
    ann_backend: str
    documents: int
    passages: int
    built_at: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    chunking: dict = field(default_factory=dict)
    ann_options: dict = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    runtime: str = ""  # what computed the vectors (empty in indexes built before runtimes were recorded)


@dataclass
class LocalIndex:
    """One generation as read from disk. Rows are this backend's own business: callers use passage ids."""

    path: Path
    manifest: Manifest
    documents: dict[str, Document]
    passages: list[Passage]
    keys: list[str]  # per passage: hash of exactly what was embedded, so rebuilds can reuse vectors
    vectors: np.ndarray
    ann: VectorIndex
    bm25: BM25
    rows: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.rows = {p.passage_id: row for row, p in enumerate(self.passages)}
        self._passages_of: dict[str, list[Passage]] = {}
        for p in self.passages:
            self._passages_of.setdefault(p.doc_id, []).append(p)
        self._sources = sorted({d.source for d in self.documents.values() if d.source}, key=str.casefold)
        self.allowed = lru_cache(maxsize=64)(self._allowed)  # filters repeat across pages

    def backend(self) -> SearchBackend:
        m = self.manifest
        info = IndexInfo(
            m.model,
            m.dim,
            m.documents,
            m.passages,
            m.built_at,
            self.path.name,
            {"ann_backend": m.ann_backend, **m.ann_options},
            m.runtime,
        )
        index_dir = self.path.parent
        return SearchBackend(
            info, LocalDocuments(self), LocalDense(self), LocalLexical(self), lambda: current_generation(index_dir).name
        )

    def row_ids(self, passage_ids: Sequence[str]) -> list[int]:
        return [self.rows[p] for p in passage_ids]

    def hits(self, rows: Iterable[int], scores: Iterable[float]) -> list[Hit]:
        return [Hit(self.passages[int(r)].passage_id, float(s)) for r, s in zip(rows, scores)]

    def _allowed(self, filters: Filters) -> np.ndarray:
        docs = {doc_id for doc_id, doc in self.documents.items() if filters.accepts(doc)}
        mask = np.fromiter((p.doc_id in docs for p in self.passages), dtype=bool, count=len(self.passages))
        mask.setflags(write=False)  # shared through the cache
        return mask


class LocalDocuments:
    def __init__(self, index: LocalIndex):
        self._index = index

    def document(self, doc_id: str) -> Document | None:
        return self._index.documents.get(doc_id)

    def documents(self, doc_ids: Sequence[str]) -> dict[str, Document]:
        return {d: self._index.documents[d] for d in doc_ids if d in self._index.documents}

    def passages(self, passage_ids: Sequence[str]) -> list[Passage]:
        return [self._index.passages[row] for row in self._index.row_ids(passage_ids)]

    def passages_of(self, doc_id: str) -> list[Passage]:
        return list(self._index._passages_of.get(doc_id, []))

    def sources(self) -> list[str]:
        return list(self._index._sources)

    def sample(self, n: int) -> list[Passage]:
        rows = np.linspace(0, len(self._index.passages) - 1, num=min(n, len(self._index.passages)), dtype=int)
        return [self._index.passages[int(r)] for r in dict.fromkeys(rows)]


class LocalDense:
    def __init__(self, index: LocalIndex):
        self._index = index

    def search(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[Hit]:
        index = self._index
        allowed = index.allowed(filters) if filters else None
        # with filters, look deeper so that enough allowed passages remain
        fetch = k if allowed is None else min(len(index.passages), k * 20)
        scores, rows = index.ann.search(vector[None, :], fetch)
        kept = [(r, s) for r, s in zip(rows[0], scores[0]) if r >= 0 and (allowed is None or allowed[r])][:k]
        return index.hits((r for r, _ in kept), (s for _, s in kept))

    def similarity(self, vector: np.ndarray, passage_ids: Sequence[str]) -> np.ndarray:
        return self._index.vectors[self._index.row_ids(passage_ids)] @ vector


class LocalLexical:
    def __init__(self, index: LocalIndex):
        self._index = index

    def search(self, terms: list[str], k: int, filters: Filters | None = None) -> list[Hit]:
        index = self._index
        rows, scores = index.bm25.search(terms, k, index.allowed(filters) if filters else None)
        return index.hits(rows, scores)

    def scores(self, terms: list[str], passage_ids: Sequence[str]) -> np.ndarray:
        return self._index.bm25.scores(terms)[self._index.row_ids(passage_ids)]

    def search_concepts(self, concepts: list[frozenset[str]], k: int, filters: Filters | None = None) -> list[Hit]:
        index = self._index
        scores = index.bm25.concept_scores(concepts)
        rows, top = index.bm25.top(scores, k, index.allowed(filters) if filters else None)
        return index.hits(rows, top)

    def idf(self, terms: list[str]) -> dict[str, float]:
        return self._index.bm25.idf(terms)


def build_hint(index_dir: Path) -> str:
    return f"build one with: python -m indexer build seeds/ --index {index_dir}"


def current_generation(index_dir: Path) -> Path:
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        raise IndexNotFoundError(f"no index at {index_dir}; {build_hint(index_dir)}")
    generation = index_dir / pointer.read_text(encoding="utf-8").strip()
    if not generation.is_dir():
        raise IndexCorruptError(
            f"index at {index_dir} points to a missing build {generation.name!r}; rebuild it: {build_hint(index_dir)}"
        )
    return generation


def read_index(index_dir: Path, attempts: int = 3) -> LocalIndex:
    """The committed generation. A build that switches generations while this reads can remove what was being
    read; then ``CURRENT`` names a new one, and reading starts again (at most ``attempts`` times)."""
    for attempt in range(attempts):
        named = current_generation(index_dir)
        try:
            return _read_generation(index_dir, named)
        except IndexCorruptError:
            if attempt + 1 == attempts or current_generation(index_dir) == named:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def _read_generation(index_dir: Path, gen: Path) -> LocalIndex:
    try:
        manifest = Manifest(**json.loads((gen / "manifest.json").read_text(encoding="utf-8")))
        if manifest.format_version not in (1, FORMAT_VERSION):
            raise IndexCorruptError(
                f"index at {index_dir} has format {manifest.format_version}, this program reads "
                f"{FORMAT_VERSION}; rebuild it"
            )
        documents = {d.doc_id: d for d in (Document(**r) for r in _read_jsonl(gen / "documents.jsonl"))}
        passages = [
            Passage(
                passage_id=r["passage_id"],
                doc_id=r["doc_id"],
                ordinal=r["ordinal"],
                start=r["start"],
                end=r["end"],
                text=documents[r["doc_id"]].text[r["start"] : r["end"]],
            )
            for r in _read_jsonl(gen / "passages.jsonl")
        ]
        keys = (gen / "keys.txt").read_text(encoding="utf-8").split()
        vectors = np.load(gen / "vectors.npy", mmap_mode="r")
        ann = load_index(gen / "ann.index", manifest.ann_backend)
        bm25 = BM25.load(gen) if manifest.format_version >= 2 else BM25.fit([tokenize(p.text) for p in passages])
    except IndexStoreError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(
            f"index at {index_dir} is unreadable ({type(exc).__name__}: {exc}); {build_hint(index_dir)}"
        ) from exc
    counts = {len(passages), len(keys), len(vectors), len(ann), bm25.size}
    if counts != {manifest.passages} or len(documents) != manifest.documents or vectors.shape[1:] != (manifest.dim,):
        raise IndexCorruptError(
            f"index at {index_dir} is inconsistent (passages/vectors/manifest disagree); {build_hint(index_dir)}"
        )
    return LocalIndex(gen, manifest, documents, passages, keys, vectors, ann, bm25)


class LocalWriter(ChangeSet):
    """Upserts and deletes on top of the previous generation; ``commit`` writes them as a new generation."""

    def __init__(
        self,
        index_dir: Path,
        previous: LocalIndex | None = None,
        ann_backend: str = "faiss",
        ann_options: dict[str, Any] | None = None,
        chunking: dict[str, Any] | None = None,
    ):
        super().__init__()
        self.index_dir = index_dir
        self.ann_backend, self.ann_options, self.chunking = ann_backend, ann_options or {}, chunking or {}
        self._known: dict[str, np.ndarray] = {}
        if previous is not None:
            self._documents = dict(previous.documents)
            for passage, key, vector in zip(previous.passages, previous.keys, previous.vectors):
                self._rows.setdefault(passage.doc_id, []).append((passage, key, vector))
                self._known[key] = vector

    def document_ids(self) -> set[str]:
        return set(self._documents)

    def known_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        return {key: self._known[key] for key in keys if key in self._known}

    def commit(self, info: IndexInfo) -> str:
        documents = list(self._documents.values())
        rows = [row for doc in documents for row in self._rows.get(doc.doc_id, [])]
        vectors = np.stack([v for _, _, v in rows]).astype(np.float32, copy=False)
        manifest = Manifest(
            model=info.model,
            runtime=info.runtime,
            dim=int(vectors.shape[1]),
            ann_backend=self.ann_backend,
            documents=len(documents),
            passages=len(rows),
            chunking=self.chunking,
            ann_options=self.ann_options,
        )
        path = write_index(
            self.index_dir, manifest, documents, [p for p, _, _ in rows], [k for _, k, _ in rows], vectors
        )
        return path.name


def write_index(
    index_dir: Path,
    manifest: Manifest,
    documents: list[Document],
    passages: list[Passage],
    keys: list[str],
    vectors: np.ndarray,
) -> Path:
    """Write a new generation and make it current atomically; returns its directory. A failure (disk full, a
    read-only folder) is a clear error, and what was half-written is removed."""
    name = time.strftime("gen-%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:8]
    tmp = index_dir / f".tmp-{name}"
    before = _pointer(index_dir, CURRENT)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        _write_generation(tmp, manifest, documents, passages, keys, vectors)
        os.replace(tmp, index_dir / name)
        _point(index_dir, CURRENT, name)  # the commit point
        if before:
            _point(index_dir, PREVIOUS, before)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        for leftover in [*index_dir.glob(f".{CURRENT}.*"), *index_dir.glob(f".{PREVIOUS}.*")]:
            leftover.unlink(missing_ok=True)
        raise IndexStoreError(
            f"cannot write the index at {index_dir}: {exc.strerror or exc}; the existing index is left as it was"
        ) from exc
    _remove_stale(index_dir, keep={name, before or name})
    return index_dir / name


def rollback(index_dir: Path) -> str:
    """Make the previous generation current again (and the current one previous, so a second rollback undoes the
    first); returns its name."""
    with build_lock(index_dir):
        current, previous = _pointer(index_dir, CURRENT), _pointer(index_dir, PREVIOUS)
        if not previous or not (index_dir / previous).is_dir():
            raise IndexStoreError(f"no previous version of the index at {index_dir} to roll back to")
        try:
            _point(index_dir, CURRENT, previous)
            if current:
                _point(index_dir, PREVIOUS, current)
        except OSError as exc:
            raise IndexStoreError(f"cannot roll back the index at {index_dir}: {exc.strerror or exc}") from exc
        return previous


def _pointer(index_dir: Path, name: str) -> str | None:
    try:
        return (index_dir / name).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _point(index_dir: Path, pointer: str, generation: str) -> None:
    """``pointer`` (CURRENT or PREVIOUS) names ``generation``, replaced in one durable rename."""
    tmp = index_dir / f".{pointer}.{uuid.uuid4().hex[:8]}"
    _write_text(tmp, generation + "\n")
    os.replace(tmp, index_dir / pointer)
    _fsync_path(index_dir)


def _write_generation(
    tmp: Path,
    manifest: Manifest,
    documents: list[Document],
    passages: list[Passage],
    keys: list[str],
    vectors: np.ndarray,
) -> None:
    _write_jsonl(tmp / "documents.jsonl", (asdict(d) for d in documents))
    _write_jsonl(tmp / "passages.jsonl", ({k: v for k, v in asdict(p).items() if k != "text"} for p in passages))
    _write_text(tmp / "keys.txt", "\n".join(keys) + "\n")
    with open(tmp / "vectors.npy", "wb") as fh:
        np.save(fh, np.ascontiguousarray(vectors, dtype=np.float32))
        _sync(fh)
    build_index(vectors, manifest.ann_backend, **manifest.ann_options).save(tmp / "ann.index")
    BM25.fit([tokenize(p.text) for p in passages]).save(tmp)
    for name_ in ("ann.index", *BM25_FILES):
        _fsync_path(tmp / name_)
    _write_text(tmp / "manifest.json", json.dumps(asdict(manifest), indent=2))
    _fsync_path(tmp)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index directory; readers never need the lock."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        probe = index_dir / f".probe-{uuid.uuid4().hex[:8]}"  # the lock file may be writable in a read-only folder
        probe.touch()
        probe.unlink()
        fh = open(index_dir / ".lock", "a")  # noqa: SIM115 (closed below, after the build)
    except OSError as exc:
        raise IndexStoreError(
            f"cannot build in {index_dir}: {exc.strerror or exc}; the existing index is left as it was"
        ) from exc
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexStoreError(f"another build is running on {index_dir}") from None
        yield


def _remove_stale(index_dir: Path, keep: set[str]) -> None:
    # Generations before the previous one and leftovers of interrupted builds. A server that loaded an old
    # generation keeps its open files (mmap), so removing them under it is safe on POSIX.
    for entry in index_dir.iterdir():
        if entry.is_dir() and entry.name not in keep and entry.name.startswith(("gen-", ".tmp-")):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.is_file() and entry.name.startswith((f".{CURRENT}.", f".{PREVIOUS}.")):
            entry.unlink(missing_ok=True)


def _read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        _sync(fh)


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        _sync(fh)


def _sync(fh: TextIO | Any) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
