"""Text utilities shared by indexing and search: normalisation, sentence spans and BM25 tokens."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence

from ..lang.id.lexicon import ABBREVIATIONS, STOPWORDS

# Possessive, and never started inside a run of marks: linear in the text (a run of 64,000 dots took 93 s).
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+(?=\s+[\"'“‘(\[]?[A-Z0-9À-Ý])")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_WORD_WINDOW = 64  # characters looked back for the word before a full stop (an abbreviation is shorter)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")


def normalize(text: str, compatible: bool = False) -> str:
    """``text`` as written, made safe to store and show: canonical Unicode (NFC: "e" and a combining accent are
    "é"), no control or zero-width characters, single spaces. Compatibility forms stay ("km²", "2½", "…"): a
    passage is quoted as its source wrote it (NFKC would make "2½ tahun" "21⁄2 tahun"); text is compared in
    ``fold``'s form. ``compatible`` folds them too (NFKC), for text that is read and never quoted: a query's
    fullwidth "Ａｌｌｍｅｄ" is unknown to language detection and the question patterns."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC" if compatible else "NFC", text))
    return re.sub(r"\s+", " ", text).strip()


def fold(text: str) -> str:
    """The form in which texts are compared: NFKC and lower case, so that "km²" meets "km2" and "ＢＵＭＮ" "bumn"."""
    return unicodedata.normalize("NFKC", text).lower()


def reading(text: str) -> str:
    """What ``text`` reads, for telling copies apart: its words folded (``fold``), run together without spaces or
    punctuation. Two passages with the same reading are one text copied twice ("695 warga" and "6 95 warga")."""
    return "".join(re.findall(r"\w+", fold(normalize(text))))


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text[start:end]``; newlines always end a sentence."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        offset = start + line.start()
        cut = 0
        for match in _BOUNDARY.finditer(line.group()):
            before = _WORD_BEFORE.search(line.group()[max(cut, match.start() - _WORD_WINDOW) : match.start()])
            word = before.group(1).lower() if before else ""
            if match.group().startswith(".") and (word in ABBREVIATIONS or re.fullmatch(r"[a-z]", word)):
                continue
            spans.append((offset + cut, offset + match.end()))
            cut = match.end()
        spans.append((offset + cut, offset + len(line.group())))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s[1] > s[0]]


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


# Letters or digit groups: "Rp1,6" -> "rp", "1,6"; "150.000" -> "150000".
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)
_LETTERS = re.compile(r"[^\W\d_]+")


def normalize_number(token: str) -> str:
    """Thousands separators go, decimal commas become points, so "150.000" and "150,000" meet."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", token):
        return re.sub(r"[.,]", "", token)
    return token.replace(",", ".")


def tokenize(text: str, lang: str | None = None) -> list[str]:
    """Lower-cased word and number tokens without stopwords (of ``lang``, or of both languages)."""
    stop = STOPWORDS[lang] if lang in STOPWORDS else STOPWORDS["id"] | STOPWORDS["en"]
    out = []
    for match in _TOKEN.finditer(fold(text)):
        token = match.group()
        if token[0].isdigit():
            out.append(normalize_number(token))
        elif token not in stop:
            out.append(token)
    return out


def names(text: str) -> list[str]:
    """The capitalised words of ``text`` after its first (which is capitalised for being first), as ``tokenize``
    has them: the names a question names."""
    words = _LETTERS.findall(unicodedata.normalize("NFKC", text))[1:]
    return list(dict.fromkeys(token for word in words if word[0].isupper() for token in tokenize(word)))


def weighted_coverage(terms: Sequence[str], idf: Mapping[str, float], tokens: Collection[str]) -> float:
    """Share of ``terms`` (distinct query terms) found in ``tokens``, each weighted by its IDF."""
    total = sum(idf[t] for t in terms) or 1.0
    return sum(idf[t] for t in terms if t in tokens) / total
