"""Uvicorn with limits on slow clients: a connection that has not sent a request's headers within
``header_timeout`` seconds is closed (uvicorn waits for them forever, so 20,000 half-open requests stayed open)."""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..core.config import WebConfig


def guarded_protocol(header_timeout: float) -> type[H11Protocol]:
    """H11's protocol with a deadline for each request's headers: armed when the connection opens and after each
    response, met when a request's headers have been read."""

    class Guarded(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._deadline:
                self._deadline.cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self._deadline:
                self._deadline.cancel()
            waiting_since = self.cycle
            self._deadline = self.loop.call_later(header_timeout, self._too_slow, waiting_since)

        def _too_slow(self, waiting_since: Any) -> None:
            # no new request began since the deadline was armed: the headers never came
            if self.cycle is waiting_since and self.transport and not self.transport.is_closing():
                self.transport.close()

    return Guarded


def run(app: Any, web: WebConfig) -> None:
    uvicorn.run(
        app,
        host=web.host,
        port=web.port,
        log_level="warning",
        http=guarded_protocol(web.header_timeout),
        limit_concurrency=web.max_connections,
        timeout_keep_alive=5,
    )
