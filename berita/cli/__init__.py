"""The command line: ``python -m berita index|search|serve|prepare`` (``python -m indexer build``, ``python -m search``
and ``python -m web`` are kept as aliases)."""

from __future__ import annotations

import logging
import sys


def setup_logging() -> None:
    """Progress and warnings go to stderr as plain lines; results go to stdout."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    logging.getLogger("berita").setLevel(logging.INFO)  # ours: progress too; other libraries: warnings only


def main(argv: list[str] | None = None) -> int:
    from . import index, prepare, search, serve

    commands = {"index": index.main, "search": search.main, "serve": serve.main, "prepare": prepare.main}
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in commands:
        print("usage: python -m berita {index|search|serve|prepare} ...", file=sys.stderr)
        return 2
    return commands[args[0]](args[1:], prog=f"python -m berita {args[0]}")
