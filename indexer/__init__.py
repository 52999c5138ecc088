"""``python -m indexer build``: an alias of ``python -m berita index``, kept because tools rely on it."""
