"""What a change costs (issue 29): one article added, replaced and deleted through the write path the API runs
(``berita.ingest.live.write``), then the index reread as the server rereads it, until the article is searchable.

    .venv/bin/python -m bench.live                   # the seeds + IndoSum (about 23,000 passages) and 100,000
    .venv/bin/python -m bench.live --sizes 23000

The archive is the seeds and IndoSum's articles, repeated under other ids up to each size. Their vectors are
re-sampled from real embeddings of a sample (bench/synthetic.py): embedding 100,000 passages would take an hour
here; the article written is embedded for real. Beside each change: the same change written as a whole new
generation (BERITA_COMPACT_SHARE=0, what every change cost before). Writes bench/results/live.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.datasets import EVAL_DIR, ROOT
from bench.metrics import percentiles
from bench.results import write_results
from bench.synthetic import synthetic
from berita import SearchEngine, Settings
from berita.backends.local import Manifest, write_index
from berita.core.schema import Document, Passage
from berita.embed import embedding_key, load_embedder, vector_space
from berita.ingest import prepare, read_articles
from berita.ingest.live import write

ARTICLE = {
    "title": "Pabrik baterai dibangun di Batang",
    "text": "Batang (ANTARA) - PT Sumber Daya Baterai menanam investasi Rp 9,2 triliun untuk pabrik baterai "
    "kendaraan listrik di Batang.\nPabrik itu akan mempekerjakan 4.800 orang mulai 2027.",
    "source": "ANTARA",
}
QUESTION = "berapa investasi PT Sumber Daya Baterai?"


def archive(eval_dir: Path, passages: int, embedder, folder: Path, settings: Settings) -> None:
    """An index of about ``passages`` passages of real news with re-sampled vectors, written as a build would."""
    documents, rows = prepare(read_articles([ROOT / "seeds", eval_dir / "indosum_articles.jsonl"]), settings)
    sample = embedder.encode_passages([p.text for p in rows[:: max(1, len(rows) // 256)]])
    by_doc: dict[str, list] = {}
    for p in rows:
        by_doc.setdefault(p.doc_id, []).append(p)
    docs: list[Document] = []
    kept: list[Passage] = []
    copy = 0
    while len(kept) < passages:  # IndoSum again under other ids ("~1", "~2", ...) until the size is reached
        for doc in documents:
            named = doc if copy == 0 else replace(doc, doc_id=f"{doc.doc_id}~{copy}")
            docs.append(named)
            kept += [
                replace(p, doc_id=named.doc_id, passage_id=f"{named.doc_id}.p{p.ordinal}") for p in by_doc[doc.doc_id]
            ]
            if len(kept) >= passages:
                break
        copy += 1
    space = vector_space(embedder)
    keys = [embedding_key(space, f"{p.passage_id}\x1f{p.text}") for p in kept]
    vectors = synthetic(sample, len(kept))
    manifest = Manifest(embedder.name, embedder.dim, "faiss", len(docs), len(kept), runtime=embedder.runtime)
    manifest.chunking = {
        "max_chars": settings.ingest.chunk_max_chars,
        "min_chars": settings.ingest.chunk_min_chars,
        "overlap_sentences": settings.ingest.chunk_overlap_sentences,
    }
    manifest.ann_options = {"exact_max": settings.storage.ann_exact_max, "nprobe": settings.storage.ann_nprobe}
    write_index(folder, manifest, docs, kept, keys, vectors)


def written() -> int:
    """Bytes this process has handed to write() so far (/proc/self/io's wchar): files, and nothing else here."""
    return int(Path("/proc/self/io").read_text().split("wchar:")[1].split()[0])


def change(engine: SearchEngine, settings: Settings, rows: list, deletes: list) -> tuple[SearchEngine, dict]:
    """One change through the write path, then the engine follows (as the server does after a write)."""
    before = written()
    started = time.perf_counter()
    report = write(rows, deletes, settings, engine.embedder, engine.info.generation)
    backend = engine.backend.reopen() if engine.backend.reopen else None
    engine = engine.with_backend(backend) if backend else SearchEngine.load(settings, engine.embedder)
    seconds = time.perf_counter() - started
    return engine, {"seconds": seconds, "bytes_written": written() - before, "version": report.version}


def bench_size(eval_dir: Path, passages: int, embedder, repeats: int) -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, share in (("changes", 0.1), ("whole_rewrite", 0.0)):
            settings = Settings.from_env(index_dir=Path(tmp) / label, compact_share=share)
            archive(eval_dir, passages, embedder, settings.storage.index_dir, settings)
            started = time.perf_counter()
            engine = SearchEngine.load(settings, embedder)
            load_s = time.perf_counter() - started
            adds, replaces, deletes = [], [], []
            for n in range(repeats if share else 2):
                doc_id = f"bench-{n}"
                text = ARTICLE["text"].replace("9,2", f"9,{n}")
                engine, add = change(engine, settings, [{**ARTICLE, "doc_id": doc_id, "text": text}], [])
                assert engine.search(QUESTION, k=3, with_answer=False).results[0].doc_id.startswith("bench-")
                engine, again = change(engine, settings, [{**ARTICLE, "doc_id": doc_id, "text": text + " Lagi."}], [])
                engine, gone = change(engine, settings, [], [doc_id])
                adds.append(add)
                replaces.append(again)
                deletes.append(gone)
            out[label] = {
                "passages": engine.info.passages,
                "load_s": round(load_s, 2),
                **{
                    name: {
                        **percentiles([r["seconds"] for r in rs]),
                        "bytes_written_max": max(r["bytes_written"] for r in rs),
                    }
                    for name, rs in (("add", adds), ("replace", replaces), ("delete", deletes))
                },
            }
            shutil.rmtree(settings.storage.index_dir, ignore_errors=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=EVAL_DIR)
    parser.add_argument("--sizes", default="23000,100000")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "live.json")
    args = parser.parse_args()
    embedder = load_embedder()
    results: dict = {}
    for n in map(int, args.sizes.split(",")):
        results[str(n)] = bench_size(args.eval, n, embedder, args.repeats)
        print(json.dumps({str(n): results[str(n)]}, indent=2), flush=True)
        write_results(args.out, results)  # each size as it finishes
    return 0


if __name__ == "__main__":
    sys.exit(main())
