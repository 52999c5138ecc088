"""Plain data that crosses package boundaries. Passages are named by string ids everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


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


def passage_order(passage_id: str) -> tuple[str, int]:
    """(document id, ordinal): the order passages take in their documents, for ties between equal scores."""
    doc_id, _, ordinal = passage_id.rpartition(".p")
    return (doc_id, int(ordinal)) if ordinal.isdigit() else (passage_id, 0)


@dataclass(frozen=True)
class Filters:
    """Which documents a search may return: from any of ``sources`` (names as the index holds them, matched without
    case; the engine resolves what a user typed to these) and within a date range (inclusive, ISO)."""

    sources: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    def __bool__(self) -> bool:
        return bool(self.sources or self.date_from or self.date_to)

    @cached_property
    def folded_sources(self) -> frozenset[str]:
        return frozenset(s.casefold() for s in self.sources)

    def accepts(self, doc: Document) -> bool:
        if self.sources and (doc.source or "").casefold() not in self.folded_sources:
            return False
        if self.date_from or self.date_to:
            if not doc.date:
                return False
            if self.date_from and doc.date[:10] < self.date_from:
                return False
            if self.date_to and doc.date[:10] > self.date_to:
                return False
        return True


@dataclass
class Hit:
    """One passage a retriever found, with its score; ``similarity`` is its cosine to the query, where known."""

    passage_id: str
    score: float
    similarity: float | None = None


@dataclass(frozen=True)
class Citation:
    """Where a passage comes from: its document and its place in it. Results and answers carry the same fields."""

    doc_id: str
    passage_id: str
    title: str
    source: str | None
    date: str | None
    start: int
    end: int
    paragraphs: list[int]  # the article's paragraphs the passage lies in, first and last (1-based, as the page counts)

    @classmethod
    def of(cls, document: Document, passage: Passage) -> Citation:
        return cls(
            document.doc_id,
            passage.passage_id,
            document.title,
            document.source,
            document.date,
            passage.start,
            passage.end,
            paragraphs(document.text, passage.start, passage.end),
        )

    def fields(self) -> dict[str, Any]:
        # shallow (``asdict`` deep-copies: a tenth of a search-only request's time for its 50 matches)
        return {**vars(self), "paragraphs": list(self.paragraphs)}


def paragraphs(text: str, start: int, end: int) -> list[int]:
    """The first and last paragraph (1-based) of ``text[start:end]``; a cleaned article has one paragraph a line.
    A passage is the chunker's, not the article's: a citation names the article's own paragraphs."""
    first = text.count("\n", 0, start) + 1
    return [first, first + text.count("\n", start, max(start, end - 1))]


@dataclass
class Result:
    """One ranked passage with its citation, as the CLI and the JSON API return it."""

    rank: int
    # Orders one response only: for reranked (Indonesian) questions the reranker's probability for the passages
    # it re-ordered and 0 below them; otherwise the fused score, 1.0 being best on both retrievers. Where the
    # reader took the answer from the second passage, that passage comes first with its own score.
    score: float
    doc_id: str
    passage_id: str
    title: str
    source: str | None
    date: str | None
    text: str
    start: int
    end: int
    paragraphs: list[int] = field(default_factory=list)  # the article's paragraphs the passage lies in: [first, last]
    # grouped by article: the article's next best passages (best first), each as a ``Snippet``; else empty
    more: list[Snippet] = field(default_factory=list)

    def snippet(self) -> Snippet:
        return Snippet(self.passage_id, self.score, self.text, self.start, self.end, self.paragraphs)


@dataclass
class Snippet:
    """A further passage of a result's article (grouped results)."""

    passage_id: str
    score: float
    text: str
    start: int
    end: int
    paragraphs: list[int]


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
    # the probability that the span is right, calibrated on news questions (answering/confidence.py)
    confidence: float = 0.0
    # "sure" (on the dev questions, 9 in 10 answers this sure were right) or "possible" (check the passage)
    level: str | None = None
    # for an English question, the span as an English reader writes it ("USD 100 million"); else None
    span_en: str | None = None
    paragraphs: list[int] = field(default_factory=list)  # the article's paragraphs the passage lies in: [first, last]


@dataclass
class SearchResponse:
    query: str
    lang: str
    answer: Answer | None
    results: list[Result]
    # matches: passages (articles, grouped) above the relevance floor among the best ``RetrievalConfig.candidates``
    found: int = 0
    # per facet asked for, how many matching passages (articles, grouped) have each value; empty when none was asked
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
