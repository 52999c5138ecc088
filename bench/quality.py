"""Retrieval and answer quality, per query set and language, for each retrieval system on one index.

    .venv/bin/python -m bench.quality                      # seed questions + FacQA + English->Indonesian
    .venv/bin/python -m bench.quality --sets seed          # the seed questions only (seconds)
    .venv/bin/python -m bench.quality --save-vectors       # after changing chunking or the model

Reads ../shared/eval/ (or --eval DIR). Prints a table and writes bench/results/quality.json.

Embedding the 26k-passage eval corpus takes about 35 minutes on two cores, so the repository carries
those embeddings (bench/data/eval-vectors.npz, float16, keyed by model and passage text). A fresh
clone builds its eval index from them and embeds only passages whose text is not in the file; every
run re-embeds a random sample and stops if the file disagrees with the model.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from bench.datasets import (
    EVAL_DIR,
    EVAL_INDEX,
    ROOT,
    Question,
    eval_corpus,
    facqa_questions,
    idk_unanswerable,
    off_corpus,
    qa_rows,
    seed_questions,
    split,
    tydi_questions,
    xling_questions,
)
from bench.indexes import VECTORS_FILE, check_stored_vectors, load_engine, save_vectors
from bench.judge import answers_to, gold_rank, ranked_passages, right_answer, top_holds_answer
from bench.metrics import (
    answer_scores,
    exact_match,
    is_right,
    paired_difference,
    percentiles,
    retrieval_scores,
    token_f1,
)
from bench.results import write_results
from berita import IndexStoreError, SearchEngine
from berita.answering import Candidate
from berita.backends import read_index
from berita.embed import vector_space

# "dense-e5" is dense retrieval with e5's own query encoder (the baseline the answers issue names), where the product
# encodes questions with the layers trained here (training/train_queries.py; "dense" is dense retrieval with those);
# "hybrid-naive" is equal-weight reciprocal rank fusion, the baseline the language-aware fusion replaces;
# "hybrid" is that fusion alone, "hybrid+rerank" the product's default (reranking where trained: Indonesian).
SYSTEMS = ("bm25", "dense-e5", "dense", "hybrid-naive", "hybrid", "hybrid+rerank")
PRODUCT = "hybrid+rerank"
LATENCY_SAMPLE = 100  # queries per set, language and system timed from cold (no cached query embedding)


# Each system as per-search options of the one engine.
OPTIONS: dict[str, dict] = {
    "bm25": {"mode": "bm25"},
    "dense-e5": {"mode": "dense"},
    "dense": {"mode": "dense"},
    "hybrid-naive": {"fusion": "rrf", "dense_share": {"id": 0.5, "en": 0.5}, "rerank": False},
    "hybrid": {"rerank": False},
    PRODUCT: {"rerank": True},
}


def evaluate(engine: SearchEngine, questions: list[Question], with_answers: bool) -> dict:
    out: dict = {}
    for lang in sorted({q.lang for q in questions}):
        subset = [q for q in questions if q.lang == lang]
        row: dict = {"n": len(subset)}
        firsts: dict[str, list[bool]] = {}
        e5 = e5_queries(engine) if lang in engine.query_encoders else None
        for system in [s for s in SYSTEMS if s != "dense-e5" or e5]:
            searcher = e5 if system == "dense-e5" and e5 else engine
            answering = with_answers and system == PRODUCT
            latencies, ranks, predictions, holds, answer_times, plain = [], [], [], [], [], []
            for n, q in enumerate(subset):
                if n < LATENCY_SAMPLE:
                    searcher.clear_cache()  # timed as a question never seen; the rest reuse embeddings across systems
                started = time.perf_counter()
                retrieval, options = searcher.retrieve(
                    q.text, lang=lang, k=10, with_answer=answering, **OPTIONS[system]
                )
                answered_at = time.perf_counter()
                lead = engine.read(retrieval, options) if answering else None
                answer = engine.judge(lead, retrieval, options)
                if n < LATENCY_SAMPLE:
                    latencies.append(time.perf_counter() - started)
                if answering:
                    answer_times.append(time.perf_counter() - answered_at)
                    # the same retrieval answered by the stage before the reader (the rules), for comparison
                    before = engine.answer(retrieval, replace(options, reader=False))
                    plain.append((before.span or before.sentence) if before else None)
                passages = ranked_passages(retrieval, lead)  # the reader's choice leads, shown or not
                ranks.append(gold_rank(passages, q))
                holds.append(top_holds_answer(passages, q))
                predictions.append((answer.span or answer.sentence) if answer else None)
            row[system] = {k: round(v, 4) for k, v in retrieval_scores(ranks).items()}
            firsts[system] = [r == 1 for r in ranks]
            if with_answers:
                row[system]["top_holds_answer"] = round(sum(holds) / len(holds), 4)
            lat = percentiles(latencies)
            row[system]["latency_ms_p50"], row[system]["latency_ms_p95"] = lat["p50_ms"], lat["p95_ms"]
            if with_answers and system == PRODUCT:
                golds = [q.answers for q in subset]
                row["answers"] = {k: round(v, 4) for k, v in answer_scores(predictions, golds).items()}
                timing = percentiles(answer_times)
                row["answers"]["answer_ms_p50"], row["answers"]["answer_ms_p95"] = timing["p50_ms"], timing["p95_ms"]
                row["answers_without_reader"] = {k: round(v, 4) for k, v in answer_scores(plain, golds).items()}
        # the product's R@1 gain over each single retriever, question by question: how sure a gain is
        row["product_gain"] = {
            base: {k: round(v, 4) for k, v in paired_difference(firsts[PRODUCT], firsts[base]).items()}
            for base in ("dense-e5", "dense", "bm25")
            if base in firsts
        }
        out[lang] = row
    return out


@lru_cache(maxsize=2)
def e5_queries(engine: SearchEngine) -> SearchEngine:
    """``engine`` with e5's own query encoder for every language."""
    return SearchEngine(engine.backend, engine.embedder, engine.settings.replace(query_languages=()))


def reader_on_gold_passages(engine: SearchEngine, eval_dir: Path) -> dict:
    """The reader alone, reading each question's own passage, on sets it was not trained on: the TyDi QA (Indonesian
    and English) and IDK-MRC test buckets (held out by passage, not the dev buckets its threshold came from) and
    FacQA valid. A last row pools the answerable questions of both test sets: IDK-MRC's answerable questions are TyDi QA's (the
    repeats count once, under TyDi), so alone they are only 19."""
    reader = engine.reader()
    parts: dict[str, list[dict]] = {}
    for r in qa_rows(eval_dir, english=True):
        if r["part"] == "facqa-valid" or (r["set"] != "facqa" and split(r) == "test"):
            parts.setdefault(r["part"].replace("heldout", "test"), []).append(r)
    for rows in parts.values():
        for r in rows:
            spans = reader.model.read(r["question"], [r["context"]])
            r["read"] = spans[0] if spans else None
    pooled = [r for name in ("tydi-test", "idk-test") for r in parts.get(name, []) if not r["is_impossible"]]
    return {
        name: _reader_scores(rows, reader.tuning.min_margin) for name, rows in {**parts, "answerable": pooled}.items()
    }


def _reader_scores(rows: list[dict], bar: float) -> dict:
    given, right, right_always, em, f1, silent = [], [], [], [], [], []
    for r in rows:
        best = r["read"]
        answers = best is not None and best.margin >= bar
        if r["is_impossible"]:
            silent.append(not answers)
            continue
        good = best is not None and is_right(best.text, r["answers"])
        given.append(answers)
        right.append(answers and good)
        right_always.append(good)
        em.append(exact_match(best.text, r["answers"]) if answers and best else 0.0)
        f1.append(token_f1(best.text, r["answers"]) if answers and best else 0.0)
    row = {"n": len(rows), "answered": float(np.mean(given)) if given else 0.0}
    row.update(
        {
            k: round(float(np.mean(v)) if v else 0.0, 4)
            for k, v in (("EM", em), ("F1", f1), ("right", right), ("right_always", right_always))
        }
    )
    if silent:
        row["silent_unanswerable"] = round(float(np.mean(silent)), 4)
    return row


def unanswered(found: list[Candidate | None]) -> dict:
    """How often the product said nothing to questions it cannot answer."""
    return {"n": len(found), "unanswered": round(float(np.mean([f is None for f in found])), 4)}


def answered_right(engine: SearchEngine, questions: list[Question], found: list[Candidate | None]) -> dict:
    """How often the product's answer to answerable questions is right, beside the same with the reader's bars
    down (it answers wherever it finds a span): what keeping silent costs, which the answers issue bounds."""
    always = answers_to(engine.with_tuning(min_margin=-np.inf, min_margin_several=-np.inf), questions, False)

    def right(given: list[Candidate | None]) -> float:
        return round(float(np.mean([right_answer(f, q.answers) for f, q in zip(given, questions)])), 4)

    return {"n": len(questions), "right": right(found), "right_answering_all": right(always)}


def reliability(questions: list[Question], found: list[Candidate | None]) -> list[dict]:
    """The product's answers binned by their confidence: how many, and how many were right (token F1 >= 0.5 with a
    gold answer; any answer to a question without one is wrong). A calibrated confidence matches the right share."""
    given = [
        (f.confidence, is_right(f.span, q.answers))
        for q, f in zip(questions, found)
        if f is not None and f.span is not None
    ]
    out = []
    for lo in np.arange(0.0, 1.0, 0.2):
        inside = [(c, r) for c, r in given if lo <= c < lo + 0.2 or (lo >= 0.8 and c == 1.0)]
        if inside:
            confidence, right = np.mean(inside, axis=0)
            row = {"from": float(lo), "confidence": float(confidence), "right": float(right)}
            out.append({k: round(v, 3) for k, v in row.items()} | {"n": len(inside)})
    return out


def print_table(results: dict) -> None:
    print(
        f"{'set':<22}{'lang':<5}{'n':>5}  {'system':<15}{'R@1':>7}{'R@10':>7}{'MRR@10':>8}{'nDCG@10':>9}{'ans@1':>7}{'p50 ms':>8}"
    )
    for name, by_lang in results["sets"].items():
        for lang, row in by_lang.items():
            for system in [s for s in SYSTEMS if s in row]:
                s = row[system]
                holds = f"{s['top_holds_answer']:>7.3f}" if "top_holds_answer" in s else f"{'-':>7}"
                print(
                    f"{name:<22}{lang:<5}{row['n']:>5}  {system:<15}{s['R@1']:>7.3f}{s['R@10']:>7.3f}{s['MRR@10']:>8.3f}"
                    f"{s['nDCG@10']:>9.3f}{holds}{s['latency_ms_p50']:>8.1f}"
                )
            for base, g in row["product_gain"].items():
                print(
                    f"{'':<26}{'R@1 gain':>15}: over {base:<8} {100 * g['difference']:+.1f} points"
                    f" (95% {100 * g['ci95_low']:+.1f} to {100 * g['ci95_high']:+.1f}; {g['wins']} won, {g['losses']} lost)"
                )
            for key, label in (("answers", "answers"), ("answers_without_reader", "without reader")):
                if key in row:
                    a = row[key]
                    timing = f"  answer p50 {a['answer_ms_p50']:.1f} ms" if "answer_ms_p50" in a else ""
                    print(
                        f"{'':<26}{label:>15}: answered {a['answered']:.3f}  EM {a['EM']:.3f}  F1 {a['F1']:.3f}"
                        f"  precision {a['precision']:.3f}{timing}"
                    )
    for name, r in results.get("reader", {}).items():
        print(
            f"reader, gold passage: {name:<13} n {r['n']:>4}  answered {r['answered']:.3f}  EM {r['EM']:.3f}"
            f"  F1 {r['F1']:.3f}  right (F1>=0.5) {r['right']:.3f} (always answering {r['right_always']:.3f})"
            + (f"  unanswerable kept silent {r['silent_unanswerable']:.3f}" if "silent_unanswerable" in r else "")
        )
    for b in results.get("confidence", []):
        print(
            f"product's answers, TyDi QA + IDK-MRC test, confidence {b['from']:.1f}-{b['from'] + 0.2:.1f}: n {b['n']:>4}"
            f"  mean confidence {b['confidence']:.3f}  right {b['right']:.3f}"
        )
    for name, u in results.get("unanswerable", {}).items():
        print(f"product, unanswerable: {name:<34} n {u['n']:>5}  no answer {u['unanswered']:.3f}")
    for name, a in results.get("answerable", {}).items():
        print(
            f"product, answerable:   {name:<34} n {a['n']:>5}  right {a['right']:.3f} "
            f"(answering wherever a span is found: {a['right_answering_all']:.3f})"
        )
    for name, b in results["build"].items():
        line = (
            f"index {name}: {b['passages']} passages, {b['embedded']} embedded now, built and loaded in {b['seconds']}s"
        )
        if "full_embedding_minutes" in b:
            line += (
                f"; embedding all from nothing: ~{b['full_embedding_minutes']} min at {b['passages_per_second']}/s"
                f" (stored vectors vs model: min cosine {b['min_cosine_vs_model']})"
            )
        print(line)
    print(f"whole run: {results['total_minutes']} min")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=EVAL_DIR, help="folder with the eval data")
    parser.add_argument(
        "--sets",
        default="seed,facqa,xling,tydi,indosum-en,reader",
        help="comma-separated: seed, facqa, facqa-train, xling, tydi, tydi-dev, indosum-en, indosum-en-dev, reader",
    )
    parser.add_argument("--indosum-articles", type=int, help="use only the first N IndoSum articles as distractors")
    parser.add_argument("--out", type=Path, help="default bench/results/quality[-RUNTIME].json")
    parser.add_argument("--runtime", default="", help="the model's runtime (models.txt): default the first listed")
    parser.add_argument("--backend", default="local", choices=["local", "milvus"], help="where the index lives")
    parser.add_argument(
        "--save-vectors",
        action="store_true",
        help=f"write the eval index's embeddings to {VECTORS_FILE.relative_to(ROOT)}",
    )
    args = parser.parse_args()
    suffix = "".join(f"-{part}" for part in (args.runtime, args.backend if args.backend != "local" else "") if part)
    args.out = args.out or ROOT / "bench" / "results" / f"quality{suffix}.json"
    sets = args.sets.split(",")
    started = time.perf_counter()
    results: dict = {"sets": {}, "build": {}, "runtime": args.runtime or "default", "backend": args.backend}

    if "seed" in sets:
        engine, results["build"]["seed"] = seed_engine(args)
        results["sets"]["seed"] = evaluate(engine, seed_questions(), with_answers=True)
    big = [s for s in sets if s != "seed"]
    if big:
        if not args.eval.is_dir():
            parser.error(f"{args.eval} not found; pass --eval DIR")
        try:
            engine, results["build"]["eval"] = load_engine(
                [eval_corpus(args.eval, args.indosum_articles)],
                EVAL_INDEX,
                VECTORS_FILE,
                args.runtime,
                args.backend,
            )
        except IndexStoreError as exc:
            parser.error(str(exc))
        if args.backend == "local":
            stored = read_index(engine.settings.storage.index_dir)
            results["build"]["eval"].update(check_stored_vectors(engine, stored))
            if args.save_vectors:
                save_vectors(stored, vector_space(engine.embedder), VECTORS_FILE)
        results["indosum_articles"] = args.indosum_articles or "all"
        if "facqa" in big:
            results["sets"]["facqa-valid"] = evaluate(engine, facqa_questions(args.eval, "valid"), with_answers=True)
        if "facqa-train" in big:
            results["sets"]["facqa-train"] = evaluate(engine, facqa_questions(args.eval, "train"), with_answers=True)
        if "xling" in big:
            results["sets"]["en->id news"] = evaluate(engine, xling_questions(args.eval), with_answers=False)
        if "tydi" in big:
            results["sets"]["tydi-test"] = evaluate(engine, tydi_questions(args.eval), with_answers=True)
        if "tydi-dev" in big:
            results["sets"]["tydi-dev"] = evaluate(engine, tydi_questions(args.eval, "dev"), with_answers=True)
        if "indosum-en" in big:
            english = seed_questions("indosum_en_questions.jsonl")
            results["sets"]["indosum-en"] = evaluate(engine, english, with_answers=True)
        if "indosum-en-dev" in big:  # other articles' questions, to choose English settings on
            english = seed_questions("indosum_en_dev_questions.jsonl")
            results["sets"]["indosum-en-dev"] = evaluate(engine, english, with_answers=True)
        if "reader" in big:
            results["reader"] = reader_on_gold_passages(engine, args.eval)
            tydi, idk = tydi_questions(args.eval), idk_unanswerable(args.eval)
            tydi_found, idk_found = answers_to(engine, tydi), answers_to(engine, idk)
            results["unanswerable"] = {"IDK-MRC test, eval corpus": unanswered(idk_found)}
            results["answerable"] = {"TyDi test, eval corpus": answered_right(engine, tydi, tydi_found)}
            results["confidence"] = reliability(tydi + idk, tydi_found + idk_found)
            seeds, _ = seed_engine(args)
            for lang in ("id", "en"):
                asked = [q for q in off_corpus(args.eval) if q.lang == lang]
                results["unanswerable"][f"off-corpus {lang} (seeds' index)"] = unanswered(answers_to(seeds, asked))
    results["total_minutes"] = round((time.perf_counter() - started) / 60, 1)
    print_table(results)
    write_results(args.out, results)
    return 0


def seed_engine(args: argparse.Namespace) -> tuple[SearchEngine, dict]:
    return load_engine(
        [ROOT / "seeds"], ROOT / "data" / "bench" / "seed-index", runtime=args.runtime, backend=args.backend
    )


if __name__ == "__main__":
    sys.exit(main())
