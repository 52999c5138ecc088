"""One root for every error the product raises on purpose, so a caller can catch them all at once."""

from __future__ import annotations


class BeritaError(Exception):
    """Something the user can act on: the message says what went wrong and what to do."""


class QueryError(BeritaError, ValueError):
    """A query the engine will not run: empty, too long, or with bad options. ``code`` and ``values`` let a page
    say it in its reader's language (``lang/labels.py``); the message is the API's English."""

    def __init__(self, message: str, code: str = "invalid", **values: object):
        super().__init__(message)
        self.code, self.values = code, values


class ModelError(BeritaError, RuntimeError):
    """A model or learned weights file that is unknown, not installed, or cannot be loaded."""


class IndexStoreError(BeritaError, RuntimeError):
    """An index that cannot be read or written."""


class IndexNotFoundError(IndexStoreError):
    pass


class IndexCorruptError(IndexStoreError):
    pass


class NothingToUndoError(IndexStoreError):
    """No change or earlier version is left to go back to."""


class ReadError(BeritaError, ValueError):
    """An input path that cannot be indexed (missing, or of an unsupported type)."""


class BuildError(BeritaError, RuntimeError):
    """A build that cannot go on; the existing index is left as it was."""


class ConfigError(BeritaError, ValueError):
    """A setting with a value of the wrong kind."""
