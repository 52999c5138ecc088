"""The HTML pages: search (/) and a document with its cited passage (/documents/{doc_id})."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...core.schema import Filters
from ...errors import QueryError
from ..deps import EngineDep, SettingsDep, TemplatesDep
from ..render import labels

router = APIRouter()


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
    source: str = "",
    date_from: str = "",
    date_to: str = "",
):
    # The page never fails on odd parameters: it searches with sane ones or says what was wrong.
    config = settings.retrieval
    response, error = None, None
    size = max(1, min(int(k) if k.isdigit() else config.default_k, config.max_k))
    lang = lang if lang in ("id", "en") else ""
    filters = Filters(source or None, date_from or None, date_to or None)
    if q.strip():
        try:
            response = engine.search(q, k=size, lang=lang or None, filters=filters)
        except QueryError as exc:
            error = str(exc)
    chosen_ui = ui if ui in ("id", "en") else ""  # the reader's own choice sticks; otherwise labels follow the question
    ui = chosen_ui or (response.lang if response else (lang or "id"))
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
            "sources": engine.sources(),
            "max_k": config.max_k,
        },
    )


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def page_document(
    request: Request, doc_id: str, engine: EngineDep, templates: TemplatesDep, p: str = "", ui: str = "id"
):
    found = engine.document(doc_id)
    if found is None:
        return templates.TemplateResponse(
            request, "error.html", {"t": labels(ui), "ui": ui, "message": doc_id}, status_code=404
        )
    doc, passages = found
    cited = next((x for x in passages if x.passage_id == p), None)
    return templates.TemplateResponse(
        request,
        "document.html",
        {"doc": doc, "passages": passages, "marked": p, "cited": cited, "t": labels(ui), "ui": ui},
    )
