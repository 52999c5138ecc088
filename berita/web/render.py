"""Presentation helpers for the pages: labels in the reader's language, citations, highlighting."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup, escape

from ..core.lexicon import MONTHS_EN, MONTHS_ID
from ..core.text import tokenize

LABELS = {
    "id": {
        "title": "Cari berita",
        "search": "Cari",
        "placeholder": "Tanya dalam bahasa Indonesia atau Inggris…",
        "answer": "Jawaban",
        "results": "Hasil",
        "source": "Sumber",
        "paragraph": "paragraf",
        "document": "Baca artikel",
        "no_results": "Tidak ada bagian yang cocok. Coba kata lain.",
        "no_answer": "Tidak ada jawaban langsung; lihat bagian di bawah.",
        "language": "Bahasa",
        "auto": "Otomatis",
        "error": "Kesalahan",
        "not_found": "Dokumen tidak ditemukan",
        "back": "Kembali ke pencarian",
        "examples": "Contoh pertanyaan",
        "unknown_source": "tidak disebutkan",
        "filters": "Saring",
        "all_sources": "Semua sumber",
        "date_from": "Dari tanggal",
        "date_to": "Sampai tanggal",
        "more": "Hasil lainnya",
        "copy_citation": "Salin kutipan",
        "copied": "Kutipan disalin",
        "ui_switch": "English",
        "ui_other": "en",
        "passage_of": "Bagian yang dikutip",
        "date": "Tanggal",
        "query_language": "Bahasa pertanyaan",
        "lang_names": {"id": "Indonesia", "en": "Inggris"},
        "no_filter_match": "Tidak ada artikel yang cocok dengan saringan.",
    },
    "en": {
        "title": "Search the news",
        "search": "Search",
        "placeholder": "Ask in Indonesian or English…",
        "answer": "Answer",
        "results": "Results",
        "source": "Source",
        "paragraph": "paragraph",
        "document": "Read the article",
        "no_results": "No matching passages. Try other words.",
        "no_answer": "No direct answer; see the passages below.",
        "language": "Language",
        "auto": "Automatic",
        "error": "Error",
        "not_found": "Document not found",
        "back": "Back to search",
        "examples": "Example questions",
        "unknown_source": "not stated",
        "filters": "Filter",
        "all_sources": "All sources",
        "date_from": "From date",
        "date_to": "To date",
        "more": "More results",
        "copy_citation": "Copy citation",
        "copied": "Citation copied",
        "ui_switch": "Bahasa Indonesia",
        "ui_other": "id",
        "passage_of": "Cited passage",
        "date": "Date",
        "query_language": "Question language",
        "lang_names": {"id": "Indonesian", "en": "English"},
        "no_filter_match": "No article matches the filters.",
    },
}


def labels(lang: str) -> dict[str, Any]:
    return LABELS.get(lang, LABELS["id"])


def format_date(iso: str | None, lang: str) -> str | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso or "")
    if not m:
        return iso
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    return f"{day} {(MONTHS_ID if lang == 'id' else MONTHS_EN)[month - 1]} {year}"


def passage_label(passage_id: str, lang: str) -> str:
    ordinal = int(passage_id.rsplit(".p", 1)[1]) + 1
    return f"{labels(lang)['paragraph']} {ordinal}"


def citation(item, lang: str) -> str:
    """ "Sumber: ANTARA, 7 Juli 2023 — paragraf 3" (or "Source: …")."""
    t = labels(lang)
    parts = [x for x in (item.source or t["unknown_source"], format_date(item.date, lang)) if x]
    return f"{t['source']}: {', '.join(parts)} — {passage_label(item.passage_id, lang)}"


def document_citation(doc, passage, lang: str) -> str:
    """A citation to paste into an article: title, source, date, paragraph and where to find it."""
    parts = [f"“{doc.title}”", doc.source or labels(lang)["unknown_source"], format_date(doc.date, lang)]
    anchor = f"#p-{passage.passage_id}" if passage else ""
    where = safe_url(doc.url) or f"/documents/{doc.doc_id}{anchor}"
    label = f", {passage_label(passage.passage_id, lang)}" if passage else ""
    return ", ".join(p for p in parts if p) + label + f". {where}"


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
    """This page's URL with some query parameters changed (empty ones dropped)."""
    params = dict(request.query_params)
    params.update({k: str(v) for k, v in changes.items()})
    return "?" + urlencode({k: v for k, v in params.items() if v != ""})


def safe_url(url: str | None) -> str | None:
    """``url`` where it is an http(s) link, else ``None``: a stored ``javascript:`` or ``data:`` URL never becomes
    a link (indexes built before the reader checked URLs may hold one)."""
    if url and urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return None
