"""Calibrate the reader on held-out *dev* questions (never on the reported ones): its confidence, a logistic fit
of "the product's answer is right" on the reader's margin over "no answer", and the margins below which it says
nothing.

    .venv/bin/python -m bench.tune_reader      # writes berita/answering/reader.json (needs bench.quality's eval index)
    .venv/bin/python -m bench.tune_reader --weights 0,0.1,0.2,0.3,0.5   # reader_weight on TyDi dev (eval index)
    .venv/bin/python -m bench.tune_reader --shares 0,0.1,0.2,0.3,0.4     # answer_min_coverage (eval and seed indexes)

Dev: the TyDi QA and IDK-MRC passages in the first 7 of the 15 held-out hash buckets (bench/train_reader.py). A
span counts as right when its token F1 with a gold answer is at least 0.5 (the reader's spans are often a word
longer or shorter than the gold ones); an answer to an unanswerable question is wrong.

Each bar is the lowest margin at which the dev split's unanswerable IDK-MRC questions stay unanswered at least
``SILENT`` of the time: every answer the bar costs is a question the reader would have got right more often
than not, so the bar stays as low as silence allows. ``min_margin`` holds where one passage is read (each
question with its own passage); ``min_margin_several`` where the product reads its top passages and answers from
the best (the same questions asked of the whole eval corpus, as bench/quality.py's index holds it).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.metrics import is_right
from bench.train_reader import ROOT, qa_rows, split
from berita import SearchEngine, Settings
from berita.answering.reader import Calibration, Reader


def margins(reader: Reader, rows: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per question: the reader's margin, whether its span is right, whether the question has an answer."""
    margin, right, answerable = [], [], []
    for r in rows:
        spans = reader.read(r["question"], [r["context"]])
        best = spans[0] if spans else None
        margin.append(best.margin if best else -1e9)
        right.append(best is not None and not r["is_impossible"] and is_right(best.text, r["answers"]))
        answerable.append(not r["is_impossible"])
    return np.array(margin), np.array(right), np.array(answerable)


def fit_logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Weights of ``P(y) = sigmoid(x @ w[:-1] + w[-1])``, fitted by Newton's method (a few steps suffice)."""
    design = np.column_stack([x, np.ones(len(x))])
    w = np.zeros(design.shape[1])
    for _ in range(30):
        p = 1 / (1 + np.exp(-design @ w))
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + 1e-6 * np.eye(len(w))
        w += np.linalg.solve(hessian, design.T @ (y - p))
    return w


def product_answers(engine: SearchEngine, eval_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """The reader's margin for each answer the product gives to dev questions, and whether it is right: TyDi QA dev
    and IDK-MRC dev's unanswerable questions, over the eval corpus. (Not FacQA train: the reader was trained on it,
    and would look surer than it is.)"""
    from bench.quality import answers_to, idk_unanswerable, tydi_questions

    questions = tydi_questions(eval_dir, "dev") + idk_unanswerable(eval_dir, "dev")
    reader, calibration = engine.reader()
    # with a = 1 and b = 0 the confidence is sigmoid(margin), so the margin reads back as its logit
    engine.extractor.reader = (reader, dataclasses.replace(calibration, a=1.0, b=0.0))
    margin, right = [], []
    for q, found in zip(questions, answers_to(engine, questions)):
        if found is None or found.span is None:
            continue
        p = float(np.clip(found.confidence, 1e-12, 1 - 1e-12))
        margin.append(np.log(p / (1 - p)))
        right.append(is_right(found.span, q.answers))
    return np.array(margin), np.array(right, dtype=float)


def reader_weights(eval_dir: Path, weights: list[float]) -> None:
    """R@1 and answer F1 on TyDi QA's dev questions (the product's ranking, bench/quality.py's index) for each
    ``reader_weight``: how far the reader's margin may lift a lower passage that holds the answer."""
    from bench.metrics import answer_scores
    from bench.quality import gold_rank, ranked_passages, tydi_questions

    engine = bench_engine()
    questions = tydi_questions(eval_dir, "dev")
    retrievals = [engine.retrieve(q.text, lang="id", k=10)[0] for q in questions]
    print(f"TyDi dev, {len(questions)} questions: reader_weight -> R@1, answer F1")
    for weight in weights:
        engine.extractor.config = dataclasses.replace(engine.settings.answers, reader_weight=weight)
        found = [engine.answer(r) for r in retrievals]
        first = [gold_rank(ranked_passages(r, f), q) == 1 for r, f, q in zip(retrievals, found, questions)]
        f1 = answer_scores([f.span if f else None for f in found], [q.answers for q in questions])["F1"]
        print(f"  {weight:<5} -> {np.mean(first):.4f}  {f1:.4f}")


def answer_shares(eval_dir: Path, shares: list[float]) -> None:
    """What each ``answer_min_coverage`` keeps: Indonesian dev/train questions (TyDi QA dev, FacQA train) asked of
    the eval corpus, which holds their answers (right answers kept), and of the seeds' index, which does not (every
    answer there is wrong). An answer passes a share when its passage's ``Retrieval.coverage`` reaches it, so one
    pass with the check off tells every share."""
    from bench.quality import facqa_questions, tydi_questions

    questions = tydi_questions(eval_dir, "dev") + facqa_questions(eval_dir, "train")
    print(
        f"{len(questions)} questions (TyDi QA dev, FacQA train): share -> right answers kept (eval corpus), "
        "answers given where none is right (seeds' index)"
    )
    found: dict[str, list[tuple[float, bool]]] = {}  # per index: each answer's passage coverage and whether it is right
    for name, index in (("eval", "eval-index"), ("seeds", "seed-index")):
        engine = bench_engine(index, answer_min_coverage=0.0)
        found[name] = []
        for q in questions:
            retrieval = engine.retrieve(q.text, lang="id", k=10)[0]
            answer = engine.answer(retrieval)
            if answer is not None and answer.span is not None:
                right = name == "eval" and is_right(answer.span, q.answers)
                found[name].append((retrieval.coverage(retrieval.passages[answer.passage_id].text), right))
    right_all = sum(r for _, r in found["eval"]) or 1
    for share in shares:
        kept = sum(r for c, r in found["eval"] if c >= share)
        off = sum(c >= share for c, _ in found["seeds"])
        print(f"  {share:<5} -> {kept / right_all:.3f} ({kept} of {right_all}); {off / len(questions):.3f} ({off})")


SILENT = 0.75  # the answers issue asks that >= 70% of unanswerable held-out questions get no answer; 5 points spare
BARS = np.arange(-6.0, 6.01, 0.25)


def lowest_silent_bar(silent_at: Callable[[float], float], label: str) -> float:
    """The lowest bar in ``BARS`` at which ``silent_at(bar)`` (the share of unanswerable questions left
    unanswered) reaches ``SILENT``; the table it prints shows what each bar costs."""
    print(f"{label}\n  bar -> unanswerable left unanswered")
    for bar in BARS:
        silent = silent_at(float(bar))
        print(f"  {bar:+5.2f} -> {silent:.3f}")
        if silent >= SILENT:
            return float(bar)
    raise SystemExit(f"no bar up to {BARS[-1]} leaves {SILENT:.0%} of the unanswerable questions unanswered")


def bench_engine(index: str = "eval-index", **settings: Any) -> SearchEngine:
    """The engine over one of bench/quality.py's indexes (built by ``python -m bench.quality``): its eval corpus, or
    the seeds' (``seed-index``); ``settings`` change the defaults."""
    return SearchEngine.load(Settings.from_env(index_dir=ROOT / "data" / "bench" / index, **settings))


def product_silence(engine: SearchEngine, rows: list[dict]) -> Callable[[float], float]:
    """How often the product, searching the eval corpus, says nothing to these unanswerable questions when an
    answer chosen among several passages needs ``bar``."""
    retrievals = [engine.retrieve(r["question"], lang="id", k=10)[0] for r in rows]
    reader, calibration = engine.reader()

    def silent_at(bar: float) -> float:
        engine.extractor.reader = (reader, dataclasses.replace(calibration, min_margin_several=bar))
        return float(np.mean([engine.answer(r) is None for r in retrievals]))

    return silent_at


def numbers(text: str) -> list[float]:
    """``0.1,0.2`` -> [0.1, 0.2]; anything else is argparse's usage error, not a traceback."""
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--out", type=Path, default=Settings().answers.reader_calibration)
    parser.add_argument("--weights", type=numbers, help="comma-separated reader_weight values to compare instead")
    parser.add_argument("--shares", type=numbers, help="comma-separated answer_min_coverage values to compare instead")
    args = parser.parse_args()
    if args.weights:
        reader_weights(args.eval, args.weights)
        return 0
    if args.shares:
        answer_shares(args.eval, args.shares)
        return 0
    rows = [r for r in qa_rows(args.eval) if r["set"] in ("tydi", "idk") and split(r) == "dev"]
    engine = bench_engine()
    reader, _ = engine.reader()
    margin, right, answerable = margins(reader, rows)
    print(f"dev: {len(rows)} questions ({int(answerable.sum())} answerable); right at any margin: {right.mean():.3f}")
    one = lowest_silent_bar(lambda bar: float(np.mean(margin[~answerable] < bar)), "one passage read")
    right_at = np.mean(right[answerable] & (margin[answerable] >= one))
    print(f"  at {one:+.2f}: answerable questions right {right_at:.3f} (answering all: {right[answerable].mean():.3f})")
    unanswerable = [r for r in rows if r["is_impossible"]]
    several = lowest_silent_bar(product_silence(engine, unanswerable), "the product, best of several passages")
    bars = Calibration(min_margin=one, min_margin_several=several)
    engine.extractor.reader = (reader, bars)
    answer_margin, answered_right = product_answers(engine, args.eval)
    a, b = (round(float(w), 4) for w in fit_logistic(answer_margin[:, None], answered_right))
    print(f"{len(answered_right)} answers on dev, {answered_right.mean():.3f} right")
    tuned_on = (
        f"dev split of TyDi QA + IDK-MRC ({len(rows)} questions; {SILENT:.0%} of its unanswerable ones left "
        "unanswered), confidence from the product's answers to them; bench/tune_reader.py"
    )
    dataclasses.replace(bars, a=a, b=b, tuned_on=tuned_on).save(args.out)
    print(f"min_margin {one}, min_margin_several {several}; confidence = sigmoid({a} * margin + {b})")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
