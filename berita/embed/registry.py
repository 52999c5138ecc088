"""The embedding models this product knows, listed in ``models.txt`` (package data), and the protocol they share.

Every backend takes care of its own query/passage convention (E5's "query: " / "passage: " prefixes), so
callers only say which side a text is on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

from ..core.config import EmbeddingConfig, models_file
from ..errors import ModelError

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str  # the model: vectors of one model are comparable across runtimes only where checked to agree
    runtime: str  # what computed them, with the model file's hash where it has one ("ct2-int8:3f2a...")
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
    return models_file()


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
    """The model called ``name`` (or the default) in its preferred runtime."""
    return runtimes(registry, name)[0]


def runtimes(registry: list[ModelSpec], name: str = "", runtime: str = "") -> list[ModelSpec]:
    """The rows of the model called ``name`` (or the default), preferred runtime first, or just the row of
    ``runtime``. A name not in the registry is taken as a sentence-transformers model directory or hub name, so
    users can bring their own."""
    name = name or next(s.name for s in registry if s.default)
    rows = [s for s in registry if s.name == name] or [
        ModelSpec(name, "sentence-transformers", 0, "unknown", "-", name, False)
    ]
    if not runtime:
        return rows
    chosen = [s for s in rows if s.backend == runtime]
    if not chosen:
        raise ModelError(f"model {name!r} has no runtime {runtime!r}; known: {[s.backend for s in rows]}")
    return chosen


def load_embedder(name: str = "", registry_path: Path | None = None, config: EmbeddingConfig | None = None) -> Embedder:
    """The model in the first of its runtimes that loads (or in ``config.runtime`` only); a runtime that fails is
    reported once and the next one used."""
    config = config or EmbeddingConfig()
    from .models import BACKENDS  # the backends import their libraries only when used

    candidates = runtimes(read_registry(registry_path), name, config.runtime)
    for n, spec in enumerate(candidates):
        factory = BACKENDS.get(spec.backend)
        if factory is None:
            raise ModelError(f"model {spec.name!r}: unknown backend {spec.backend!r}; known: {sorted(BACKENDS)}")
        try:
            return factory(spec, config)
        except ModelError as exc:
            if n + 1 == len(candidates):
                raise
            _warn_once(
                f"{spec.name}: the {spec.backend} runtime is unavailable ({exc}); using {candidates[n + 1].backend}"
            )
    raise AssertionError("unreachable: a model has at least one row")


@cache
def _warn_once(message: str) -> None:
    log.warning("%s", message)
