"""Calibrate the reader on held-out *dev* questions (never on the reported ones): its confidence, a logistic fit
of "the span is right" on its margin over "no answer", and the margin below which it says nothing.

    .venv/bin/python -m bench.tune_reader      # writes berita/answering/reader.json
    .venv/bin/python -m bench.tune_reader --weights 0,0.1,0.2,0.3,0.5   # reader_weight on TyDi dev (eval index)

Dev: the TyDi QA and IDK-MRC passages in the first 7 of the 15 held-out hash buckets (bench/train_reader.py),
read with their own passage, as the reader reads the best one. A span counts as right when its token F1 with a
gold answer is at least 0.5 (the reader's spans are often a word longer or shorter than the gold ones); an
answer to an unanswerable question is wrong. The threshold maximises right - wrong: a wrong answer in a
journalist's notes costs as much as a right one saves, so the reader says nothing unless it is more often right.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

from bench.metrics import token_f1
from bench.train_reader import DEV_PERCENT, ROOT, bucket, qa_rows
from berita import Settings
from berita.answering.reader import Calibration, Reader


def margins(reader: Reader, rows: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per question: the reader's margin, whether its span is right, whether the question has an answer."""
    margin, right, answerable = [], [], []
    for r in rows:
        spans = reader.read(r["question"], [r["context"]])
        best = spans[0] if spans else None
        margin.append(best.margin if best else -1e9)
        right.append(best is not None and not r["is_impossible"] and token_f1(best.text, r["answers"]) >= 0.5)
        answerable.append(not r["is_impossible"])
    return np.array(margin), np.array(right), np.array(answerable)


def fit_logistic(x: np.ndarray, y: np.ndarray, steps: int = 2000, lr: float = 0.05) -> tuple[float, float]:
    a, b = 0.5, 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(a * x + b)))
        a -= lr * float(np.mean((p - y) * x))
        b -= lr * float(np.mean(p - y))
    return a, b


def reader_weights(eval_dir: Path, weights: list[float]) -> None:
    """R@1 and answer F1 on TyDi QA's dev questions (the product's ranking, bench/quality.py's index) for each
    ``reader_weight``: how far the reader's margin may lift a lower passage that holds the answer."""
    from bench.metrics import answer_scores
    from bench.quality import gold_rank, ranked_passages, tydi_questions
    from berita import SearchEngine

    engine = SearchEngine.load(Settings.from_env(index_dir=ROOT / "data" / "bench" / "eval-index"))
    questions = tydi_questions(eval_dir, "dev")
    retrievals = [engine.retrieve(q.text, lang="id", k=10)[0] for q in questions]
    print(f"TyDi dev, {len(questions)} questions: reader_weight -> R@1, answer F1")
    for weight in weights:
        engine.extractor.config = dataclasses.replace(engine.settings.answers, reader_weight=weight)
        found = [engine.answer(r) for r in retrievals]
        first = [gold_rank(ranked_passages(r, f), q) == 1 for r, f, q in zip(retrievals, found, questions)]
        f1 = answer_scores([f.span if f else None for f in found], [q.answers for q in questions])["F1"]
        print(f"  {weight:<5} -> {np.mean(first):.4f}  {f1:.4f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--out", type=Path, default=Settings().answers.reader_calibration)
    parser.add_argument("--weights", help="comma-separated reader_weight values to compare instead")
    args = parser.parse_args()
    if args.weights:
        reader_weights(args.eval, [float(w) for w in args.weights.split(",")])
        return 0
    rows = [r for r in qa_rows(args.eval) if r["set"] in ("tydi", "idk") and bucket(r["doc_id"]) < DEV_PERCENT]
    reader = Reader.load(Settings().answers.reader_file)
    margin, right, answerable = margins(reader, rows)
    print(f"dev: {len(rows)} questions ({int(answerable.sum())} answerable); right at any margin: {right.mean():.3f}")
    best, best_score = 0.0, -np.inf
    print("min_margin -> answered  right  no-answer kept (unanswerable)  right - wrong")
    for t in np.arange(-4.0, 8.01, 0.5):
        given = margin >= t
        score = (np.sum(given & right) - np.sum(given & ~right)) / len(rows)
        print(
            f"  {t:+5.1f} -> {given.mean():.3f}  {np.mean(given & right):.3f}  {np.mean(~given[~answerable]):.3f}"
            f"  {score:+.3f}"
        )
        if score > best_score:
            best, best_score = float(t), score
    clipped = np.clip(margin, -20, 20)
    a, b = fit_logistic(clipped, right.astype(float))
    Calibration(
        round(a, 4), round(b, 4), best, f"dev split of TyDi QA + IDK-MRC ({len(rows)} questions), bench/tune_reader.py"
    ).save(args.out)
    print(f"kept min_margin {best}; confidence = sigmoid({a:.3f} * margin + {b:.3f}); wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
