"""``python -m search``: an alias of ``python -m berita search``, kept because tools rely on it."""
