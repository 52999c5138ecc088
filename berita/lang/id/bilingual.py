"""English -> Indonesian word translations for the lexical side of English questions, from Debian's
``dict-freedict-eng-ind`` (FreeDict/WikDict, CC BY-SA 3.0; ``make`` installs it as it installs the browser).

An English query word becomes a *concept*: the word itself (names and numbers stay as they are) and every
Indonesian translation the dictionary gives; BM25 scores a concept by its best-matching alternative, so that
a word with many translations does not count many times (structured query translation)."""

from __future__ import annotations

import gzip
import logging
import re
from functools import lru_cache, partial
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
    return {word: frozenset(terms) for word, terms in _entries(base).items()}


@lru_cache(maxsize=4)
def _entries(base: Path) -> dict[str, list[str]]:
    """English headword -> its Indonesian BM25 terms in the order the dictionary gives them (main sense first)."""
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
    out: dict[str, dict[str, None]] = {}
    for line in index:
        head, offset, length = line.split("\t")
        if head.startswith("00database"):
            continue
        entry = data[_number(offset) : _number(offset) + _number(length)].decode("utf-8").split("\n")
        terms = out.setdefault(head.lower(), {})
        for n, text in enumerate(entry[1:]):
            numbered = re.match(r"\s*\d+\.\s*(.*)$", text)
            if numbered or n == 0:  # translations open an entry or follow a sense number; the rest are glosses
                text = re.sub(r"\s+\d+\.$", "", numbered.group(1) if numbered else text)
                terms.update(dict.fromkeys(tokenize(text, "id")))
    return {word: list(terms) for word, terms in out.items() if terms}


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


# ---- Indonesian -> English, word by word: training questions for the reader (training/train_reader.py) ----------
# Question phrases first (longest first), then function words; other words through the dictionary read backwards.
_UNITS = {
    "tanggal": "date",
    "bulan": "month",
    "hari": "day",
    "nama": "name",
    "judul": "title",
    "nilai": "value",
    "besar": "amount",
    "harga": "price",
    "biaya": "cost",
    "dana": "funds",
    "anggaran": "budget",
    "investasi": "investment",
    "modal": "capital",
    "kerugian": "loss",
    "gaji": "salary",
    "upah": "wage",
    "luas": "area",
    "tinggi": "height",
    "panjang": "length",
}
_QUESTION_PHRASES = [
    (r"(pada )?tahun berapa(kah)?", "in what year"),
    (r"(pada )?(tanggal|bulan|hari) (berapa|apa)(kah)?", "on what {2}"),
    (r"berapa(kah)? lama", "how long"),
    (
        r"berapa(kah)? (nilai|besar|harga|biaya|dana|anggaran|investasi|modal|kerugian|gaji|upah|luas|tinggi|panjang)",
        "how much {2}",
    ),
    (r"berapa(kah)?( banyak| jumlah)?", "how many"),
    (r"kapan(kah)?", "when"),
    (r"siapa(kah)?", "who"),
    (r"(di|ke|dari) ?mana(kah)?", "where"),
    (r"(meng)?apa(kah)? (nama|judul)", "what {3}"),
    (r"mengapa|kenapa", "why"),
    (r"bagaimana(kah)?", "how"),
    (r"apa(kah)?", "what"),
    (r"mana(kah)?", "which"),
]
_FUNCTION_WORDS = {
    "yang": "",
    "di": "in",
    "ke": "to",
    "dari": "from",
    "pada": "on",
    "untuk": "for",
    "dengan": "with",
    "oleh": "by",
    "dalam": "in",
    "tersebut": "the",
    "itu": "that",
    "ini": "this",
    "adalah": "is",
    "merupakan": "is",
    "dan": "and",
    "atau": "or",
    "sebagai": "as",
    "telah": "has",
    "sudah": "has",
    "akan": "will",
    "tidak": "not",
    "sejak": "since",
    "hingga": "until",
    "sampai": "until",
    "saat": "when",
    "ketika": "when",
    "bagi": "for",
    "tentang": "about",
    "antara": "between",
    "para": "",
    "sang": "the",
    "si": "",
    "pertama": "first",
    "kedua": "second",
    "ketiga": "third",
    "terakhir": "last",
    "tahun": "year",
    "nama": "name",
    "judul": "title",
    "sekarang": "now",
    "dapat": "can",
    "bisa": "can",
    "mulai": "start",
}
_PREFIXES = ("memper", "meng", "meny", "mem", "men", "me", "ber", "ter", "di", "pe", "per", "se", "ke")
_SUFFIXES = ("kan", "an", "i", "nya", "lah")


@lru_cache(maxsize=1)
def _backwards() -> dict[str, str]:
    """Indonesian word -> the English headword giving it as early as any (main sense first), then the entry with the
    fewest translations, then the shortest word."""
    best: dict[str, tuple[int, int, int, str]] = {}
    for english, terms in _entries(DICTIONARY).items():
        if not english.isalpha():
            continue  # phrases and abbreviations make poor single-word glosses
        for position, term in enumerate(terms):
            rank = (position, len(terms), len(english), english)
            if term not in best or rank < best[term]:
                best[term] = rank
    return {term: rank[3] for term, rank in best.items()}


def _gloss(word: str, backwards: dict[str, str]) -> str:
    # the word, then without a suffix, a prefix or both ("dilahirkan" -> "lahir")
    bare = [word] + [word[: -len(s)] for s in _SUFFIXES if word.endswith(s)]
    for stem in [*bare, *(b[len(p) :] for b in bare for p in _PREFIXES if b.startswith(p))]:
        if len(stem) > 2 and stem in backwards:
            return backwards[stem]
    return word


def _translated(english: str, match: re.Match[str]) -> str:
    """A question phrase in English, each word marked (``\\x00``) as translated already."""
    words = english.format(match.group(0), *[_UNITS.get(g.lower(), g) for g in match.groups("")])
    return "\x00" + words.replace(" ", "\x00 \x00") + "\x00"


def word_by_word(question: str) -> str:
    """A rough English rendering of an Indonesian question ("Berapa nilai investasi Allmed?" -> "How much value
    investment Allmed?"): question phrases and common words translated, names and numbers kept, other words by the
    dictionary or kept as written. For teaching the reader English questions over Indonesian text, not for users."""
    text = " ".join(question.split())
    for pattern, english in _QUESTION_PHRASES:
        text = re.sub(rf"(?i)\b{pattern}\b", partial(_translated, english), text)
    backwards = _backwards()
    out = []
    for n, word in enumerate(re.findall(r"\x00[^\x00]*\x00|\w[\w\-]*|[^\w\s]", text)):
        lower = word.lower()
        if word.startswith("\x00"):
            out.append(word.strip("\x00"))
        elif lower in _FUNCTION_WORDS:
            out.append(_FUNCTION_WORDS[lower])
        elif (word[:1].isupper() and not (n == 0 and lower in backwards)) or not word[:1].isalpha():
            out.append(word)  # names, numbers and punctuation as written (a first word only if not a plain word)
        else:
            out.append(_gloss(lower, backwards))
    english = re.sub(r" ([?.,!])", r"\1", " ".join(w for w in out if w))
    return english[:1].upper() + english[1:]
