"""A million passages on one machine (issue 29): an index of real IndoSum text recombined, with re-sampled vectors
(embedding a million passages would take about a day on two cores), written by the product's own index writer, then
loaded by a fresh process that reports what an operator would ask.

    .venv/bin/python -m bench.million                          # 23,000 and 1,000,000 passages
    .venv/bin/python -m bench.million --passages 100000        # one size

Each document joins two real passages of the newsroom archive (the seeds + IndoSum; its index is built if missing),
so texts, titles, sources and dates are real and every passage is distinct. Reported per size: the build (seconds,
peak memory, bytes on disk), resident memory after load (and, in a process of its own, of the models alone, over
the seeds' 36 passages) and the load time, search-only p50/p95 for 200 real
questions (the engine without the reader, hybrid and reranked as shipped) with the dense run's recall@10 against exact
search over the same vectors, and the cost of adding one article and of deleting one (time and bytes written).
Writes bench/results/million.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.datasets import EVAL_DIR, ROOT, newsroom_questions
from bench.indexes import NEWSROOM_INDEX, newsroom_engine
from bench.metrics import percentiles
from bench.results import write_results
from bench.synthetic import synthetic
from bench.writing import folder_bytes
from berita import SearchEngine, Settings
from berita.backends.local import Manifest, read_index, write_index
from berita.core.schema import Document, Passage


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory now, in MB: all of it (VmRSS), or the part not mapped from files (RssAnon: what the kernel
    cannot drop and read again from the index's files)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def build(index_dir: Path, n: int, eval_dir: Path) -> dict:
    """An index of ``n`` passages, two real passages a document, written as a full build writes one."""
    if not (NEWSROOM_INDEX / "CURRENT").exists():
        newsroom_engine(eval_dir)  # builds it once
    source = read_index(NEWSROOM_INDEX)
    real, base = source.passages, np.asarray(source.vectors)
    rng = np.random.default_rng(29)
    started = time.perf_counter()
    documents: list[Document] = []
    passages: list[Passage] = []
    for d, (a, b) in enumerate(rng.integers(0, len(real), (n // 2, 2))):
        first, second = real[a], real[b]
        text = f"{first.text}\n{second.text}"
        origin = source.documents[first.doc_id]
        doc = replace(origin, doc_id=f"m{d}", title=f"{origin.title} ({d})", text=text, path=None, content_hash="")
        documents.append(doc)
        cut = len(first.text)
        passages.append(Passage(f"m{d}.p0", doc.doc_id, 0, 0, cut, first.text))
        passages.append(Passage(f"m{d}.p1", doc.doc_id, 1, cut + 1, len(text), second.text))
    vectors = synthetic(base, len(passages))
    keys = [f"synthetic-{p.passage_id}" for p in passages]  # no two alike: nothing is reused as another's vector
    m = source.manifest
    manifest = Manifest(
        m.model,
        m.dim,
        m.ann_backend,
        len(documents),
        len(passages),
        chunking=m.chunking,
        ann_options={"exact_max": 100_000, "nprobe": 128},
        runtime=m.runtime,
    )
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    write_index(index_dir, manifest, documents, passages, keys, vectors)
    return {
        "passages": len(passages),
        "documents": len(documents),
        "prepare_s": round(prepared, 1),
        "write_s": round(time.perf_counter() - started, 1),
        "build_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "disk_mb": round(folder_bytes(index_dir) / 2**20),
    }


def measure(index_dir: Path, eval_dir: Path) -> dict:
    """In a fresh process: load, search, add and delete (``--measure``)."""
    before = rss_mb()
    started = time.perf_counter()
    settings = Settings.from_env(index_dir=index_dir)
    engine = SearchEngine.load(settings)
    for question in ("berapa nilai investasi Allmed?", "How much is Allmed investing?"):
        engine.search(question, with_answer=False)  # the first searches map what they read
    loaded = time.perf_counter() - started
    after_load, anon_after_load = rss_mb(), rss_mb("RssAnon")
    if read_index(index_dir).manifest.passages < 100:  # the seeds' index: the models' own memory is all there is
        return {
            "rss_after_load_mb": round(after_load),
            "rss_anon_after_load_mb": round(anon_after_load),
            "load_s": round(loaded, 1),
        }
    questions = [q for q in newsroom_questions(eval_dir) if q.answers][:200]
    times = []
    for n, q in enumerate(questions):
        began = time.perf_counter()
        engine.search(f"{q.text} {n}", lang=q.lang, with_answer=False)
        times.append(time.perf_counter() - began)
    after_search, anon_after_search = rss_mb(), rss_mb("RssAnon")
    vectors, recall = read_index(index_dir).base.vectors, []
    for q in questions:  # after the searches' memory is read: exact search maps every vector
        vector = engine.retriever.embed_query(q.text, q.lang)
        exact = np.argsort(-(vectors @ vector), kind="stable")[:10]
        rows = [_row(h.passage_id) for h in engine.backend.dense.search(vector, 10)]
        recall.append(len(set(rows) & set(exact.tolist())) / 10)
    from berita.embed import load_embedder
    from berita.ingest.live import write

    embedder = load_embedder()
    article = {
        "doc_id": "million-new",
        "title": "Artikel baru",
        "text": "Pemkab Batang mencatat kodejuta dalam laporan harian.\nLaporan itu memuat 12 kegiatan.",
    }
    disk = folder_bytes(index_dir)
    began = time.perf_counter()
    report = write([article], [], settings, embedder, "")
    engine = engine.with_backend(engine.backend.reopen()) if engine.backend.reopen else engine
    first = engine.search("kodejuta", with_answer=False).results[:1]
    added = time.perf_counter() - began
    added_bytes = folder_bytes(index_dir) - disk
    disk = folder_bytes(index_dir)
    began = time.perf_counter()
    write([], ["m7"], settings, embedder, "")
    deleted = time.perf_counter() - began
    return {
        "rss_before_load_mb": round(before),
        "rss_after_load_mb": round(after_load),
        "rss_after_searches_mb": round(after_search),
        "rss_anon_after_load_mb": round(anon_after_load),
        "rss_anon_after_searches_mb": round(anon_after_search),
        "load_s": round(loaded, 1),
        "search_only": percentiles(times),
        "dense_recall@10": round(float(np.mean(recall)), 4),
        "add_one": {"s": round(added, 3), "bytes_written": added_bytes, "found_first": [r.doc_id for r in first]},
        "delete_one": {"s": round(deleted, 3), "bytes_written": folder_bytes(index_dir) - disk},
        "write_status": [o.status for o in report.outcomes],
        "vector_index": getattr(read_index(index_dir).base.ann, "kind", "numpy (exact)"),
    }


def _row(passage_id: str) -> int:
    """The row of ``m{document}.p{n}``: two passages a document, in order."""
    document, n = passage_id[1:].split(".p")
    return int(document) * 2 + int(n)


def _measured(index_dir: Path, eval_dir: Path) -> dict:
    """``measure`` in a process of its own (its memory is the index's and the models', nothing else's)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.million", "--eval", str(eval_dir), "--measure", str(index_dir)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=EVAL_DIR)
    # ascending: the build's peak memory is the process's, and grows with the size
    parser.add_argument("--passages", type=int, nargs="*", default=[23_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "million.json")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the fresh process's part
    args = parser.parse_args()
    if any(n < 2 for n in args.passages):
        parser.error("--passages: at least 2 (two passages a document)")
    if args.measure:
        print(json.dumps(measure(args.measure, args.eval)))
        return 0
    seeds = ROOT / "data" / "bench" / "seed-index"
    if not (seeds / "CURRENT").exists():  # built by a process of its own: this one's peak memory is the builds'
        subprocess.run(
            [sys.executable, "-m", "berita", "index", str(ROOT / "seeds"), "--index", str(seeds)], cwd=ROOT, check=True
        )
    alone = _measured(seeds, args.eval)  # what any index costs first: the models, searched
    models = alone["rss_after_load_mb"]
    print(f"the models alone (over the seeds' 36 passages, searched): {models:,} MB", file=sys.stderr)
    results: dict[str, object] = {
        "rss_models_mb": models,
        "rss_anon_models_mb": alone["rss_anon_after_load_mb"],
        "vectors": "re-sampled from the newsroom archive's real passage vectors (bench/synthetic.py)",
    }
    for n in args.passages:
        folder = Path(tempfile.mkdtemp(prefix="bench-million-"))
        try:
            row = build(folder / "index", n, args.eval)
            print(f"{n:,} passages written: {row}", file=sys.stderr, flush=True)
            row.update(_measured(folder / "index", args.eval))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        results[str(n)] = row
        s = row["search_only"]
        print(
            f"{n:>9,} passages: RSS after load {row['rss_after_load_mb']:,} MB, not mapped from files "
            f"{row['rss_anon_after_load_mb']:,} MB (the models alone {models:,} MB; "
            f"load {row['load_s']} s), search-only "
            f"p50 {s['p50_ms']} ms p95 {s['p95_ms']} ms, dense recall@10 {row['dense_recall@10']}; add one "
            f"{row['add_one']['s']} s ({row['add_one']['bytes_written']:,} bytes), delete one "
            f"{row['delete_one']['s']} s; build {row['write_s']} s, peak {row['build_peak_rss_mb']:,} MB, "
            f"{row['disk_mb']:,} MB on disk"
        )
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
