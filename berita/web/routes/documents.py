"""/api/documents: read one article (open, or with a read key), and add, replace or delete articles (a write key;
these routes exist only on a server started with write keys)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Request
from pydantic import BaseModel, Field

from ...core.config import Settings
from ...core.schema import Document, Passage
from ...errors import IndexStoreError, NothingToUndoError
from ...ingest.live import Outcome, UndoReport, undo, write
from ..deps import EngineDep, SettingsDep
from ..parts import document_part
from .api import ErrorDetail

MAX_BATCH = Settings.from_env().web.max_batch  # part of the OpenAPI schema, read when the routes are declared


@dataclass
class DocumentResponse:
    document: Document  # a long article's text is the part's (``text_start`` says where it starts in the whole)
    passages: list[Passage]
    part: int = 1
    parts: int = 1
    text_start: int = 0


class ArticleIn(BaseModel):
    """One article; checked as a ``.jsonl`` row is (text not empty, date YYYY-MM-DD, url http(s))."""

    title: str | None = Field(None, max_length=1000)
    text: str = Field(min_length=1, description="the article's text; paragraphs separated by newlines")
    date: str | None = Field(None, max_length=40, description="YYYY-MM-DD")
    source: str | None = Field(None, max_length=200)
    url: str | None = Field(None, max_length=2000)


class Batch(BaseModel):
    articles: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"up to {MAX_BATCH} articles, each the fields of PUT plus doc_id; each is checked on its own",
    )


@dataclass
class WriteResponse:
    outcomes: list[Outcome]  # per article, in the order sent: created, replaced, unchanged, rejected (and why)
    version: str  # the index version holding the change; searches see it from this response on
    durable: bool  # written to disk before this response: it survives a crash


router = APIRouter()
writes = APIRouter()
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorDetail, "description": "no document with that id"}}
REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorDetail, "description": "no API key, or an unknown one"},
    403: {"model": ErrorDetail, "description": "a read-only key"},
    409: {"model": ErrorDetail, "description": "the index is being built by another process; try again"},
    422: {"model": ErrorDetail, "description": "an article the index refuses, and which field"},
}


@router.get(
    "/api/documents/{doc_id:path}",
    response_model=DocumentResponse,
    responses={**NOT_FOUND, 422: {"model": ErrorDetail, "description": "a malformed request, and why"}},
)
def api_document(
    doc_id: str,
    engine: EngineDep,
    settings: SettingsDep,
    part: Annotated[
        int,
        Query(ge=1, le=100_000, description="a long article comes in parts of about BERITA_MAX_DOCUMENT_CHARS"),
    ] = 1,
) -> DocumentResponse:
    found = engine.document(doc_id)
    if found is None:
        raise HTTPException(404, f"no document {doc_id[:200]!r}")
    piece = document_part(*found, settings.web.max_document_chars, part)
    if piece is None:
        raise HTTPException(404, f"document {doc_id[:200]!r} has no part {part}")
    return DocumentResponse(piece.document, piece.passages, piece.part, piece.parts, piece.text_start)


@writes.put("/api/documents/{doc_id:path}", response_model=WriteResponse, responses=REFUSED)
def put_document(doc_id: str, article: ArticleIn, request: Request) -> WriteResponse:
    """Add the article ``doc_id``, or replace it."""
    report = _write(request, [{"doc_id": doc_id, **article.model_dump()}], [])
    (outcome,) = report.outcomes
    if outcome.status == "rejected":
        raise HTTPException(422, outcome.detail or "the article was refused")
    return report


@writes.post("/api/documents", response_model=WriteResponse, responses=REFUSED)
def post_documents(batch: Annotated[Batch, Body()], request: Request) -> WriteResponse:
    """Add or replace several articles in one change; a refused one is reported and costs the others nothing."""
    return _write(request, batch.articles, [])


@writes.delete("/api/documents/{doc_id:path}", response_model=WriteResponse, responses={**REFUSED, **NOT_FOUND})
def delete_document(doc_id: str, request: Request) -> WriteResponse:
    report = _write(request, [], [doc_id])
    if report.outcomes[0].status == "not_found":
        raise HTTPException(404, f"no document {doc_id[:200]!r}")
    return report


@writes.post(
    "/api/changes/undo",
    response_model=UndoReport,
    responses={**REFUSED, 404: {"model": ErrorDetail, "description": "no change left to undo"}},
)
def undo_change(request: Request) -> UndoReport:
    """Take back the last change (PUT, POST or DELETE, or a small `berita index`): the articles it touched are as
    they were before it, searchable from this response on. Repeat to take back the ones before, up to the last full
    build (on Milvus, then the generation before it)."""
    holder = request.app.state.engines
    try:
        report = undo(holder.current().settings)
    except NothingToUndoError as exc:
        raise HTTPException(404, str(exc)) from None
    except IndexStoreError as exc:
        raise HTTPException(409 if "another build" in str(exc) else 503, str(exc)) from None
    holder.refresh()
    return report


def _write(request: Request, rows: list[dict[str, Any]], deletes: list[str]) -> WriteResponse:
    holder = request.app.state.engines
    engine = holder.current()
    try:
        report = write(rows, deletes, engine.settings, engine.embedder, engine.info.generation)
    except IndexStoreError as exc:
        raise HTTPException(409 if "another build" in str(exc) else 503, str(exc)) from None
    holder.refresh()  # the caller's next search sees the change
    return WriteResponse(report.outcomes, report.version, report.durable)
