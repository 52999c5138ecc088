"""HTTP and HTML over the search library; nothing here knows how an index is built."""

from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from search.engine import QueryError, SearchEngine
from search.settings import Settings
from search.types import Document, Filters, Passage, SearchResponse

from .render import citation, document_citation, format_date, highlight, labels, passage_label, url_with

HERE = Path(__file__).parent


@dataclass
class DocumentResponse:
    document: Document
    passages: list[Passage]


@dataclass
class Health:
    status: str
    model: str
    documents: int
    passages: int
    built_at: str


def create_app(settings: Settings | None = None, engine: SearchEngine | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    max_query, max_k = settings.max_query_chars, settings.max_k

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = engine or SearchEngine.load(settings)
        yield

    app = FastAPI(title="Berita search", version="0.1.0", lifespan=lifespan,
                  description="Bilingual (Indonesian/English) search and answers over Indonesian news.")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(highlight=highlight, citation=citation, passage_label=passage_label,
                                 document_citation=document_citation, format_date=format_date, url_with=url_with)

    def get_engine(request: Request) -> SearchEngine:
        return request.app.state.engine

    Engine = Annotated[SearchEngine, Depends(get_engine)]

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError):
        return JSONResponse(status_code=422, content={"detail": str(exc)})

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        messages = [f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}" for e in exc.errors()]
        return JSONResponse(status_code=422, content={"detail": "; ".join(messages), "errors": jsonable_encoder(exc.errors())})

    @app.get("/healthz", response_model=Health)
    def healthz(engine: Engine) -> Health:
        m = engine.index.manifest
        return Health("ok", m.model, m.documents, m.passages, m.built_at)

    @app.get("/api/search", response_model=SearchResponse)
    def api_search(engine: Engine,
                   q: Annotated[str, Query(min_length=1, max_length=max_query, description="the question or keywords")],
                   k: Annotated[int, Query(ge=1, le=max_k, description="number of passages")] = 10,
                   lang: Annotated[Literal["id", "en"] | None, Query(description="query language; detected when absent")] = None,
                   source: Annotated[str | None, Query(max_length=200, description="only this source (case-insensitive)")] = None,
                   date_from: Annotated[date | None, Query(description="only articles dated on or after (YYYY-MM-DD)")] = None,
                   date_to: Annotated[date | None, Query(description="only articles dated on or before (YYYY-MM-DD)")] = None,
                   offset: Annotated[int, Query(ge=0, le=10 * max_k, description="skip this many passages (paging)")] = 0,
                   ) -> SearchResponse:
        filters = Filters(source or None, date_from and date_from.isoformat(), date_to and date_to.isoformat())
        return engine.search(q, k=k, lang=lang, filters=filters, offset=offset)

    @app.get("/api/documents/{doc_id}", response_model=DocumentResponse)
    def api_document(doc_id: str, engine: Engine) -> DocumentResponse:
        found = engine.document(doc_id)
        if found is None:
            raise HTTPException(404, f"no document {doc_id!r}")
        return DocumentResponse(*found)

    @app.get("/", response_class=HTMLResponse)
    def page_search(request: Request, engine: Engine, q: str = "", k: str = "10", lang: str = "", ui: str = "",
                    source: str = "", date_from: str = "", date_to: str = ""):
        # The page never fails on odd parameters: it searches with sane ones or says what was wrong.
        response, error = None, None
        k = max(1, min(int(k) if k.isdigit() else settings.default_k, max_k))
        lang = lang if lang in ("id", "en") else ""
        filters = Filters(source or None, date_from or None, date_to or None)
        if q.strip():
            try:
                response = engine.search(q, k=k, lang=lang or None, filters=filters)
            except QueryError as exc:
                error = str(exc)
        chosen_ui = ui if ui in ("id", "en") else ""  # the reader's own choice sticks; otherwise labels follow the question
        ui = chosen_ui or (response.lang if response else (lang or "id"))
        return templates.TemplateResponse(request, "search.html", {
            "q": q, "k": k, "lang": lang, "response": response, "error": error, "t": labels(ui), "ui": ui, "chosen_ui": chosen_ui,
            "filters": filters, "sources": engine.sources(), "max_k": max_k})

    @app.get("/documents/{doc_id}", response_class=HTMLResponse)
    def page_document(request: Request, doc_id: str, engine: Engine, p: str = "", ui: str = "id"):
        found = engine.document(doc_id)
        if found is None:
            return templates.TemplateResponse(request, "error.html", {"t": labels(ui), "ui": ui, "message": doc_id}, status_code=404)
        doc, passages = found
        cited = next((x for x in passages if x.passage_id == p), None)
        return templates.TemplateResponse(request, "document.html", {
            "doc": doc, "passages": passages, "marked": p, "cited": cited, "t": labels(ui), "ui": ui})

    return app

