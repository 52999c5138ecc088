"""How Indonesian news is written around its content: boilerplate lines, datelines, dates in the text."""

from __future__ import annotations

import re

from ...core.text import fold

# Lines that are navigation or attribution, not content.
BOILERPLATE = [
    # "Baca juga: …", "SIMAK JUGA: …", "[Baca juga: …]", "(Lihat Juga: …)": links to other articles
    re.compile(r"^[\[(]?\s*(baca|simak|lihat)\s+(juga|pula)\s*:.*$", re.I),
    re.compile(r"^(advertisement|scroll to (continue|resume) with content)$", re.I),
    re.compile(r"^video\s*:.*$", re.I),  # a link to a video, not its content
    re.compile(r"^cek\s+berita\s+dan\s+artikel\s+(lain(nya)?\s+)?di\s+google\s+news\.?$", re.I),
    re.compile(r"^(sumber|source|editor|pewarta|penulis|reporter)\s*:\s*$", re.I),
    re.compile(
        r"^(simak|ikuti)\s+(juga\s+)?(berita|update|artikel).{0,80}(google news|whatsapp|telegram|channel).*$", re.I
    ),
    # Photo captions: "KERJA SAMA - Pemkab Batang ... -IST-", "FOTO: ... (ANTARA/...)"
    re.compile(r"^[A-Z0-9][A-Z0-9 ,.&'/]{2,60}\s[-–—]\s.+[-–—]\s?[A-Z]{2,10}\s?[-–—]?$"),
    re.compile(r"^(foto|photo|ilustrasi)\s*:.*$", re.I),
]

# "Batang (ANTARA) -", "PojokPantura.Com -", "BATANG –", "Jakarta, CNN Indonesia --"
DATELINE = re.compile(
    r"^(?P<head>[A-Z][\w.]*(?:[ ][A-Z][\w.]*){0,3})"
    r"(?:\s*\((?P<paren>[^)]{2,40})\)|,\s*(?P<comma>[A-Z][\w.]*(?:\s[A-Z][\w.]*){0,2}))?"
    r"\s*[-–—]{1,2}\s+(?=\S)"
)
MEDIA_NAME = re.compile(r"\.(com|co\.id|id|net|org|news)$|^(antara|kompas|detik|tempo|kumparan|cnn)", re.I)

DATE_NUMERIC = re.compile(r"\((\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\)")
DATE_WORDS = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\s+((?:19|20)\d{2})\b")


# A web address's last parts, dropped from a source's name: "dailysocial.id" is DailySocial
_DOMAIN_ENDS = ("com", "co", "id", "net", "org", "news")


def source_words(name: str) -> tuple[str, ...]:
    """A source's name as the words it is matched by: case, punctuation, a web address's ending and a trailing
    "news" folded away, so that "ANTARA", "antaranews" and "Antara News" are one source and "juara.net" is "juara"."""
    words = re.findall(r"\w+", fold(name))
    while len(words) > 1 and words[-1] in _DOMAIN_ENDS:
        words.pop()
    if len(words) == 1 and words[0].endswith("news") and len(words[0]) > len("news") + 2:
        words[0] = words[0][: -len("news")]
    return tuple(words)


def sources_named(asked: str, names: list[str]) -> list[str]:
    """Those of ``names`` that ``asked`` (what someone typed) names: the same words, or their first words ("CNN"
    names "cnn indonesia")."""
    wanted = source_words(asked)
    return [name for name in names if source_words(name)[: len(wanted)] == wanted] if wanted else []
