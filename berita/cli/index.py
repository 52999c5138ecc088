"""python -m berita index [PATHS...] (or python -m indexer build [PATHS...]) [--index DIR] [--model NAME]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..backends import rollback
from ..core.config import Settings
from ..errors import BeritaError
from ..ingest import build
from . import add_storage_arguments, setup_logging, storage


def main(argv: list[str] | None = None, prog: str = "python -m berita index") -> int:
    """Index articles (.txt, .md, .html, .jsonl files or folders)."""
    setup_logging()
    b = argparse.ArgumentParser(
        prog=prog,
        description="Build or update the search index from articles (.txt, .md, .html, .jsonl files or folders).",
    )
    b.add_argument("paths", nargs="*", type=Path, default=[Path("seeds")], help="files or folders (default: seeds/)")
    add_storage_arguments(b)
    b.add_argument("--model", help="model name from models.txt, a model directory, or a hub name")
    b.add_argument("--ann-backend", choices=["faiss", "numpy"])
    b.add_argument(
        "--force",
        action="store_true",
        help="replace the index even when most inputs were rejected or most of its documents would be removed",
    )
    b.add_argument(
        "--rollback", action="store_true", help="make the version before the last build current again, and stop"
    )
    b.add_argument("--executor", choices=["local", "ray"], default="local", help="where passages are embedded")
    b.add_argument("--ray-address", help="a running Ray cluster (auto, or ray://host:10001); default: start one here")
    b.add_argument("--ray-actors", type=int, default=2, help="model copies embedding at once (default 2)")
    args = b.parse_args(argv)
    try:
        settings = Settings.from_env(model=args.model, ann_backend=args.ann_backend, **storage(args))
        if args.rollback:
            print(f"rolled back: {rollback(settings)} is current again (run --rollback again to undo)")
            return 0
        executor = None
        if args.executor == "ray":
            from ..embed.distributed import RayExecutor, RayOptions

            executor = RayExecutor(settings.embedding, RayOptions(address=args.ray_address, actors=args.ray_actors))
        report = build(args.paths, settings, executor=executor, force=args.force)
    except BeritaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"indexed {report.documents} documents, {report.passages} passages "
        f"({report.embedded} embedded, {report.reused} reused, {report.removed_documents} documents removed, "
        f"{report.skipped} skipped) in {report.seconds:.1f}s -> {report.location}"
    )
    if report.cut:
        print(f"{len(report.cut)} articles over the size limits were indexed in part (see the messages above)")
    if report.removed_documents:
        print(f"the previous version is kept until the next build: {prog} --rollback restores it")
    return 0
