"""Passages that follow paragraphs and sentences, with character offsets into the document."""

from __future__ import annotations

import re

from ..core.text import sentence_spans


def chunk_spans(text: str, max_chars: int = 700, min_chars: int = 200, overlap: int = 1) -> list[tuple[int, int]]:
    """(start, end) of each passage of ``text``.

    A passage is a paragraph; short paragraphs join the next one, long ones are cut between
    sentences into pieces that share ``overlap`` sentences. A single sentence longer than
    ``max_chars`` is cut between words so no passage outgrows the model's window.
    """
    spans: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None  # short paragraphs waiting for company
    for para in re.finditer(r"[^\n]+", text):
        start, end = para.span()
        if pending:
            start = pending[0]
            pending = None
        if end - start < min_chars:
            pending = (start, end)
            continue
        spans.extend(_split_long(text, start, end, max_chars, overlap))
    if pending:
        if spans and pending[1] - spans[-1][0] <= max_chars:
            spans[-1] = (spans[-1][0], pending[1])  # a short tail joins the passage before it
        else:
            spans.extend(_split_long(text, *pending, max_chars, overlap))
    return spans


def _split_long(text: str, start: int, end: int, max_chars: int, overlap: int) -> list[tuple[int, int]]:
    if end - start <= max_chars:
        return [(start, end)]
    sentences: list[tuple[int, int]] = []
    for a, b in sentence_spans(text, start, end):
        sentences.extend(_split_words(text, a, b, max_chars))
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(sentences):
        j = i + 1
        while j < len(sentences) and sentences[j][1] - sentences[i][0] <= max_chars:
            j += 1
        out.append((sentences[i][0], sentences[j - 1][1]))
        if j >= len(sentences):
            break
        i = max(j - overlap, i + 1)
    return out


def _split_words(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > max_chars:
        cut = text.rfind(" ", start, start + max_chars)
        cut = cut if cut > start else start + max_chars
        pieces.append((start, cut))
        start = cut + 1 if text[cut : cut + 1] == " " else cut
    pieces.append((start, end))
    return pieces
