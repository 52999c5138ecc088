"""The embedding models this product knows, listed in ``models.txt`` (package data), and the protocol they share.

Every backend takes care of its own query/passage convention (E5's "query: " / "passage: " prefixes), so
callers only say which side a text is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ..core.config import packaged
from ..errors import ModelError


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


def default_registry() -> Path:
    return packaged("berita.embed", "models.txt")


def read_registry(path: Path | None = None) -> list[ModelSpec]:
    path = path or default_registry()
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


def load_embedder(name: str = "", registry_path: Path | None = None) -> Embedder:
    spec = find_spec(read_registry(registry_path), name)
    from .models import BACKENDS  # the backends import their libraries only when used

    try:
        factory = BACKENDS[spec.backend]
    except KeyError:
        raise ModelError(f"model {spec.name!r}: unknown backend {spec.backend!r}; known: {sorted(BACKENDS)}") from None
    return factory(spec)
