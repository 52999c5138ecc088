"""Texts -> vectors: the Embedder protocol, the model registry, backends, stored embeddings, batch embedding."""

from .batch import Executor, LocalExecutor, embed_passages
from .cache import Checkpoints, embedding_key, read_vectors_file, vector_space, write_vectors_file
from .queries import QueryEncoder, load_query_encoder
from .registry import Embedder, ModelSpec, find_spec, load_embedder, read_registry

__all__ = [
    "Checkpoints",
    "Embedder",
    "Executor",
    "LocalExecutor",
    "ModelSpec",
    "QueryEncoder",
    "embed_passages",
    "embedding_key",
    "find_spec",
    "load_embedder",
    "load_query_encoder",
    "read_registry",
    "read_vectors_file",
    "vector_space",
    "write_vectors_file",
]
