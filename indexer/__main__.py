"""python -m indexer build [PATHS...] [--index DIR] [--model NAME]"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from search.models import ModelError
from search.settings import Settings
from search.store import IndexStoreError

from .build import BuildError, build
from .readers import ReadError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m indexer", description="Build or update the search index.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="index articles (.txt, .md, .html, .jsonl files or folders)")
    b.add_argument("paths", nargs="*", type=Path, default=[Path("seeds")], help="files or folders (default: seeds/)")
    b.add_argument("--index", type=Path, help="index directory (default: $BERITA_INDEX_DIR or data/index)")
    b.add_argument("--model", help="model name from models.txt, a model directory, or a hub name")
    b.add_argument("--ann-backend", choices=["faiss", "numpy"])
    args = parser.parse_args(argv)
    settings = Settings.from_env(index_dir=args.index, model=args.model, ann_backend=args.ann_backend)
    try:
        report = build(args.paths, settings)
    except (BuildError, ReadError, ModelError, IndexStoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"indexed {report.documents} documents, {report.passages} passages "
          f"({report.embedded} embedded, {report.reused} reused, {report.removed_documents} documents removed, "
          f"{report.skipped} skipped) in {report.seconds:.1f}s -> {settings.index_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
