"""Vector indexes behind one small interface, made by a factory (as txtai's ann factory does),
so another vector store can replace FAISS without touching the callers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .base import best_rows


class VectorIndex(Protocol):
    """Inner-product search over L2-normalised vectors (so scores are cosine similarities)."""

    backend: str
    exact: bool  # the index is the vectors themselves (stored once: an exact index is not saved apart)

    def __len__(self) -> int: ...

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each of shape (len(queries), k); ids of -1 pad missing hits."""
        ...

    def save(self, path: Path) -> None: ...


class FaissIndex:
    """Exact inner-product search (IndexFlatIP) up to ``exact_max`` vectors; beyond that an IVF index of 8-bit codes
    (a quarter of the vectors' bytes), whose ``nprobe`` was chosen from recall/latency measurements (bench/perf.py),
    and whose best ``k x REFINE`` are scored again exactly against ``vectors`` (the float vectors, memory-mapped
    from ``vectors.npy``: stored once, and only the rows a search rescores are read)."""

    backend = "faiss"
    REFINE = 4

    def __init__(self, index, vectors: np.ndarray | None = None):
        self._index = index
        self._vectors = vectors if self.kind == "IndexIVFScalarQuantizer" else None

    @classmethod
    def build(cls, vectors: np.ndarray, exact_max: int = 100_000, nprobe: int = 128) -> FaissIndex:
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = vectors.shape
        index: Any
        if n <= exact_max:
            index = faiss.IndexFlatIP(dim)
        else:
            nlist = int(np.sqrt(n))  # ~1,000 lists of ~1,000 vectors at a million
            index = faiss.IndexIVFScalarQuantizer(
                faiss.IndexFlatIP(dim), dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
            )
            sample = vectors[np.random.default_rng(0).choice(n, min(n, 64 * nlist), replace=False)]
            index.train(sample)
            index.nprobe = nprobe
        index.add(vectors)
        return cls(index, vectors)

    @classmethod
    def load(cls, path: Path, vectors: np.ndarray | None = None) -> FaissIndex:
        import faiss

        try:  # memory-mapped, so start-up does not read the whole index
            return cls(faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY), vectors)
        except RuntimeError:
            return cls(faiss.read_index(str(path)), vectors)

    @property
    def kind(self) -> str:
        return type(self._index).__name__

    @property
    def exact(self) -> bool:
        """A flat index: nothing but the vectors."""
        return self.kind.startswith("IndexFlat")

    def set_nprobe(self, nprobe: int) -> None:
        if hasattr(self._index, "nprobe"):
            self._index.nprobe = nprobe

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, len(self))
        if k == 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if self._vectors is None:
            return self._index.search(queries, k)
        _, found = self._index.search(queries, k * self.REFINE)
        scores = np.full((len(queries), k), -np.inf, np.float32)
        ids = np.full((len(queries), k), -1, np.int64)
        for n, (query, rows) in enumerate(zip(queries, found)):
            rows = np.sort(rows[rows >= 0])  # in file order: the memory-mapped rows are read with fewer seeks
            exact = np.asarray(self._vectors[rows] @ query, np.float32)
            best = np.argsort(-exact, kind="stable")[:k]
            scores[n, : len(best)], ids[n, : len(best)] = exact[best], rows[best]
        return scores, ids

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))


class NumpyIndex:
    """Exact search in plain numpy: the reference other backends are measured against."""

    backend = "numpy"
    exact = True

    def __init__(self, vectors: np.ndarray):
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    @classmethod
    def build(cls, vectors: np.ndarray, **_options) -> NumpyIndex:
        return cls(vectors)

    @classmethod
    def load(cls, path: Path, vectors: np.ndarray | None = None) -> NumpyIndex:
        return cls(np.load(path, mmap_mode="r"))

    def __len__(self) -> int:
        return len(self._vectors)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, len(self))
        scores = queries @ self._vectors.T
        ids = np.array([best_rows(row, k) for row in scores], dtype=np.int64).reshape(len(queries), k)
        return np.take_along_axis(scores, ids, axis=1), ids

    def save(self, path: Path) -> None:
        with open(path, "wb") as fh:
            np.save(fh, self._vectors)


BACKENDS: dict[str, Any] = {"faiss": FaissIndex, "numpy": NumpyIndex}


def _backend(name: str) -> Any:
    try:
        return BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown vector index backend {name!r}; known: {sorted(BACKENDS)}") from None


def build_index(vectors: np.ndarray, backend: str = "faiss", **options) -> VectorIndex:
    """``options`` go to the backend (faiss: ``exact_max``, ``nprobe``); backends ignore what they do not use."""
    return _backend(backend).build(vectors, **options)


def load_index(path: Path, backend: str = "faiss", vectors: np.ndarray | None = None) -> VectorIndex:
    """The index saved at ``path``, rescoring against ``vectors`` where it is approximate; where none was saved (an
    exact index is only the vectors, so it is not stored twice), exact search over ``vectors``."""
    if not path.exists() and vectors is not None:
        return NumpyIndex(vectors)
    return _backend(backend).load(path, vectors=vectors)
