"""Fits the answers' confidence (berita/answering/confidence.json): the probability that an answer is right on news,
per question language, and the bars of its two levels.

    .venv/bin/python -m training.calibrate    # needs bench.newsroom's and bench.quality's indexes (built if missing)

Examples: the product's answer, before calibration, to the dev questions of the newsroom set (both languages,
answerable and not) and, for Indonesian, TyDi QA dev and IDK-MRC dev's unanswerable questions over the eval
corpus; an answer is right where it matches a gold answer (token F1 >= 0.5), wrong otherwise (always, for a
question the archive cannot answer). The bars are chosen on the newsroom dev questions alone: "sure" from the
lowest probability above which at least ``SURE_PRECISION`` of the answers were right, "possible" where at most
``UNANSWERABLE_ANSWERED`` of the unanswerable questions still get an answer.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.datasets import EVAL_DIR, EVAL_INDEX, ROOT, Question, idk_unanswerable, newsroom_questions, tydi_questions
from bench.indexes import newsroom_engine
from bench.metrics import is_right
from berita import SearchEngine, Settings
from berita.answering import Calibrator
from berita.answering.confidence import FEATURES, features
from berita.engine import calibration
from training.fit import fit_logistic

SURE_PRECISION = 0.9  # the share of sure answers that must be right on the dev questions
UNANSWERABLE_ANSWERED = 0.12  # a little under the 0.15 allowed
RIDGE = 3.0
MIN_SURE = 8  # dev answers a "sure" bar must rest on
SOURCE_WEIGHT = {"newsroom": 1.0, "tydi": 0.5}  # news first: the confidence is read on news


def answers(engine: SearchEngine, questions: list[Question], source: str) -> list[dict]:
    """The product's uncalibrated answer to each question it answers, with its retrieval and whether it is right."""
    out = []
    for q in questions:
        retrieval, options = engine.retrieve(q.text, lang=q.lang, k=10, with_answer=True)
        found = engine.answer(retrieval, replace(options, calibrate=False))
        if found is None or not found.span:
            continue
        right = bool(q.answers) and is_right(found.span, q.answers)
        out.append({"lang": q.lang, "source": source, "found": found, "retrieval": retrieval, "y": float(right)})
        out[-1]["ok"] = bool(q.answers)
    return out


def dev_answers(eval_dir: Path, cache: Path) -> list[dict]:
    """``answers`` to every dev question, kept in ``cache`` (features change more often than answers)."""
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    news = answers(newsroom_engine(eval_dir), newsroom_questions(eval_dir, "dev"), "newsroom")
    tydi_engine = SearchEngine.load(Settings.from_env(index_dir=EVAL_INDEX))
    out = news + answers(tydi_engine, tydi_questions(eval_dir, "dev") + idk_unanswerable(eval_dir, "dev"), "tydi")
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(out))
    return out


def lowest(candidates: np.ndarray, holds) -> float:
    """The lowest of ``candidates`` (ascending) at which ``holds`` is true, else just above 1 (never)."""
    return next((float(t) for t in candidates if holds(t)), 1.01)


def bars(p: np.ndarray, right: np.ndarray, answerable: np.ndarray, unanswerable: int) -> tuple[float, float]:
    """The sure and possible bars over the dev answers' probabilities ``p`` (``unanswerable``: how many of the dev
    questions had no answer in the archive, answered or not)."""
    grid = np.round(np.arange(0.05, 1.0, 0.01), 2)

    def precise(t: float) -> bool:
        at = p >= t
        return at.sum() >= MIN_SURE and right[at].mean() >= SURE_PRECISION

    def silent(t: float) -> bool:
        return (p[~answerable] >= t).sum() <= UNANSWERABLE_ANSWERED * unanswerable

    sure = lowest(grid, precise)
    return sure, min(lowest(grid, silent), sure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=EVAL_DIR)
    parser.add_argument("--out", type=Path, default=calibration(Settings()))
    parser.add_argument(
        "--cache", type=Path, default=ROOT / "data" / "bench" / "calibration-answers.pkl", help="delete to ask again"
    )
    args = parser.parse_args()
    found = dev_answers(args.eval, args.cache)
    for r in found:
        r["x"] = features(r["found"], r["retrieval"])
    news = [r for r in found if r["source"] == "newsroom"]
    weights, sure, possible, report = {}, {}, {}, []
    for lang in ("id", "en"):
        rows = [r for r in found if r["lang"] == lang]
        x, y = np.array([r["x"] for r in rows]), np.array([r["y"] for r in rows])
        w = fit_logistic(x, y, RIDGE, np.array([SOURCE_WEIGHT[r["source"]] for r in rows]))
        weights[lang] = [round(float(v), 5) for v in w]
        mine = [r for r in news if r["lang"] == lang]
        p = 1 / (1 + np.exp(-(np.array([r["x"] for r in mine]) @ w[:-1] + w[-1])))
        right, answerable = np.array([r["y"] for r in mine]) > 0, np.array([r["ok"] for r in mine])
        unanswerable = sum(not q.answers for q in newsroom_questions(args.eval, "dev") if q.lang == lang)
        sure[lang], possible[lang] = bars(p, right, answerable, unanswerable)
        given, sure_ = p >= possible[lang], p >= sure[lang]
        report.append(
            f"{lang}: {len(rows)} answers ({len(mine)} newsroom dev, right {right.mean():.3f}); "
            f"sure from {sure[lang]} ({sure_.sum()} answers, {right[sure_].mean() if sure_.any() else 0:.3f} right), "
            f"possible from {possible[lang]} ({given.sum()} answers, {right[given].mean() if given.any() else 0:.3f} "
            f"right; {right[given].sum()} right, {(given & ~answerable).sum()} to unanswerable questions)"
        )
    tuned_on = {
        "weights": "the product's answers to the newsroom dev questions (both languages, answerable and not) and, "
        f"for Indonesian, TyDi QA dev and IDK-MRC dev's unanswerable questions (weight {SOURCE_WEIGHT['tydi']}); "
        f"ridge {RIDGE}; training/calibrate.py",
        "sure": f"the lowest probability from which {SURE_PRECISION:.0%} of the newsroom dev answers were right",
        "possible": f"where at most {UNANSWERABLE_ANSWERED:.0%} of the newsroom dev unanswerable questions get one",
    }
    Calibrator(weights, sure, possible, FEATURES, tuned_on).save(args.out)
    print("\n".join(report), f"\nwrote {args.out}", sep="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
