"""Backends chosen by configuration (as txtai's ANN factory does): ``Settings.storage.backend``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from ..core.config import Settings
from ..errors import ConfigError, IndexNotFoundError, IndexStoreError
from . import local
from .base import IndexWriter, SearchBackend

log = logging.getLogger(__name__)
BACKENDS = ("local", "milvus")


def open_backend(settings: Settings) -> SearchBackend:
    """The committed index that ``settings`` point to, ready to search."""
    _check(settings)
    if settings.storage.backend == "milvus":
        from .milvus import open_milvus_backend  # pymilvus is an extra: imported only when chosen

        return open_milvus_backend(settings)
    return local.read_index(settings.storage.index_dir).backend()


@contextmanager
def open_writer(settings: Settings) -> Iterator[IndexWriter]:
    """A writer whose changes start from the current index, holding the build lock while it is open."""
    _check(settings)
    s = settings.storage
    if s.backend == "milvus":
        from .milvus import MilvusWriter

        yield MilvusWriter(settings)  # Milvus Lite admits one process; on a server, one build at a time by use
        return
    with local.build_lock(s.index_dir):
        yield local.LocalWriter(
            s.index_dir,
            _previous_index(settings),
            s.ann_backend,
            {"exact_max": s.ann_exact_max, "nprobe": s.ann_nprobe},
            {
                "max_chars": settings.ingest.chunk_max_chars,
                "min_chars": settings.ingest.chunk_min_chars,
                "overlap_sentences": settings.ingest.chunk_overlap_sentences,
            },
            s.compact_share,
        )


def rollback(settings: Settings) -> str:
    """Make the index's previous version (the one before the last build) current again; returns its name."""
    _check(settings)
    if settings.storage.backend == "milvus":
        from .milvus import rollback as milvus_rollback

        return milvus_rollback(settings)
    return local.rollback(settings.storage.index_dir)


def undo(settings: Settings) -> tuple[str, list[str] | None]:
    """Take back the index's last change (the version now, and the documents restored where known): one change
    after another, back to the last full build. On Milvus, past the last change applied in place (or after a change
    that wrote a generation) this is ``rollback`` to the generation before, and the documents are not known."""
    _check(settings)
    if settings.storage.backend == "milvus":
        from .milvus import undo as milvus_undo

        return milvus_undo(settings)
    return local.undo(settings.storage.index_dir)


def _previous_index(settings: Settings) -> local.LocalIndex | None:
    try:
        return local.read_index(settings.storage.index_dir)
    except IndexNotFoundError:
        return None
    except IndexStoreError as exc:
        log.warning("warning: the existing index cannot be reused (%s); embedding everything afresh", exc)
        return None


def _check(settings: Settings) -> None:
    if settings.storage.backend not in BACKENDS:
        raise ConfigError(f"unknown storage backend {settings.storage.backend!r}; known: {', '.join(BACKENDS)}")
