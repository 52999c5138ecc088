"""What operators watch: Prometheus metrics (``/metrics``: requests and latency per route, the search's stages, the
index's size and model), a request id on every response and in the access log, and JSON log lines on request."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator

from fastapi import Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily

access = logging.getLogger("berita.access")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")  # a caller's own id is kept when it looks like one


class Metrics:
    """One registry per app (tests start several), with the engine's figures read when scraped."""

    def __init__(self, engine: Callable[[], object]):
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "berita_requests", "HTTP requests answered", ["route", "method", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "berita_request_seconds", "time to answer, by route", ["route", "method"], registry=self.registry
        )
        self.stages = Histogram(
            "berita_search_stage_seconds", "time in each stage of a search", ["stage"], registry=self.registry
        )
        self.registry.register(_IndexCollector(engine))

    def observe_stage(self, stage: str, seconds: float) -> None:
        self.stages.labels(stage).observe(seconds)


class _IndexCollector:
    def __init__(self, engine: Callable[[], object]):
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily | InfoMetricFamily]:
        info = getattr(self.engine(), "info", None)
        if info is None:
            return
        yield GaugeMetricFamily("berita_index_documents", "documents in the index", value=info.documents)
        yield GaugeMetricFamily("berita_index_passages", "passages in the index", value=info.passages)
        yield InfoMetricFamily(
            "berita_index",
            "the index searched",
            value={"model": info.model, "runtime": info.runtime, "version": info.generation},
        )


async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Time the request, count it under its route's template (not its raw path: ids would explode the labels),
    give it a request id, and write the access line where asked."""
    started = time.perf_counter()
    given = request.headers.get("x-request-id", "")
    request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    response = await call_next(request)
    seconds = time.perf_counter() - started
    route = getattr(request.scope.get("route"), "path", "unmatched")
    metrics: Metrics = request.app.state.metrics
    metrics.requests.labels(route, request.method, str(response.status_code)).inc()
    metrics.latency.labels(route, request.method).observe(seconds)
    response.headers["X-Request-ID"] = request_id
    if request.app.state.settings.web.access_log:
        access.info(
            "%s %s %d %.1fms %s",
            request.method,
            request.url.path[:200],
            response.status_code,
            seconds * 1000,
            request_id,
            extra={"request_id": request_id},
        )
    return response
