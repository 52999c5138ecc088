"""Query language: Indonesian or English.

langdetect is seeded (it is random otherwise) and only trusted on longer text; short queries and
names are decided by function words, and Malay is read as Indonesian (langdetect confuses the two).
"""

from __future__ import annotations

import re

from langdetect import DetectorFactory, detect_langs
from langdetect.detector_factory import init_factory
from langdetect.lang_detect_exception import LangDetectException

from .id.lexicon import STOPWORDS

DetectorFactory.seed = 0
SUPPORTED = ("id", "en")
DEFAULT = "id"  # the corpus language: the safer guess when nothing tells
_INDONESIAN_LIKE = {"id", "ms", "jw", "su", "tl"}


def detect_language(text: str) -> str:
    words = re.findall(r"[^\W\d_]+", text.lower())
    votes = {lang: sum(w in STOPWORDS[lang] for w in words) for lang in SUPPORTED}
    if votes["id"] != votes["en"] and (len(words) < 6 or abs(votes["id"] - votes["en"]) >= 2):
        return max(votes, key=votes.__getitem__)
    if len(words) < 3:
        return DEFAULT
    try:
        guesses = detect_langs(text)
    except LangDetectException:
        return DEFAULT
    p_en = sum(g.prob for g in guesses if g.lang == "en")
    p_id = sum(g.prob for g in guesses if g.lang in _INDONESIAN_LIKE)
    return "en" if p_en > p_id else "id"


def warm_up() -> None:
    """Load langdetect's language profiles now (about a second) rather than in the first query."""
    init_factory()
