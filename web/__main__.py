"""python -m web [--host H] [--port P] [--index DIR]: serve the pages and the JSON API."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import uvicorn

from search.engine import SearchEngine
from search.models import ModelError
from search.settings import Settings
from search.store import IndexStoreError

from .app import create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web", description="Serve the search page and JSON API.")
    parser.add_argument("--host", help="default 127.0.0.1")
    parser.add_argument("--port", type=int, help="default 8000")
    parser.add_argument("--index", type=Path, help="index directory (default: $BERITA_INDEX_DIR or data/index)")
    args = parser.parse_args(argv)
    settings = Settings.from_env(host=args.host, port=args.port, index_dir=args.index)
    try:
        engine = SearchEngine.load(settings)  # fail here, clearly, rather than on the first request
    except (IndexStoreError, ModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"serving {engine.index.manifest.passages} passages on http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run(create_app(settings, engine), host=settings.host, port=settings.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
