"""HTTP and HTML over the engine; nothing here knows how an index is built."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ..core.config import Settings
from ..engine import SearchEngine
from ..errors import QueryError
from .render import citation, document_citation, format_date, highlight, passage_label, url_with
from .routes import api, pages

HERE = Path(__file__).parent


def create_app(settings: Settings | None = None, engine: SearchEngine | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = engine or SearchEngine.load(settings)
        yield

    app = FastAPI(
        title="Berita search",
        version="0.1.0",
        lifespan=lifespan,
        description="Bilingual (Indonesian/English) search and answers over Indonesian news.",
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        highlight=highlight,
        citation=citation,
        passage_label=passage_label,
        document_citation=document_citation,
        format_date=format_date,
        url_with=url_with,
    )
    app.state.settings, app.state.templates = settings, templates
    app.add_exception_handler(QueryError, _query_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.include_router(api.router)
    app.include_router(pages.router)
    return app


async def _query_error(request: Request, exc: QueryError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": str(exc)})


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    messages = [f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}" for e in exc.errors()]
    return JSONResponse(
        status_code=422, content={"detail": "; ".join(messages), "errors": jsonable_encoder(exc.errors())}
    )
