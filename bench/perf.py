"""Speed and memory: the model's runtimes side by side (bench/encoders.py), indexing throughput against the bare model, query latency in-process and over
HTTP, cold start, and the vector index at 100k and 1M passages.

    .venv/bin/python -m bench.perf                       # every part (about 10 minutes on 2 cores)
    .venv/bin/python -m bench.perf --parts query,http    # some parts
    .venv/bin/python -m bench.perf --backend milvus      # Milvus Lite beside the local backend at 100k (bench/scale_out.py)

Prints a table and writes bench/results/perf.json. The runtimes and Milvus parts run bench.encoders and
bench.scale_out in their own processes, which print their own tables as they finish; perf.json keeps their figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from bench.datasets import EVAL_DIR, EVAL_INDEX, ROOT, indosum_sample, question_texts, seed_questions
from bench.metrics import percentiles
from bench.results import write_results
from bench.synthetic import synthetic
from berita import SearchEngine, Settings, build
from berita.backends import read_index
from berita.backends.ann import FaissIndex, build_index
from berita.embed import load_embedder
from berita.ingest import prepare, read_articles

PARTS = ("encoders", "indexing", "query", "http", "scale", "milvus", "hostile")


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# ---- hostile files ----------------------------------------------------------------------------
_PARAGRAPH = "Harga cabai di pasar Batang turun lagi pada Senin pagi menurut para pedagang. " * 8 + "\n"
HOSTILE = {  # one file each, read, cleaned and chunked as a build does, in a fresh process
    "article_50mb": _PARAGRAPH * (50_000_000 // len(_PARAGRAPH) + 1),
    "punctuation_1mb": "Judul\n\n" + "." * 1_000_000,
}
_READ = """
import json, re, sys, time
from pathlib import Path
from berita import Settings
from berita.ingest import prepare, read_articles
started = time.perf_counter()
docs, passages = prepare(read_articles([Path(sys.argv[1])]), Settings(), note_cut=lambda m: None)
seconds = time.perf_counter() - started
peak = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024
print(json.dumps({"mb": Path(sys.argv[1]).stat().st_size / 1e6, "seconds": round(seconds, 2),
                  "peak_rss_mb": round(peak, 1), "passages": len(passages)}))
"""


def bench_hostile() -> dict:
    """Time and peak memory of one huge article and one megabyte of dots (issue 30: 93 s for 64,000 dots)."""
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, text in HOSTILE.items():
            path = Path(folder) / f"{name}.txt"
            path.write_text(text, encoding="utf-8")
            proc = subprocess.run(
                [sys.executable, "-c", _READ, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=600
            )
            out[name] = json.loads(proc.stdout.splitlines()[-1])
            path.unlink()
    return out


# ---- indexing -------------------------------------------------------------------------------
def bench_indexing(eval_dir: Path, articles: int, embedder) -> tuple[dict, np.ndarray]:
    subset = indosum_sample(eval_dir, articles, Path(tempfile.mkdtemp()))
    settings = Settings.from_env(index_dir=subset.parent / "index")
    _, passages = prepare(read_articles([subset]), settings)
    texts = [p.text for p in passages]

    started = time.perf_counter()
    vectors = np.concatenate([embedder.encode_passages(texts[i : i + 32]) for i in range(0, len(texts), 32)])
    raw = time.perf_counter() - started
    report = build([subset], settings, embedder)
    rebuild = build([subset], settings, embedder)
    shutil.rmtree(subset.parent, ignore_errors=True)
    return {
        "articles": articles,
        "passages": len(texts),
        "model_only_passages_per_s": round(len(texts) / raw, 2),
        "build_passages_per_s": round(len(texts) / report.seconds, 2),
        "overhead_pct": round(100 * (report.seconds / raw - 1), 1),
        "unchanged_rebuild_s": round(rebuild.seconds, 2),
        "peak_rss_mb": peak_rss_mb(),
    }, vectors


# ---- queries in-process -----------------------------------------------------------------------
def seed_index(embedder) -> Settings:
    settings = Settings.from_env(index_dir=ROOT / "data" / "bench" / "seed-index")
    build([ROOT / "seeds"], settings, embedder)
    return settings


def bench_query(settings: Settings, embedder) -> dict:
    engine = SearchEngine.load(settings, embedder)
    questions = [q.text for q in seed_questions()]
    indonesian = [q.text for q in seed_questions() if q.lang == "id"]
    out = {"cold_cache": _timed(engine, questions, clear=True), "warm": _timed(engine, questions)}
    # what the reranker costs: Indonesian questions are the ones it runs on
    for name, options in (
        ("warm_id", {}),
        ("warm_id_no_rerank", {"rerank": False}),
    ):
        out[name] = _timed(engine, indonesian, **options)
    return out


def _timed(engine: SearchEngine, questions: list[str], clear: bool = False, rounds: int = 3, **options) -> dict:
    times = []
    for _ in range(rounds):
        for q in questions:
            if clear:
                engine.clear_cache()
            started = time.perf_counter()
            engine.search(q, **options)
            times.append(time.perf_counter() - started)
    return percentiles(times)


# ---- over HTTP --------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_http(settings: Settings, requests: int) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "web", "--index", str(settings.storage.index_dir), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                urllib.request.urlopen(url + "/api/search?q=berapa+nilai+investasi+Allmed%3F", timeout=5).read()
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - started > 120:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.05)
        out: dict[str, Any] = {"cold_start_s": round(time.perf_counter() - started, 2)}
        runs = [(unique, concurrency, False) for unique in (False, True) for concurrency in (1, 4, 16)]
        runs += [(True, concurrency, True) for concurrency in (1, 4)]  # search only: answer=false, nothing read
        for unique, concurrency, search_only in runs:
            args = (
                [
                    sys.executable,
                    str(ROOT / "bench" / "loadgen.py"),
                    url,
                    "--requests",
                    str(requests),
                    "--concurrency",
                    str(concurrency),
                ]
                + (["--unique"] if unique else [])
                + (["--no-answer"] if search_only else [])
            )
            result = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
            row = percentiles(result["latencies"])
            row["rps"] = round(len(result["latencies"]) / result["wall_seconds"], 1)
            row["errors"] = result["errors"]
            name = f"{'unique' if unique else 'repeated'}_c{concurrency}"
            out[f"search_only_{name}" if search_only else name] = row
        return out
    finally:
        server.terminate()
        server.wait(timeout=10)


# ---- scale ------------------------------------------------------------------------------------
def timed_search(index, queries: np.ndarray, k: int = 10) -> tuple[np.ndarray, dict]:
    ids, times = [], []
    for q in queries:
        started = time.perf_counter()
        ids.append(index.search(q[None, :], k)[1][0])
        times.append(time.perf_counter() - started)
    return np.array(ids), percentiles(times)


def bench_scale(base: np.ndarray, queries: np.ndarray, sizes: list[int]) -> dict:
    out = {}
    for n in sizes:
        vectors = synthetic(base, n)
        exact = build_index(vectors, "faiss", exact_max=n)
        truth, exact_lat = timed_search(exact, queries)
        row: dict[str, Any] = {"exact": {**exact_lat, "memory_mb": round(vectors.nbytes / 2**20, 1)}}
        del exact
        started = time.perf_counter()
        ivf = FaissIndex.build(vectors, exact_max=0)
        row["ivf_build_s"] = round(time.perf_counter() - started, 1)
        # 8-bit codes and ids; the float vectors stay in vectors.npy (memory-mapped: the k x 4 rescored rows are read)
        row["ivf_memory_mb"] = round((vectors.shape[0] * vectors.shape[1] + 8 * n) / 2**20, 1)
        for nprobe in (32, 64, 96, 128, 192):
            ivf.set_nprobe(nprobe)
            found, lat = timed_search(ivf, queries)
            recall = float(np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)]))
            row[f"ivf_nprobe{nprobe}"] = {**lat, "recall@10": round(recall, 4), "memory_mb": row["ivf_memory_mb"]}
        out[str(n)] = row
        del vectors, ivf
    return out


def query_vectors(embedder, eval_dir: Path, n: int = 200) -> np.ndarray:
    questions = [q.text for q in seed_questions()]
    questions += question_texts(eval_dir, n // 2, missing_ok=True)
    return embedder.encode_queries(questions[:n])


# ---- other benchmarks, each in its own process ------------------------------------------------------
def run_benchmark(module: str, eval_dir: Path) -> dict:
    """``python -m module --eval eval_dir`` in its own process (it prints its own table) and the results it wrote."""
    sys.stdout.flush()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.json"
        subprocess.run([sys.executable, "-m", module, "--eval", str(eval_dir), "--out", str(out)], cwd=ROOT, check=True)
        return json.loads(out.read_text(encoding="utf-8"))


def print_table(results: dict) -> None:
    print(f"machine: {results['machine']}")
    if "indexing" in results:
        i = results["indexing"]
        print(
            f"indexing {i['passages']} IndoSum passages: model alone {i['model_only_passages_per_s']}/s, "
            f"full build {i['build_passages_per_s']}/s (overhead {i['overhead_pct']}%), unchanged rebuild "
            f"{i['unchanged_rebuild_s']}s, peak RSS {i['peak_rss_mb']} MB"
        )
    for part in ("query", "http"):
        for name, row in results.get(part, {}).items():
            if isinstance(row, dict):
                extra = f"  {row['rps']:>7.1f} req/s" if "rps" in row else ""
                print(
                    f"{part:<6}{name:<28}p50 {row['p50_ms']:>8.2f} ms  p95 {row['p95_ms']:>8.2f} ms  p99 {row['p99_ms']:>8.2f} ms{extra}"
                )
            else:
                print(f"{part:<6}{name:<28}{row}")
    for n, row in results.get("scale", {}).items():
        e = row["exact"]
        print(
            f"scale {n:>8}: exact p50 {e['p50_ms']} ms p95 {e['p95_ms']} ms ({e['memory_mb']} MB); IVF build {row['ivf_build_s']}s, {row['ivf_memory_mb']} MB"
        )
        for key, r in row.items():
            if key.startswith("ivf_nprobe"):
                print(
                    f"      {key:<16} p50 {r['p50_ms']:>6.2f} ms  p95 {r['p95_ms']:>6.2f} ms  recall@10 {r['recall@10']:.3f}"
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=EVAL_DIR)
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--backend", choices=["local", "milvus"], help="milvus: the Milvus part alone (--parts milvus)")
    parser.add_argument("--articles", type=int, default=150, help="IndoSum articles for the indexing part")
    parser.add_argument("--requests", type=int, default=300, help="HTTP requests per concurrency level")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "perf.json")
    args = parser.parse_args()
    parts = ["milvus"] if args.backend == "milvus" else args.parts.split(",")
    embedder = load_embedder()
    results: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}
    base = None
    if "encoders" in parts:
        results["encoders"] = run_benchmark("bench.encoders", args.eval)
    if "indexing" in parts:
        results["indexing"], base = bench_indexing(args.eval, args.articles, embedder)
    settings = seed_index(embedder)
    if "query" in parts:
        results["query"] = bench_query(settings, embedder)
    if "http" in parts:
        results["http"] = bench_http(settings, args.requests)
    if "scale" in parts:
        # re-sample from as many real passage embeddings as there are: the quality benchmark's index
        # (26k IndoSum/FacQA/news passages) where it was built, else this run's IndoSum passages
        if (EVAL_INDEX / "CURRENT").exists():
            base = np.asarray(read_index(EVAL_INDEX).vectors)
        elif base is None:
            base = np.asarray(read_index(settings.storage.index_dir).vectors)
        results["scale_base_passages"] = len(base)
        results["scale"] = bench_scale(
            base, query_vectors(embedder, args.eval), [int(s) for s in args.sizes.split(",")]
        )
    if "milvus" in parts:
        results["milvus"] = run_benchmark("bench.scale_out", args.eval)  # 100,000 passages and the Ray build
    if "hostile" in parts:
        results["hostile"] = bench_hostile()
    print_table(results)
    if args.out.exists() and set(parts) != set(PARTS):  # a partial run keeps the other parts' last figures
        results = {**json.loads(args.out.read_text(encoding="utf-8")), **results}
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
