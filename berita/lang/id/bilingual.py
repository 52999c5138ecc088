"""English -> Indonesian word translations for the lexical side of English questions, from Debian's
``dict-freedict-eng-ind`` (FreeDict/WikDict, CC BY-SA 3.0; ``make`` installs it as it installs the browser).

An English query word becomes a *concept*: the word itself (names and numbers stay as they are) and every
Indonesian translation the dictionary gives; BM25 scores a concept by its best-matching alternative, so that
a word with many translations does not count many times (structured query translation)."""

from __future__ import annotations

import gzip
import logging
import re
from functools import lru_cache
from pathlib import Path

from ...core.text import tokenize

log = logging.getLogger(__name__)

DICTIONARY = Path("/usr/share/dictd/freedict-eng-ind")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _number(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 64 + _B64.index(ch)
    return value


@lru_cache(maxsize=4)
def load(base: Path = DICTIONARY) -> dict[str, frozenset[str]]:
    """English headword -> Indonesian BM25 terms; empty (said once) when the dictionary is not installed."""
    try:
        data = gzip.open(base.with_name(base.name + ".dict.dz")).read()
        index = base.with_name(base.name + ".index").read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        log.warning(
            "no English-Indonesian dictionary (%s): English questions use the dense side only for "
            "translation; install Debian's dict-freedict-eng-ind",
            exc,
        )
        return {}
    out: dict[str, set[str]] = {}
    for line in index:
        head, offset, length = line.split("\t")
        if head.startswith("00database"):
            continue
        entry = data[_number(offset) : _number(offset) + _number(length)].decode("utf-8").split("\n")
        terms = out.setdefault(head.lower(), set())
        for n, text in enumerate(entry[1:]):
            numbered = re.match(r"\s*\d+\.\s*(.*)$", text)
            if numbered or n == 0:  # translations open an entry or follow a sense number; the rest are glosses
                text = re.sub(r"\s+\d+\.$", "", numbered.group(1) if numbered else text)
                terms.update(tokenize(text, "id"))
    return {word: frozenset(terms) for word, terms in out.items() if terms}


def concepts(query: str, dictionary: dict[str, frozenset[str]]) -> list[frozenset[str]]:
    """One concept per BM25 term of the English ``query``: the term and its translations."""
    out = []
    for term in dict.fromkeys(tokenize(query)):
        out.append(frozenset({term} | set(_lookup(term, dictionary))))
    return out


def _lookup(word: str, dictionary: dict[str, frozenset[str]]) -> frozenset[str]:
    # the word, then the forms English inflection most often hides ("companies", "hectares", "invested")
    for form in (
        word,
        re.sub(r"ies$", "y", word),
        re.sub(r"s$", "", word),
        re.sub(r"es$", "", word),
        re.sub(r"(ing|ed)$", "", word),
        re.sub(r"(ing|d)$", "", word),
    ):
        if form in dictionary:
            return dictionary[form]
    return frozenset()
