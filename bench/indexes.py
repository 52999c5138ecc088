"""The benchmark indexes: built from their corpora with the stored embeddings of bench/data (so a fresh clone embeds
only passages the file lacks), and checked against the model."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import numpy as np

from bench.datasets import ROOT
from berita import SearchEngine, Settings, build
from berita.backends import LocalIndex, read_index
from berita.embed import write_vectors_file

VECTORS_FILE = ROOT / "bench" / "data" / "eval-vectors.npz"


def load_engine(
    paths: list[Path], index_dir: Path, vectors_file: Path | None = None, runtime: str = "", backend: str = "local"
) -> tuple[SearchEngine, dict]:
    """An engine over ``paths``, indexed in ``index_dir`` (one folder per runtime of the model), or in a Milvus
    Lite file beside it, which takes its vectors from the local index where that was built (no re-embedding)."""
    local_dir = index_dir.with_name(f"{index_dir.name}-{runtime}") if runtime else index_dir
    index_dir = local_dir if backend == "local" else local_dir.with_name(f"{local_dir.name}-{backend}")
    settings = Settings.from_env(
        index_dir=index_dir, runtime=runtime or None, backend=backend, milvus_uri=str(index_dir / "milvus.db")
    )
    if backend != "local" and (local_dir / "CURRENT").exists():
        vectors_file = index_dir / "local-vectors.npz"
        local = read_index(local_dir)
        save_vectors(local, f"{local.manifest.model}@{local.manifest.runtime}", vectors_file)
    started = time.perf_counter()
    report = build(paths, settings, vectors_file=vectors_file if vectors_file and vectors_file.exists() else None)
    engine = SearchEngine.load(settings)
    build_info = {
        "seconds": round(time.perf_counter() - started, 1),
        "passages": report.passages,
        "embedded": report.embedded,
    }
    print(
        f"index {index_dir}: {report.passages} passages, {report.embedded} embedded, {report.seconds:.1f}s",
        file=sys.stderr,
    )
    return engine, build_info


def check_stored_vectors(engine: SearchEngine, index: LocalIndex, sample: int = 64, seed: int = 0) -> dict:
    """Re-embed a random sample of passages: the stored vectors must be this model's, and the time it
    takes gives the embedding rate, hence what a build from nothing costs on this machine."""
    rng = random.Random(seed)
    picks = rng.sample(range(len(index.passages)), min(sample, len(index.passages)))
    texts = [index.passages[i].text for i in picks]
    started = time.perf_counter()
    fresh = engine.embedder.encode_passages(texts)
    rate = len(texts) / (time.perf_counter() - started)
    agreement = float(np.min(np.sum(fresh * index.vectors[picks], axis=1)))
    if agreement < 0.99:
        raise SystemExit(
            f"stored embeddings disagree with {engine.embedder.name} (cosine {agreement:.3f}); "
            f"delete {VECTORS_FILE} and data/bench/eval-index, then run with --save-vectors"
        )
    passages = len(index.passages)
    return {
        "min_cosine_vs_model": round(agreement, 5),
        "passages_per_second": round(rate, 1),
        "full_embedding_minutes": round(passages / rate / 60, 1),
    }


def save_vectors(index: LocalIndex, space: str, path: Path) -> None:
    keys, rows = np.unique(np.array(index.keys), return_index=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_vectors_file(path, space, keys.tolist(), index.vectors[rows].astype(np.float16))
    print(f"wrote {len(keys)} embeddings to {path}", file=sys.stderr)


NEWSROOM_INDEX = ROOT / "data" / "bench" / "newsroom-index"


def newsroom_engine(eval_dir: Path) -> SearchEngine:
    """The engine over the newsroom archive, the seeds + every IndoSum article, built once with the stored
    embeddings (bench/newsroom.py, training/calibrate.py)."""
    engine, _ = load_engine([ROOT / "seeds", eval_dir / "indosum_articles.jsonl"], NEWSROOM_INDEX, VECTORS_FILE)
    return engine
