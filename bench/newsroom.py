"""The newsroom benchmark: questions journalists and investors ask of a real archive, the seeds and every IndoSum
article (23k passages), in Indonesian and in English, answerable or not (bench/newsroom/, bench/datasets.py).

    .venv/bin/python -m bench.newsroom                 # dev and test; writes bench/results/newsroom.json
    .venv/bin/python -m bench.newsroom --split test    # one split

Per split and language: the right article first (the product, dense-only, BM25); how often the product answers,
how often it is right among its answers (precision) and overall, how often it is wrong at a confidence of 0.5 or
more, and how often it answers a question the archive cannot answer; the same per level ("sure", "possible"); the
answering step's time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from bench.datasets import EVAL_DIR, ROOT, Question, newsroom_questions, newsroom_split
from bench.indexes import NEWSROOM_INDEX, newsroom_engine
from bench.metrics import is_right, percentiles
from bench.results import write_results
from berita import SearchEngine

CONFIDENT = 0.5  # "confidently wrong": a wrong answer shown at this confidence or more


def ask(engine: SearchEngine, q: Question, calibrate: bool = True) -> dict:
    """What the product does with one question: the first result's article, dense-only's and BM25's, the answer."""
    started = time.perf_counter()
    retrieval, options = engine.retrieve(q.text, lang=q.lang, k=10, with_answer=True, calibrate=calibrate)
    retrieved = time.perf_counter()
    found = engine.answer(retrieval, options)
    answered = time.perf_counter()
    firsts = {
        mode: [r.doc_id for r in engine.search(q.text, lang=q.lang, k=1, mode=mode, with_answer=False).results]
        for mode in ("dense", "bm25")
    }
    response = engine.search(q.text, lang=q.lang, k=1)
    first = response.results[0].doc_id if response.results else None
    return {
        "id": q.qid,
        "lang": q.lang,
        "split": newsroom_split(q.doc_id),
        "answerable": bool(q.answers),
        "first": first == q.doc_id,
        **{f"first_{mode}": ids[:1] == [q.doc_id] for mode, ids in firsts.items()},
        "gold_rank": next(  # where a passage holding a gold span is among the ten read or shown (None: not there)
            (
                n
                for n, h in enumerate(retrieval.hits[:10])
                if any(a in retrieval.passages[h.passage_id].text for a in q.answers)
            ),
            None,
        ),
        "span": found.span if found else None,
        "right": bool(found and found.span and q.answers and is_right(found.span, q.answers)),
        "confidence": round(found.confidence, 4) if found else None,
        "level": found.level if found else None,
        "retrieve_ms": (retrieved - started) * 1000,
        "answer_ms": (answered - retrieved) * 1000,
    }


def share(rows: list[dict], test) -> float | None:
    return round(float(np.mean([bool(test(r)) for r in rows])), 4) if rows else None


def summary(rows: list[dict]) -> dict:
    """The figures the answers issue asks for, over one split and language."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    given = [r for r in answerable if r["span"]]
    out: dict[str, object] = {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "article_first": share(answerable, lambda r: r["first"]),
        "article_first_dense": share(answerable, lambda r: r["first_dense"]),
        "article_first_bm25": share(answerable, lambda r: r["first_bm25"]),
        "answered": share(answerable, lambda r: r["span"]),
        "precision": share(given, lambda r: r["right"]),
        "right": share(answerable, lambda r: r["right"]),
        "confidently_wrong": share(rows, lambda r: r["span"] and not r["right"] and r["confidence"] >= CONFIDENT),
        "unanswerable_answered": share(unanswerable, lambda r: r["span"]),
        "gold_in_passage": {  # where the gold span sits among the top passages, for the answerable questions
            str(n): share(answerable, lambda r, n=n: r["gold_rank"] == n) for n in range(3)
        }
        | {
            "3-9": share(answerable, lambda r: (r["gold_rank"] or 0) >= 3),
            "none": share(answerable, lambda r: r["gold_rank"] is None),
        },
    }
    for level in ("sure", "possible"):
        at = [r for r in answerable if r["level"] == level]
        out[level] = {
            "answered": share(answerable, lambda r, level=level: r["level"] == level),
            "precision": share(at, lambda r: r["right"]),
            "right": share(answerable, lambda r, level=level: r["level"] == level and r["right"]),
            "unanswerable_answered": share(unanswerable, lambda r, level=level: r["level"] == level),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=EVAL_DIR)
    parser.add_argument("--split", choices=["dev", "test"], help="one split (default: both)")
    parser.add_argument("--out", type=Path, help="default: bench/results/newsroom.json (newsroom-uncalibrated.json)")
    parser.add_argument("--uncalibrated", action="store_true", help="the readers' own confidence, no levels")
    args = parser.parse_args()
    engine = newsroom_engine(args.eval)
    questions = newsroom_questions(args.eval, args.split)
    rows = []
    for n, q in enumerate(questions, 1):
        rows.append(ask(engine, q, calibrate=not args.uncalibrated))
        if n % 100 == 0:
            print(f"  {n} of {len(questions)} questions", file=sys.stderr)
    results: dict = {"index": str(NEWSROOM_INDEX.relative_to(ROOT)), "passages": engine.info.passages, "sets": {}}
    for split in ("dev", "test"):
        for lang in ("id", "en"):
            part = [r for r in rows if r["split"] == split and r["lang"] == lang]
            if part:
                results["sets"][f"{split}-{lang}"] = summary(part)
    results["answer_ms"] = percentiles([r["answer_ms"] / 1000 for r in rows])
    results["retrieve_ms"] = percentiles([r["retrieve_ms"] / 1000 for r in rows])
    for name, s in results["sets"].items():
        print(
            f"{name:<8} n {s['answerable']:>3}+{s['unanswerable']:<3} first {s['article_first']} "
            f"(dense {s['article_first_dense']}, bm25 {s['article_first_bm25']})  answered {s['answered']} "
            f"precision {s['precision']} right {s['right']}  confidently wrong {s['confidently_wrong']}  "
            f"unanswerable answered {s['unanswerable_answered']}  sure: {s['sure']}"
        )
    print(f"answering p50/p95 ms: {results['answer_ms']}; retrieval: {results['retrieve_ms']}")
    name = "newsroom-uncalibrated.json" if args.uncalibrated else "newsroom.json"
    write_results(args.out or ROOT / "bench" / "results" / name, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
