"""Files -> cleaned documents -> passages -> an index: readers, cleaning, chunking and the build."""

from .build import BuildReport, build, prepare
from .readers import RawArticle, read_articles

__all__ = ["BuildReport", "RawArticle", "build", "prepare", "read_articles"]
