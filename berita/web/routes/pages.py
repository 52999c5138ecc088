"""The HTML pages: search (/) and a document with its cited passage (/documents/{doc_id})."""

from __future__ import annotations

from calendar import monthrange
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ...core.browse import FACETS, GROUPS, SORTS
from ...core.schema import Filters
from ...errors import QueryError
from ..deps import EngineDep, SettingsDep, TemplatesDep
from ..parts import document_part
from ..render import labels

router = APIRouter(include_in_schema=False)  # pages, not API: kept out of the OpenAPI schema


@router.get("/", response_class=HTMLResponse)
def page_search(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    q: str = "",
    k: str = "10",
    lang: str = "",
    ui: str = "",
    source: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI copies defaults)
    date_from: str = "",
    date_to: str = "",
    sort: str = "",
    group: str = "",
):
    # The page never fails on odd parameters: it searches with sane ones or says what was wrong.
    config = settings.retrieval
    response, error = None, None
    size = parse_k(k, config.default_k, config.max_k)
    lang = lang if lang in ("id", "en") else ""
    sources = tuple(dict.fromkeys(s[:200] for s in source[:20] if s.strip()))
    filters = Filters(sources, date_from[:10] or None, date_to[:10] or None)
    sort = sort if sort in SORTS else "relevance"
    group = group if group in GROUPS else "article"  # a page of news: one result an article
    q = q[: config.max_query_chars + 1]  # still refused as too long, but echoed three times at most this long
    failure: QueryError | None = None
    if size is None:
        size, failure = config.default_k, QueryError("bad k", "bad_k", largest=config.max_k)
    elif q.strip():
        try:
            response = engine.search(
                q, k=size, lang=lang or None, filters=filters, sort=sort, group=group, facets=FACETS
            )
        except QueryError as exc:
            failure = exc
    chosen_ui = ui if ui in ("id", "en") else ""  # the reader's own choice sticks; otherwise labels follow the question
    ui = chosen_ui or (response.lang if response else (lang or "id"))
    if failure:  # in the page's language, without the API's parameter names
        messages = labels(ui)["errors"]
        error = messages.get(failure.code, messages["invalid"]).format(**failure.values)
    return templates.TemplateResponse(
        request,
        "search.html",
        {
            "q": q,
            "k": size,
            "lang": lang,
            "response": response,
            "error": error,
            "t": labels(ui),
            "ui": ui,
            "chosen_ui": chosen_ui,
            "filters": filters,
            "sort": sort,
            "group": group,
            "month_range": month_range,
            "sources": engine.sources(),
            "examples": [] if q.strip() else [d.title for d in engine.recent(4)],
            "max_k": config.max_k,
        },
    )


def month_range(month: str) -> dict[str, str]:
    """The date filter of one month ("2025-06": its first and last day), for the month facet's links."""
    year, number = int(month[:4]), int(month[5:7])
    return {"date_from": f"{month}-01", "date_to": f"{month}-{monthrange(year, number)[1]:02d}"}


def parse_k(raw: str, default: int, largest: int) -> int | None:
    """``k`` as the API reads it: ASCII digits within 1..``largest`` ("²", "①" or 5,000 nines are not numbers
    here); empty means the default; anything else is ``None``."""
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= largest:
        return None
    return int(raw)


@router.get("/documents/{doc_id:path}", response_class=HTMLResponse)
def page_document(
    request: Request,
    doc_id: str,
    engine: EngineDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    p: str = "",
    ui: str = "id",
    part: str = "",
):
    ui = ui if ui in ("id", "en") else "id"
    found = engine.document(doc_id)
    # a long article is shown in parts: the one asked for, else the one holding the cited passage
    number = int(part) if part.isascii() and part.isdigit() and len(part) <= 6 else None
    piece = document_part(*found, settings.web.max_document_chars, number, p) if found else None
    if piece is None:
        return templates.TemplateResponse(
            request, "error.html", {"t": labels(ui), "ui": ui, "message": doc_id[:200]}, status_code=404
        )
    cited = next((x for x in piece.passages if x.passage_id == p), None)
    return templates.TemplateResponse(
        request,
        "document.html",
        {
            "doc": found[0] if found else None,
            "passages": piece.passages,
            "piece": piece,
            "marked": p,
            "cited": cited,
            "t": labels(ui),
            "ui": ui,
        },
    )
