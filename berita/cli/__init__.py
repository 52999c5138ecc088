"""The command line: ``python -m berita index|search|serve|prepare`` (``python -m indexer build``, ``python -m search``
and ``python -m web`` are kept as aliases)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ..core import logs


def setup_logging() -> None:
    """Progress and warnings go to stderr, as plain lines or JSON (BERITA_LOG_FORMAT); results go to stdout."""
    logs.setup(json_lines=os.environ.get("BERITA_LOG_FORMAT", "text") == "json")


def add_storage_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the index lives: the same three flags on the index, search and serve commands."""
    parser.add_argument("--index", type=Path, help="index directory (default: $BERITA_INDEX_DIR or data/index)")
    parser.add_argument("--backend", choices=["local", "milvus"], help="where the index lives (default: local)")
    parser.add_argument(
        "--milvus-uri", help="Milvus Lite file or http://host:19530 (default: $BERITA_MILVUS_URI or data/milvus.db)"
    )


def storage(args: argparse.Namespace) -> dict[str, Any]:
    """The storage flags as ``Settings`` overrides (``None``: not given)."""
    return {"index_dir": args.index, "backend": args.backend, "milvus_uri": args.milvus_uri}


def main(argv: list[str] | None = None) -> int:
    from . import index, prepare, search, serve

    commands = {"index": index.main, "search": search.main, "serve": serve.main, "prepare": prepare.main}
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in commands:
        print("usage: berita {index|search|serve|prepare} ... (or python -m berita)", file=sys.stderr)
        return 2
    return commands[args[0]](args[1:], prog=f"python -m berita {args[0]}")
