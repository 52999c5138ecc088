"""Cleaning news text: boilerplate out; title, dateline source and date into metadata (the patterns are
Indonesian news's, in ``lang.id.news``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.text import normalize
from ..lang.id.lexicon import MONTH_NUMBERS
from ..lang.id.news import BOILERPLATE, DATE_NUMERIC, DATE_WORDS, DATELINE, MEDIA_NAME


@dataclass
class Cleaned:
    text: str
    title: str | None
    source: str | None
    place: str | None
    date: str | None


def clean_article(text: str, title: str | None = None) -> Cleaned:
    lines = [normalize(line) for line in text.splitlines()]
    lines = [line for line in lines if line and not is_boilerplate(line)]
    if title is None and lines and looks_like_title(lines[0]) and len(lines) > 1:
        title = lines.pop(0)
    body = "\n".join(lines)
    place, source = parse_dateline(body)
    title = clean_title(title)
    return Cleaned(text=body, title=title or _fallback_title(body), source=source, place=place, date=find_date(body))


# A link's tracking parameters left in a title: "…?utm_source=fly&utm_medium=related", "…?ICID=HP_HN_0_3"
TRACKING = re.compile(r"\s*\?[\w.-]+=[^\s&]*(?:[ \w]*&[\w.-]+=[^&]*)*$")
# A title that is an opaque id: "oqpopw8kddf310fstuwv50ix"
OPAQUE = re.compile(r"(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{12,}", re.I)


def clean_title(title: str | None) -> str | None:
    """A source's title as a reader should see it: without a link's tracking parameters, a URL slug made words
    ("ronaldinho.messi.belum.habis" -> "Ronaldinho messi belum habis"); ``None`` where nothing readable is left
    (an opaque id, one bare lower-case word such as "report"), so the article's own first words serve."""
    if title is None:
        return None
    title = TRACKING.sub("", normalize(title)).strip()
    if " " not in title and title.islower():
        title = re.sub(r"[-._]+", " ", title).strip()
    if not title or OPAQUE.fullmatch(title) or (" " not in title and title.islower()):
        return None
    return title[0].upper() + title[1:] if title.islower() else title


def is_boilerplate(line: str) -> bool:
    return any(pattern.match(line) for pattern in BOILERPLATE)


def looks_like_title(line: str) -> bool:
    return (
        len(line) <= 150
        and len(line.split()) <= 20
        and not line.rstrip().endswith((".", "!", ",", ":", ";", '"', "”"))
        and not DATELINE.match(line)
    )


def parse_dateline(body: str) -> tuple[str | None, str | None]:
    """(place, source) from the opening "Place (SOURCE) -" of a news text, where it has one."""
    match = DATELINE.match(body)
    if not match:
        return None, None
    head, named = match.group("head"), match.group("paren") or match.group("comma")
    if named:
        return head.title() if head.isupper() else head, named.strip()
    if MEDIA_NAME.search(head):
        return None, head
    return (head.title() if head.isupper() else head), None


def find_date(text: str) -> str | None:
    """The first full date written in the text ("Kamis (12/6/2025)", "12 Juni 2025"), as YYYY-MM-DD."""
    candidates = []
    for m in DATE_NUMERIC.finditer(text):
        candidates.append((m.start(), int(m.group(3)), int(m.group(2)), int(m.group(1))))
    for m in DATE_WORDS.finditer(text):
        month = MONTH_NUMBERS.get(m.group(2).lower())
        if month:
            candidates.append((m.start(), int(m.group(3)), month, int(m.group(1))))
    for _, year, month, day in sorted(candidates):
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _fallback_title(body: str) -> str:
    first = body.split("\n", 1)[0]
    first = DATELINE.sub("", first, count=1)
    words = first.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")
