"""Presentation helpers for the pages: labels in the reader's language, citations, highlighting."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from markupsafe import Markup, escape

from ..core.schema import paragraphs
from ..core.text import tokenize
from ..lang.id.lexicon import MONTHS_EN, MONTHS_ID
from ..lang.labels import LABELS

PARAM_CHARS = 1001  # a query parameter echoed in a link; longer queries are refused anyway


def labels(lang: str) -> dict[str, Any]:
    return LABELS.get(lang, LABELS["id"])


def format_date(iso: str | None, lang: str) -> str | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso or "")
    if not m:
        return iso
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    return f"{day} {(MONTHS_ID if lang == 'id' else MONTHS_EN)[month - 1]} {year}"


def format_month(month: str, lang: str) -> str:
    """ "Juni 2025" for "2025-06"."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if not m or not 1 <= int(m[2]) <= 12:
        return month
    return f"{(MONTHS_ID if lang == 'id' else MONTHS_EN)[int(m[2]) - 1]} {m[1]}"


def paragraph_label(numbers: list[int], lang: str) -> str:
    """ "paragraf 7" or "paragraf 7–8": the article's own paragraphs, as its page numbers them."""
    first, last = numbers
    return f"{labels(lang)['paragraph']} {first}" + (f"–{last}" if last > first else "")


def passage_paragraphs(doc, passage) -> list[int]:
    return paragraphs(doc.text, passage.start, passage.end)


def citation(item, lang: str) -> str:
    """ "Sumber: ANTARA, 7 Juli 2023 — paragraf 3" (or "Source: …")."""
    t = labels(lang)
    parts = [x for x in (item.source or t["unknown_source"], format_date(item.date, lang)) if x]
    return f"{t['source']}: {', '.join(parts)} — {paragraph_label(item.paragraphs, lang)}"


def document_citation(doc, passage, lang: str) -> str:
    """A citation to paste into an article: title, source, date, paragraph and where to find it."""
    parts = [f"“{doc.title}”", doc.source or labels(lang)["unknown_source"], format_date(doc.date, lang)]
    anchor = f"#p-{passage.passage_id}" if passage else ""
    where = safe_url(doc.url) or document_link(doc.doc_id) + anchor
    label = f", {paragraph_label(passage_paragraphs(doc, passage), lang)}" if passage else ""
    return ", ".join(p for p in parts if p) + label + f". {where}"


def document_link(doc_id: str, passage_id: str | None = None, ui: str | None = None, part: int | None = None) -> str:
    """The page of ``doc_id``, its slashes escaped too: an id holding "../" stays one path segment, which the
    browser would otherwise resolve away ("/documents/../../etc/passwd" is "/etc/passwd")."""
    params = urlencode({k: v for k, v in (("p", passage_id), ("ui", ui), ("part", part)) if v})
    anchor = f"#p-{quote(passage_id, safe='')}" if passage_id else ""
    return f"/documents/{quote(doc_id, safe='')}" + (f"?{params}" if params else "") + anchor


def highlight(text: str, query: str, span: str | None = None) -> Markup:
    """``text`` escaped, with query words in <mark> and the answer span in <mark class="answer">."""
    terms = set(tokenize(query))
    marks: list[tuple[int, int, str]] = []
    if span and span in text:
        a = text.index(span)
        marks.append((a, a + len(span), "answer"))
    for m in re.finditer(r"\w+(?:[.,]\d+)*", text):
        if set(tokenize(m.group())) & terms and not any(a <= m.start() < b for a, b, _ in marks):
            marks.append((m.start(), m.end(), "term"))
    out, pos = [], 0
    for a, b, kind in sorted(marks):
        out.append(escape(text[pos:a]))
        out.append(Markup('<mark class="{}">{}</mark>').format(kind, text[a:b]))
        pos = b
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def url_with(request, **changes) -> str:
    """This page's URL with some query parameters changed (a list value repeats the parameter; empty ones are
    dropped, and none is longer than a query may be: a pasted 60,000-character "question" is not copied into every
    link). Parameters keep their order; new ones come last."""
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value[:PARAM_CHARS])
    for key, value in changes.items():
        params[key] = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
    return "?" + urlencode([(k, v) for k, values in params.items() for v in values if v != ""])


def safe_url(url: str | None) -> str | None:
    """``url`` where it is an http(s) link, else ``None``: a stored ``javascript:`` or ``data:`` URL never becomes
    a link (indexes built before the reader checked URLs may hold one)."""
    if url and urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return None
