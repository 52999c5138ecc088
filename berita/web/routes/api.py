"""The JSON API: /healthz, /api/search, /api/documents/{doc_id}."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from ...core.config import Settings
from ...core.schema import Document, Filters, Passage, SearchResponse
from ..deps import EngineDep, SettingsDep
from ..parts import document_part

# Query limits are part of the OpenAPI schema, so they are read (from BERITA_* variables) when the routes are
# declared; the engine checks the limits of the settings it was given as well.
LIMITS = Settings.from_env().retrieval
QUERY_TOKENS = Settings.from_env().embedding.query_tokens


@dataclass
class DocumentResponse:
    document: Document  # a long article's text is the part's (``text_start`` says where it starts in the whole)
    passages: list[Passage]
    part: int = 1
    parts: int = 1
    text_start: int = 0


@dataclass
class Health:
    status: str
    model: str
    documents: int
    passages: int
    built_at: str
    generation: str


@dataclass
class ErrorDetail:
    detail: str


router = APIRouter()


@router.get("/healthz", response_model=Health)
def healthz(engine: EngineDep) -> Health:
    info = engine.info
    return Health("ok", info.model, info.documents, info.passages, info.built_at, info.generation)


@router.get(
    "/api/search",
    response_model=SearchResponse,
    responses={422: {"model": ErrorDetail, "description": "a query or parameter the search refuses, and why"}},
)
def api_search(
    engine: EngineDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=LIMITS.max_query_chars,
            pattern=r"\S",  # not only spaces
            description=f"the question or keywords; the encoder reads its first {QUERY_TOKENS} tokens (a question "
            "has 10-40), the keyword side all of it",
        ),
    ],
    k: Annotated[int, Query(ge=1, le=LIMITS.max_k, description="number of passages")] = 10,
    lang: Annotated[Literal["id", "en"] | None, Query(description="query language; detected when absent")] = None,
    source: Annotated[str | None, Query(max_length=200, description="only this source (case-insensitive)")] = None,
    date_from: Annotated[
        date | None, Query(description="only articles dated on or after (YYYY-MM-DD); not after date_to")
    ] = None,
    date_to: Annotated[
        date | None, Query(description="only articles dated on or before (YYYY-MM-DD); not before date_from")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10 * LIMITS.max_k, description="skip this many passages (paging)")] = 0,
    answer: Annotated[
        bool, Query(description="false: passages only, no answer read (faster); `answer` is null")
    ] = True,
) -> SearchResponse:
    filters = Filters(
        source or None, date_from.isoformat() if date_from else None, date_to.isoformat() if date_to else None
    )
    return engine.search(q, k=k, lang=lang, filters=filters, offset=offset, with_answer=answer)


@router.get(
    "/api/documents/{doc_id:path}",
    response_model=DocumentResponse,
    responses={
        404: {"model": ErrorDetail, "description": "no document with that id"},
        422: {"model": ErrorDetail, "description": "a malformed request, and why"},
    },
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
