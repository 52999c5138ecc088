"""The dependencies routes declare (as full-stack-fastapi-template's api/deps.py does), and the engine holder
that follows the index's ``CURRENT`` generation without a restart."""

from __future__ import annotations

import logging
import threading
import time
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates

from ..backends import open_backend
from ..core.config import Settings
from ..engine import SearchEngine
from ..errors import BeritaError

log = logging.getLogger(__name__)


class EngineHolder:
    """The engine requests use now. At most every ``check_every`` seconds a request looks whether the index has
    a new generation; if so the new one is loaded (the embedder and learned stages are kept) and swapped in at
    once. Requests already running keep the engine they started with, so none fails during a switch; a switch
    that cannot be read yet (a build mid-way) is tried again at the next check."""

    def __init__(self, engine: SearchEngine, check_every: float = 1.0):
        self.engine = engine
        self.check_every = check_every
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    def current(self) -> SearchEngine:
        now = time.monotonic()
        if now - self._checked >= self.check_every and self._lock.acquire(blocking=False):
            try:
                self._checked = now
                self._follow()
            finally:
                self._lock.release()
        return self.engine

    def _follow(self) -> None:
        engine = self.engine
        try:
            if engine.generation_changed():
                backend = engine.backend
                self.engine = engine.with_backend(backend.reopen() if backend.reopen else open_backend(engine.settings))
                log.info("now serving %s", self.engine.info.generation)
        except BeritaError as exc:
            log.warning("index changed but cannot be read yet (%s); still serving %s", exc, engine.info.generation)

    def refresh(self) -> SearchEngine:
        """Follow the index now (after a write through this server: its caller reads what it wrote)."""
        with self._lock:
            self._checked = time.monotonic()
            self._follow()
        return self.engine


def get_engine(request: Request) -> SearchEngine:
    return request.app.state.engines.current()


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


BEARER = HTTPBearer(auto_error=False, description="an API key: Authorization: Bearer <key>")


def _role(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    return request.app.state.keys.role(credentials.credentials if credentials else None)


def require_write_key(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
) -> None:
    """401 without a key or with an unknown one, 403 for a read-only key."""
    role = _role(request, credentials)
    if role is None:
        raise HTTPException(401, "this needs a write key: Authorization: Bearer <key>", {"WWW-Authenticate": "Bearer"})
    if role != "write":
        raise HTTPException(403, "this key may only read")


def require_read_key(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
) -> None:
    """Where read keys are set: 401 without a read or write key."""
    if _role(request, credentials) is None:
        raise HTTPException(401, "this needs an API key: Authorization: Bearer <key>", {"WWW-Authenticate": "Bearer"})


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


EngineDep = Annotated[SearchEngine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
