"""A long document served in parts, so that no response grows with the article (a 50 MB one was a 117 MB
response): the passages in order, cut into parts of about ``max_chars`` characters, a passage never split."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..core.schema import Document, Passage


@dataclass
class DocumentPart:
    document: Document  # its text is the part's: from the first passage's start to the last one's end
    passages: list[Passage]
    part: int  # 1-based
    parts: int
    text_start: int  # where the part's text starts in the whole document's text


def split(passages: list[Passage], max_chars: int) -> list[list[Passage]]:
    out: list[list[Passage]] = [[]]
    size = 0
    for passage in passages:
        if out[-1] and size + len(passage.text) > max_chars:
            out.append([])
            size = 0
        out[-1].append(passage)
        size += len(passage.text)
    return out


def document_part(
    doc: Document, passages: list[Passage], max_chars: int, part: int | None = None, passage_id: str = ""
) -> DocumentPart | None:
    """Part ``part`` (1-based) of ``doc``, or the part holding ``passage_id`` when no part is asked; None when
    the document has no such part."""
    pieces = split(passages, max_chars)
    if part is None:
        part = next((n for n, piece in enumerate(pieces, 1) if any(p.passage_id == passage_id for p in piece)), 1)
    if not 1 <= part <= len(pieces):
        return None
    piece = pieces[part - 1]
    if len(pieces) == 1 or not piece:
        return DocumentPart(doc, piece, part, len(pieces), 0)
    start, end = piece[0].start, piece[-1].end
    return DocumentPart(dataclasses.replace(doc, text=doc.text[start:end]), piece, part, len(pieces), start)
