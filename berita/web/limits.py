"""Limits every request meets before a route sees it (an ASGI middleware): the length of its address, the size of
its body and the time a read may take; and ``HEAD``, answered as ``GET`` without the body."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

from ..core.config import WebConfig

Scope = dict[str, Any]


class Limits:
    def __init__(self, app: Any, web: WebConfig, headers: Mapping[str, str]):
        self.app, self.web = app, web
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        web = self.web
        if len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") > web.max_url_chars:
            await self._refuse(send, 414, f"the request's address is longer than {web.max_url_chars} characters")
            return
        length = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > web.max_body_bytes:
            await self._refuse(send, 413, f"the request's body is larger than {web.max_body_bytes} bytes")
            return
        started = False

        async def sending(message: dict) -> None:
            nonlocal started
            started = True
            if head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        head = scope["method"] == "HEAD"
        if head:  # every GET route answers HEAD: the same status and headers, no body
            scope = {**scope, "method": "GET"}
        if scope["method"] not in ("GET", "HEAD"):  # a write runs to its end: a 503 must never hide a done change
            await self.app(scope, receive, sending)
            return
        try:
            await asyncio.wait_for(self.app(scope, receive, sending), web.request_timeout)
        except TimeoutError:
            if not started:
                await self._refuse(
                    send, 503, f"the request took longer than {web.request_timeout:g} s; try again, or a narrower one"
                )

    async def _refuse(self, send: Any, status: int, detail: str) -> None:
        body = json.dumps({"detail": detail}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers + self.headers})
        await send({"type": "http.response.body", "body": body})
