"""HTTP and HTML over the engine; nothing here knows how an index is built."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ..core.config import Settings
from ..engine import SearchEngine
from ..errors import BeritaError, QueryError
from .deps import EngineHolder, require_read_key, require_write_key
from .keys import Keys
from .limits import Limits
from .observe import Metrics, observe
from .render import (
    citation,
    document_citation,
    document_link,
    format_date,
    format_month,
    highlight,
    paragraph_label,
    passage_paragraphs,
    safe_url,
    url_with,
)
from .routes import api, documents, pages

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
MAX_ECHO = 200  # characters of a rejected input an error body may repeat
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
# Swagger UI's page starts itself with an inline script; only /docs may run one.
DOCS_CSP = SECURITY_HEADERS["Content-Security-Policy"] + "; script-src 'self' 'unsafe-inline'"


def create_app(settings: Settings | None = None, engine: SearchEngine | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loaded = engine or SearchEngine.load(settings)
        loaded.observer = app.state.metrics.observe_stage
        app.state.engines = EngineHolder(loaded)
        app.state.ready = threading.Event()
        threading.Thread(target=_warm, args=(loaded, app.state.ready), daemon=True).start()
        yield

    app = FastAPI(
        title="Berita search",
        version="0.1.0",
        lifespan=lifespan,
        description="Bilingual (Indonesian/English) search and answers over Indonesian news.",
        docs_url=None,  # served below from the packaged Swagger UI, not from a CDN
        redoc_url=None,
    )
    swagger = _swagger_files()
    if swagger:  # mounted before /static, which would otherwise take its paths
        app.mount("/static/swagger", StaticFiles(directory=swagger), name="swagger")
        app.add_api_route("/docs", _docs, include_in_schema=False, response_class=HTMLResponse)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        highlight=highlight,
        citation=citation,
        paragraph_label=paragraph_label,
        passage_paragraphs=passage_paragraphs,
        document_citation=document_citation,
        document_link=document_link,
        format_date=format_date,
        format_month=format_month,
        url_with=url_with,
        safe_url=safe_url,
    )
    app.state.settings, app.state.templates = settings, templates
    app.state.metrics = Metrics(lambda: getattr(getattr(app.state, "engines", None), "engine", None))
    app.add_exception_handler(QueryError, _query_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.middleware("http")(observe)
    app.middleware("http")(_security_headers)
    app.add_middleware(Limits, web=settings.web, headers=SECURITY_HEADERS)  # before any route
    if settings.web.cors_origins:  # browser apps on these origins may call the API; none by default
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.web.cors_origins),
            allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
            max_age=600,
        )
    keys = Keys.from_settings(settings.web)
    app.state.keys = keys
    reads = [Depends(require_read_key)] if keys.read else []
    app.include_router(api.health)
    app.include_router(api.router, dependencies=reads)
    app.include_router(documents.router, dependencies=reads)
    if keys.write:  # without write keys the server has no write routes at all
        app.include_router(documents.writes, dependencies=[Depends(require_write_key)])
    app.include_router(pages.router)
    return app


def _warm(engine: SearchEngine, ready: threading.Event) -> None:
    """One search through every stage, so that /readyz says ready when the first user's search is not the slow one."""
    try:
        engine.search("berapa nilai investasi di Batang?", k=3)
    except BeritaError as exc:
        log.warning("warm-up search failed: %s", exc)
    ready.set()


def _swagger_files() -> str | None:
    """Swagger UI 5 as fastapi-offline ships it (it reads OpenAPI 3.1, which FastAPI writes; the 3.x UI of
    swagger-ui-bundle showed "Unable to render this definition")."""
    try:
        import fastapi_offline
    except ImportError:
        return None
    return str(Path(fastapi_offline.__file__).parent / "static")


async def _docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Berita search — API",
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/swagger/favicon.png",
    )


async def _security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.url.path == "/docs":
        response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


async def _query_error(request: Request, exc: QueryError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": str(exc)})


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [_capped(e) for e in exc.errors()]
    for error in errors:  # the schema's pattern for q says "not only spaces"; say it in words
        if error.get("type") == "string_pattern_mismatch" and error["loc"][-1] == "q":
            error["msg"] = "the query is empty (only spaces)"
    messages = [f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}" for e in errors]
    return JSONResponse(status_code=422, content={"detail": "; ".join(messages), "errors": jsonable_encoder(errors)})


def _capped(error: Any) -> dict:
    """A validation error without more than ``MAX_ECHO`` characters of what was sent."""
    error = {k: v for k, v in dict(error).items() if k != "ctx" or isinstance(v, dict)}
    value = error.get("input")
    if isinstance(value, str) and len(value) > MAX_ECHO:
        error["input"] = value[:MAX_ECHO] + f"… ({len(value)} characters)"
    elif value is not None and not isinstance(value, (str, int, float, bool)):
        error["input"] = str(value)[:MAX_ECHO]
    return error
