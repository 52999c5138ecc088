"""The JSON API: /healthz, /readyz, /metrics and /api/search (documents are in documents.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ...core.browse import FACETS, Group, Sort
from ...core.config import Settings
from ...core.schema import Filters, SearchResponse
from ..deps import EngineDep

# Query limits are part of the OpenAPI schema, so they are read (from BERITA_* variables) when the routes are
# declared; the engine checks the limits of the settings it was given as well.
LIMITS = Settings.from_env().retrieval
QUERY_TOKENS = Settings.from_env().embedding.query_tokens
FACETS_PATTERN = f"^(({'|'.join(FACETS)}),?)*$"


@dataclass
class ErrorDetail:
    detail: str


router = APIRouter()
health = APIRouter()  # open even where the API's reads need a key (load balancers ask it)


@dataclass
class Health:
    status: str
    model: str
    documents: int
    passages: int
    built_at: str
    generation: str  # the index's version: its last full build, and "+N" for the changes made since


@health.get("/healthz", response_model=Health)
def healthz(engine: EngineDep) -> Health:
    """The server answers and what it serves."""
    info = engine.info
    return Health("ok", info.model, info.documents, info.passages, info.built_at, info.generation)


@health.get("/readyz", response_model=Health, responses={503: {"model": ErrorDetail, "description": "warming up"}})
def readyz(engine: EngineDep, request: Request) -> Health:
    """Ready for traffic: the index loaded and one search run through every model (after start-up, a second or so)."""
    if not request.app.state.ready.is_set():
        raise HTTPException(503, "warming up: the models have not answered their first search yet")
    return healthz(engine)


@health.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus's text format: requests and latency per route, the search's stages, the index's size and model."""
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


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
    source: Annotated[
        list[Annotated[str, Query(max_length=200)]] | None,
        Query(
            max_length=20,
            description="only these sources (repeat the parameter for several): case, a web address's ending and "
            'a trailing "news" do not matter, and the first words of a name are enough ("CNN" for "CNN Indonesia", '
            '"antaranews" for "ANTARA"); a name the index does not hold is a 422',
        ),
    ] = None,
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
    group: Annotated[
        Group, Query(description="article: one result per article, its next best passages in `more`; k counts articles")
    ] = "passage",
    sort: Annotated[Sort, Query(description="date: the matches newest first (undated last)")] = "relevance",
    facets: Annotated[
        str,
        Query(
            max_length=40,
            pattern=FACETS_PATTERN,
            description="comma-separated, of source and month: how many matches have each value",
        ),
    ] = "",
) -> SearchResponse:
    filters = Filters(
        tuple(source or ()), date_from.isoformat() if date_from else None, date_to.isoformat() if date_to else None
    )
    return engine.search(
        q,
        k=k,
        lang=lang,
        filters=filters,
        offset=offset,
        with_answer=answer,
        group=group,
        sort=sort,
        facets=tuple(dict.fromkeys(f for f in facets.split(",") if f)),
    )
