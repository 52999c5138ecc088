"""Plain data: what the indexer writes and what a search returns."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Document:
    doc_id: str
    title: str
    text: str  # cleaned text; passage offsets point into it
    source: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD)
    url: str | None = None
    place: str | None = None
    path: str | None = None  # the file it came from
    content_hash: str = ""


@dataclass
class Passage:
    passage_id: str
    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass
class Result:
    """One ranked passage with its citation, as the CLI and the JSON API return it."""

    rank: int
    score: float
    doc_id: str
    passage_id: str
    title: str
    source: str | None
    date: str | None
    text: str
    start: int
    end: int


@dataclass
class Answer:
    """A direct answer: the sentence that answers, the span inside it, and its citation.

    ``start``/``end`` are the cited passage's offsets in the document; ``span`` is ``None`` when the
    question does not ask for a typed value (amount, date, person...).
    """

    text: str
    span: str | None
    doc_id: str
    title: str
    source: str | None
    date: str | None
    start: int
    end: int
    passage_id: str
    kind: str | None = None
    confidence: float = 0.0


@dataclass
class SearchResponse:
    query: str
    lang: str
    answer: Answer | None
    results: list[Result]
