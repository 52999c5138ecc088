"""Shared fixtures: the real default model, a real index of seeds/, a real server on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from berita import SearchEngine, Settings
from berita.embed import load_embedder
from berita.embed.registry import default_registry
from berita.ingest import build

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_EVAL = ROOT.parent / "shared" / "eval"
# the fields of one result in the --json output and the API: a contract other tools rely on
RESULT_FIELDS = {
    "rank",
    "score",
    "doc_id",
    "passage_id",
    "title",
    "source",
    "date",
    "text",
    "start",
    "end",
    "paragraphs",
    "more",
}


@pytest.fixture(scope="session")
def embedder():
    return load_embedder("", default_registry())


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory, embedder) -> Settings:
    settings = Settings().replace(index_dir=tmp_path_factory.mktemp("seed-index") / "index")
    build([SEEDS], settings, embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def engine(seed_settings, embedder) -> SearchEngine:
    return SearchEngine.load(seed_settings, embedder)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_module(*args: str, env: dict | None = None, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        **kw,
    )


@contextmanager
def serving(
    index_dir: Path, command: list[str] | None = None, port: int | None = None, env: dict | None = None
) -> Iterator[str]:
    """``python -m web`` (or ``command``, started on ``port``) on a free loopback port, as a user would start it,
    with ``env`` added to the environment; yields its base URL."""
    port = port or free_port()
    proc = subprocess.Popen(
        command or [sys.executable, "-m", "web", "--index", str(index_dir), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    pytest.fail(f"server did not start: {proc.stdout.read() if proc.stdout else ''}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="session")
def server(seed_settings):
    with serving(seed_settings.storage.index_dir) as base:
        yield base


@pytest.fixture(scope="module")
def client(server):
    """An HTTP client of the seeds' server (a module may define its own, with a tighter timeout)."""
    import httpx

    with httpx.Client(base_url=server, timeout=60) as c:
        yield c
