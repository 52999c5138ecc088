"""``python -m web``: an alias of ``python -m berita serve``, kept because tools rely on it."""
