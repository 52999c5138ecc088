"""The Milvus backend beside the local one at 100,000 passages: writing, dense and BM25 search, the whole product
search, and whether they find the same passages. Milvus Lite (the real C++ core in-process) stands in for a server.

    .venv/bin/python -m bench.scale_out [--passages 100000]    # or: python -m bench.perf --parts milvus

The corpus repeats the quality benchmark's 26,242 real passages (texts and BM25 as they are; the vectors of each
copy re-sampled from the real ones by bench/synthetic.py, as for bench/perf.py's scale part), so run
``python -m bench.quality`` once first. The questions are 100 FacQA (Indonesian) and 100 news (English) ones.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.datasets import EVAL_DIR, EVAL_INDEX, ROOT, indosum_sample, question_texts
from bench.metrics import percentiles
from bench.results import write_results
from bench.synthetic import synthetic
from bench.writing import folder_bytes
from berita import SearchEngine, Settings, build
from berita.backends import open_backend, open_writer, read_index
from berita.backends.base import IndexInfo
from berita.core.schema import Document, Passage
from berita.core.text import tokenize
from berita.embed import load_embedder


def corpus(n: int) -> tuple[list[Document], list[Passage], list[str], np.ndarray, IndexInfo]:
    """``n`` passages: copy r of each real document is "<doc_id>~r", its passages re-sampled around the real ones."""
    index = read_index(EVAL_INDEX)
    real = np.asarray(index.vectors)
    documents: list[Document] = []
    passages: list[Passage] = []
    keys: list[str] = []
    vectors: list[np.ndarray] = []
    copy = 0
    while len(passages) < n:
        tag = f"~{copy}" if copy else ""
        fresh = synthetic(real, len(real), seed=copy) if copy else real
        for doc in index.documents.values():
            documents.append(dataclasses.replace(doc, doc_id=doc.doc_id + tag))
        for row, p in enumerate(index.passages):
            if len(passages) == n:
                break
            passages.append(dataclasses.replace(p, doc_id=p.doc_id + tag, passage_id=f"{p.doc_id}{tag}.p{p.ordinal}"))
            keys.append(f"{index.keys[row]}{tag}")
            vectors.append(fresh[row])
        copy += 1
    wanted = {p.doc_id for p in passages}
    m = index.manifest
    info = IndexInfo(m.model, m.dim, 0, len(passages), "", runtime=m.runtime)
    return [d for d in documents if d.doc_id in wanted], passages, keys, np.stack(vectors), info


def write(settings: Settings, data: tuple) -> float:
    documents, passages, keys, vectors, info = data
    started = time.perf_counter()
    with open_writer(settings) as writer:
        writer.upsert(documents, passages, keys, vectors)
        writer.commit(dataclasses.replace(info, documents=len(documents)))
    return time.perf_counter() - started


def one_change(settings: Settings, data: tuple, folder: Path) -> dict:
    """One article added (its vectors given: embedding is not timed) and then deleted, each from the writer's
    opening to an index opened afresh that shows it; the growth of ``folder`` on disk after each."""
    documents, passages, keys, vectors, info = data
    doc = documents[0]
    rows = [i for i, p in enumerate(passages) if p.doc_id == doc.doc_id]
    new = dataclasses.replace(doc, doc_id="bench-added")
    added = [
        dataclasses.replace(passages[i], doc_id=new.doc_id, passage_id=f"{new.doc_id}.p{passages[i].ordinal}")
        for i in rows
    ]
    changes = {
        "add": lambda w: w.upsert([new], added, [keys[i] + "+" for i in rows], vectors[rows]),
        "delete": lambda w: w.delete([new.doc_id]),
    }
    out: dict = {"passages_changed": len(rows)}
    for name, change in changes.items():
        size = folder_bytes(folder)
        started = time.perf_counter()
        with open_writer(settings) as writer:
            change(writer)
            version = writer.commit(info)
        found = open_backend(settings).documents.document(new.doc_id)
        out[f"{name}_s"] = round(time.perf_counter() - started, 3)
        out[f"{name}_bytes"] = folder_bytes(folder) - size
        out[f"{name}_version"] = version
        assert (found is None) == (name == "delete"), f"{name}: the change is not seen"
    return out


def timed(fn, items) -> tuple[list, dict]:
    out, times = [], []
    for item in items:
        started = time.perf_counter()
        out.append(fn(item))
        times.append(time.perf_counter() - started)
    return out, percentiles(times)


def run(eval_dir: Path, n: int) -> dict:
    data = corpus(n)
    folder = Path(tempfile.mkdtemp(prefix="scale-out-"))
    embedder = load_embedder()
    asked = question_texts(eval_dir, 100)
    vectors = embedder.encode_queries(asked)
    terms = [tokenize(q) for q in asked]
    out: dict = {"passages": n, "questions": len(asked)}
    found: dict[str, dict] = {}
    try:
        for backend in ("local", "milvus"):
            settings = Settings.from_env(
                index_dir=folder / "index", backend=backend, milvus_uri=str(folder / "milvus.db")
            )
            seconds = write(settings, data)
            engine = SearchEngine(open_backend(settings), embedder, settings)
            engine.search(asked[0])  # first-call set-up out of the timings
            dense, dense_lat = timed(lambda v, e=engine: e.backend.dense.search(v, 10), vectors)
            lexical, lexical_lat = timed(lambda t, e=engine: e.backend.lexical.search(t, 10), terms)
            product, product_lat = timed(lambda q, e=engine: e.search(q, k=10, with_answer=False), asked)
            if backend == "milvus":  # the server's own fusion, one round trip, for comparison
                both = list(zip(vectors, terms))
                _, out["milvus_native_hybrid"] = timed(lambda a, e=engine: e.backend.dense.hybrid(a[0], a[1], 10), both)
            change = one_change(settings, data, folder)
            found[backend] = {
                "dense": [[h.passage_id for h in hits] for hits in dense],
                "bm25": [[h.passage_id for h in hits] for hits in lexical],
                "product": [[r.passage_id for r in response.results] for response in product],
            }
            out[backend] = {
                "write_s": round(seconds, 1),
                "write_passages_per_s": round(n / seconds, 1),
                "dense": dense_lat,
                "bm25": lexical_lat,
                "product_search": product_lat,
                "one_article": change,
            }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for kind in ("dense", "bm25", "product"):
        pairs = list(zip(found["milvus"][kind], found["local"][kind]))
        out["milvus"][f"{kind}_recall@10_vs_local"] = round(
            float(np.mean([len(set(a) & set(b)) / max(len(b), 1) for a, b in pairs])), 4
        )
        out["milvus"][f"{kind}_same_top1"] = round(float(np.mean([a[:1] == b[:1] for a, b in pairs])), 4)
    return out


def build_throughput(eval_dir: Path, articles: int = 200) -> dict:
    """Passages per second of a build from nothing, embedding here and on a local Ray cluster (two actors)."""
    from berita.embed.distributed import RayExecutor

    folder = Path(tempfile.mkdtemp(prefix="ray-build-"))
    try:
        sample = indosum_sample(eval_dir, articles, folder)
        embedder = load_embedder()
        out = {}
        for name in ("local", "ray"):
            settings = Settings.from_env(index_dir=folder / name)
            executor = RayExecutor(settings.embedding) if name == "ray" else None
            started = time.perf_counter()
            report = build([sample], settings, embedder, executor=executor)
            seconds = time.perf_counter() - started
            out[name] = {
                "passages": report.passages,
                "seconds": round(seconds, 1),
                "passages_per_s": round(report.embedded / seconds, 1),
            }
        return out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def print_table(results: dict) -> None:
    print(
        f"{results['passages']:,} passages, {results['questions']} questions (Milvus Lite in-process; local = FAISS flat + BM25)"
    )
    for backend in ("local", "milvus"):
        r = results[backend]
        cells = "  ".join(
            f"{k} p50 {r[k]['p50_ms']:.1f} / p95 {r[k]['p95_ms']:.1f} ms" for k in ("dense", "bm25", "product_search")
        )
        print(f"{backend:<7} write {r['write_passages_per_s']:>7.0f} passages/s  {cells}")
    for backend in ("local", "milvus"):
        c = results[backend].get("one_article")
        if c:
            print(
                f"{backend:<7} one article ({c['passages_changed']} passages) added in {c['add_s']:.2f} s "
                f"({c['add_bytes'] / 1e6:+.2f} MB on disk), deleted in {c['delete_s']:.2f} s -> {c['delete_version']}"
            )
    h = results["milvus_native_hybrid"]
    print(f"milvus  hybrid_search in the server (RRF, one call): p50 {h['p50_ms']:.1f} / p95 {h['p95_ms']:.1f} ms")
    for name, row in results.get("build", {}).items():
        print(
            f"build {row['passages']} IndoSum passages from nothing, embedding {name}: {row['passages_per_s']} passages/s ({row['seconds']} s)"
        )
    m = results["milvus"]
    print(
        "milvus vs local: recall@10 "
        + ", ".join(
            f"{k} {m[f'{k}_recall@10_vs_local']:.3f} (same top 1 {m[f'{k}_same_top1']:.3f})"
            for k in ("dense", "bm25", "product")
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=EVAL_DIR)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale_out.json")
    args = parser.parse_args()
    if not (EVAL_INDEX / "CURRENT").exists():
        parser.error(f"{EVAL_INDEX} not found: run python -m bench.quality first")
    results = run(args.eval, args.passages)
    results["build"] = build_throughput(args.eval)
    print_table(results)
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
