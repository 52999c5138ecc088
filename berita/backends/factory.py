"""Backends chosen by configuration (as txtai's ANN factory does): ``Settings.storage.backend``."""

from __future__ import annotations

from ..core.config import Settings
from ..errors import ConfigError
from . import local
from .base import IndexWriter, SearchBackend

BACKENDS = ("local",)


def open_backend(settings: Settings) -> SearchBackend:
    """The committed index that ``settings`` point to, ready to search."""
    _check(settings)
    return local.read_index(settings.storage.index_dir).backend()


def open_writer(settings: Settings, previous: local.LocalIndex | None = None) -> IndexWriter:
    """A writer whose changes start from ``previous`` (the current index, where the build could read it)."""
    _check(settings)
    s = settings.storage
    return local.LocalWriter(
        s.index_dir,
        previous,
        s.ann_backend,
        {"exact_max": s.ann_exact_max, "nprobe": s.ann_nprobe},
        {
            "max_chars": settings.ingest.chunk_max_chars,
            "min_chars": settings.ingest.chunk_min_chars,
            "overlap_sentences": settings.ingest.chunk_overlap_sentences,
        },
    )


def _check(settings: Settings) -> None:
    if settings.storage.backend not in BACKENDS:
        raise ConfigError(f"unknown storage backend {settings.storage.backend!r}; known: {', '.join(BACKENDS)}")
