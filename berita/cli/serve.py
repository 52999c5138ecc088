"""python -m berita serve (or python -m web) [--host H] [--port P] [--index DIR]: serve the pages and the JSON API."""

from __future__ import annotations

import argparse
import sys

from ..core.config import Settings
from ..engine import SearchEngine
from ..errors import BeritaError
from ..web import create_app
from ..web.server import run
from . import add_storage_arguments, setup_logging, storage


def main(argv: list[str] | None = None, prog: str = "python -m web") -> int:
    setup_logging()
    parser = argparse.ArgumentParser(prog=prog, description="Serve the search page and JSON API.")
    parser.add_argument("--host", help="default 127.0.0.1")
    parser.add_argument("--port", type=int, help="default 8000")
    add_storage_arguments(parser)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(host=args.host, port=args.port, **storage(args))
        engine = SearchEngine.load(settings)  # fail here, clearly, rather than on the first request
        app = create_app(settings, engine)  # bad API keys fail here too
    except BeritaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    web, keys = settings.web, app.state.keys
    writes = (
        f"writes open to {len(keys.write)} key(s)"
        if keys.write
        else "read-only: no write routes (set BERITA_API_KEYS to add, replace and delete articles over HTTP)"
    )
    reads = "reads need a key" if keys.read else "reads open"
    print(f"serving {engine.info.passages} passages on http://{web.host}:{web.port}/ ({writes}; {reads})", flush=True)
    run(app, web)
    return 0
