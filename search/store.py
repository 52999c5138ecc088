"""The index on disk: one directory per build ("generation") and a ``CURRENT`` file naming the live one.

A build writes a whole new generation beside the old one and then replaces ``CURRENT`` in one
``os.replace``, so a crash at any moment leaves either the old index or the new one, never half of each.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from .ann import VectorIndex, build_index, load_index
from .types import Document, Passage

FORMAT_VERSION = 1
CURRENT = "CURRENT"


class IndexStoreError(RuntimeError):
    pass


class IndexNotFoundError(IndexStoreError):
    pass


class IndexCorruptError(IndexStoreError):
    pass


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


@dataclass
class StoredIndex:
    path: Path
    manifest: Manifest
    documents: dict[str, Document]
    passages: list[Passage]
    keys: list[str]  # per passage: hash of exactly what was embedded, so rebuilds can reuse vectors
    vectors: np.ndarray
    ann: VectorIndex


def build_hint(index_dir: Path) -> str:
    return f"build one with: python -m indexer build seeds/ --index {index_dir}"


def current_generation(index_dir: Path) -> Path:
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        raise IndexNotFoundError(f"no index at {index_dir}; {build_hint(index_dir)}")
    generation = index_dir / pointer.read_text(encoding="utf-8").strip()
    if not generation.is_dir():
        raise IndexCorruptError(f"index at {index_dir} points to a missing build {generation.name!r}; rebuild it: {build_hint(index_dir)}")
    return generation


def read_index(index_dir: Path) -> StoredIndex:
    gen = current_generation(index_dir)
    try:
        manifest = Manifest(**json.loads((gen / "manifest.json").read_text(encoding="utf-8")))
        if manifest.format_version != FORMAT_VERSION:
            raise IndexCorruptError(f"index at {index_dir} has format {manifest.format_version}, this program reads {FORMAT_VERSION}; rebuild it")
        documents = {d.doc_id: d for d in map(lambda r: Document(**r), _read_jsonl(gen / "documents.jsonl"))}
        passages = [
            Passage(passage_id=r["passage_id"], doc_id=r["doc_id"], ordinal=r["ordinal"], start=r["start"], end=r["end"],
                    text=documents[r["doc_id"]].text[r["start"]:r["end"]])
            for r in _read_jsonl(gen / "passages.jsonl")
        ]
        keys = (gen / "keys.txt").read_text(encoding="utf-8").split()
        vectors = np.load(gen / "vectors.npy", mmap_mode="r")
        ann = load_index(gen / "ann.index", manifest.ann_backend)
    except IndexStoreError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"index at {index_dir} is unreadable ({type(exc).__name__}: {exc}); {build_hint(index_dir)}") from exc
    counts = {len(passages), len(keys), len(vectors), len(ann)}
    if counts != {manifest.passages} or len(documents) != manifest.documents or vectors.shape[1:] != (manifest.dim,):
        raise IndexCorruptError(f"index at {index_dir} is inconsistent (passages/vectors/manifest disagree); {build_hint(index_dir)}")
    return StoredIndex(gen, manifest, documents, passages, keys, vectors, ann)


def write_index(index_dir: Path, manifest: Manifest, documents: list[Document], passages: list[Passage],
                keys: list[str], vectors: np.ndarray) -> Path:
    """Write a new generation and make it current atomically; returns its directory."""
    index_dir.mkdir(parents=True, exist_ok=True)
    name = time.strftime("gen-%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:8]
    tmp = index_dir / f".tmp-{name}"
    tmp.mkdir()
    _write_jsonl(tmp / "documents.jsonl", (asdict(d) for d in documents))
    _write_jsonl(tmp / "passages.jsonl", ({k: v for k, v in asdict(p).items() if k != "text"} for p in passages))
    _write_text(tmp / "keys.txt", "\n".join(keys) + "\n")
    with open(tmp / "vectors.npy", "wb") as fh:
        np.save(fh, np.ascontiguousarray(vectors, dtype=np.float32))
        _sync(fh)
    build_index(vectors, manifest.ann_backend, **manifest.ann_options).save(tmp / "ann.index")
    _fsync_path(tmp / "ann.index")
    _write_text(tmp / "manifest.json", json.dumps(asdict(manifest), indent=2))
    _fsync_path(tmp)
    os.replace(tmp, index_dir / name)
    pointer_tmp = index_dir / f".{CURRENT}.{uuid.uuid4().hex[:8]}"
    _write_text(pointer_tmp, name + "\n")
    os.replace(pointer_tmp, index_dir / CURRENT)  # the commit point
    _fsync_path(index_dir)
    _remove_stale(index_dir, keep=name)
    return index_dir / name


class Checkpoints:
    """Embeddings of a build in progress, saved as it goes, so that an interrupted build resumes where it
    stopped instead of embedding everything again. Cleared once a build has been committed."""

    def __init__(self, index_dir: Path, model: str):
        self.dir = index_dir / ".partial"
        self.model = model

    def load(self) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for file in sorted(self.dir.glob("*.npz")):
            try:
                found.update(read_vectors_file(file, self.model))
            except IndexStoreError:
                continue  # unreadable: it is only a cache
        return found

    def save(self, keys: list[str], vectors: np.ndarray) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        write_vectors_file(self.dir / f"{uuid.uuid4().hex}.npz", self.model, keys, vectors)

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def write_vectors_file(path: Path, model: str, keys: list[str], vectors: np.ndarray) -> None:
    """Embeddings by embedding key, for reuse by later builds; written atomically."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "wb") as fh:
        np.savez_compressed(fh, keys=np.array(keys), vectors=vectors, model=np.array(model))
    os.replace(tmp, path)


def read_vectors_file(path: Path, model: str) -> dict[str, np.ndarray]:
    """The embeddings in a file from ``write_vectors_file``; empty when they come from another model."""
    try:
        with np.load(path) as data:
            if str(data["model"]) != model:
                return {}
            vectors = data["vectors"].astype(np.float32)
            return dict(zip(data["keys"].tolist(), vectors))
    except (OSError, ValueError, KeyError, EOFError) as exc:
        raise IndexStoreError(f"cannot read embeddings from {path}: {exc}") from exc


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index directory; readers never need the lock."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexStoreError(f"another build is running on {index_dir}") from None
        yield


def _remove_stale(index_dir: Path, keep: str) -> None:
    # Older generations and leftovers of interrupted builds. A server that loaded an old generation
    # keeps its open files (mmap), so removing them under it is safe on POSIX.
    for entry in index_dir.iterdir():
        if entry.is_dir() and entry.name != keep and (entry.name.startswith("gen-") or entry.name.startswith(".tmp-")):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.is_file() and entry.name.startswith(f".{CURRENT}."):
            entry.unlink(missing_ok=True)


def _read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        _sync(fh)


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        _sync(fh)


def _sync(fh) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
