"""Where indexes live: protocols for a document store, a dense and a lexical index and a writer; the local
implementation (generations + ``CURRENT``, FAISS/numpy, BM25 memory-mapped); a factory chosen by configuration."""

from .base import DenseIndex, DocumentStore, IndexInfo, IndexWriter, LexicalIndex, SearchBackend
from .factory import open_backend, open_writer, rollback, undo
from .local import LocalIndex, build_lock, current_generation, read_index

__all__ = [
    "DenseIndex",
    "DocumentStore",
    "IndexInfo",
    "IndexWriter",
    "LexicalIndex",
    "LocalIndex",
    "SearchBackend",
    "build_lock",
    "current_generation",
    "open_backend",
    "open_writer",
    "read_index",
    "rollback",
    "undo",
]
