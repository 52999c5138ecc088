"""Language knowledge, in one place: which language a query is in (``detect``), and what the product knows of
Indonesian news (``id/``: lexicon, question kinds, value patterns, office titles, the English-Indonesian dictionary,
the English rendering of values, news boilerplate). ``core`` stays generic."""

from .detect import SUPPORTED, detect_language, warm_up

__all__ = ["SUPPORTED", "detect_language", "warm_up"]
