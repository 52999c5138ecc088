"""Learn the answer-span model (berita/answering/spans.json) on FacQA *train* questions, never on reported sets.

    .venv/bin/python -m bench.tune_answers        # needs the index that bench/quality.py builds

For each typed train question (one asking for an amount, date, person, ...), the values found in the
top passages the product retrieves, with their features (berita/answering/spans.py); a value is right when it
equals a gold answer. The model is trained listwise like the reranker. Prints 5-fold cross-validated
exact match by confidence threshold and keeps the threshold where a right answer outweighs two wrong
ones (score = right - wrong / 2): below it, "no answer" is the better output.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

from bench.quality import ROOT, facqa_questions
from bench.tune_rerank import Group, fit
from berita import SearchEngine, Settings
from berita.answering.spans import SPAN_FEATURES
from berita.core.kinds import question_kind
from berita.core.linear import LinearModel

THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


def normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def collect(engine: SearchEngine, questions) -> list[Group]:
    groups = []
    for q in questions:
        retrieval, _ = engine.retrieve(q.text, lang="id", k=10)
        candidates, rows = engine.extractor.candidates(retrieval, question_kind(q.text, "id") or "")
        golds = {normal(a) for a in q.answers}
        groups.append((rows, np.array([normal(c.span.text) in golds for c in candidates], dtype=bool)))
    return groups


def held_out_predictions(groups: list[Group]) -> np.ndarray:
    """(probability of the top value, whether it is right) per question, from 5-fold cross-validation."""
    out = np.zeros((len(groups), 2))
    for fold in np.array_split(np.random.default_rng(0).permutation(len(groups)), 5):
        w = fit([groups[i] for i in sorted(set(range(len(groups))) - set(fold))])
        model = LinearModel(SPAN_FEATURES, {"id": w.tolist()})
        for i in fold:
            x, y = groups[i]
            if len(y):
                p = model.probabilities("id", x)
                out[i] = p.max(), y[np.argmax(p)]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--out", type=Path, default=ROOT / "berita" / "answering" / "spans.json")
    args = parser.parse_args()
    settings = Settings.from_env(index_dir=ROOT / "data" / "bench" / "eval-index")
    engine = SearchEngine.load(settings.replace(learned_spans=False))
    questions = [q for q in facqa_questions(args.eval, "train") if question_kind(q.text, "id")]
    groups = collect(engine, questions)

    predictions = held_out_predictions(groups)
    print(
        f"FacQA train, {len(groups)} typed questions, 5-fold CV; a right value is among the candidates "
        f"for {np.mean([y.any() for _, y in groups]):.3f}"
    )
    print("min_probability -> answered  EM  EM of answered  right - wrong/2")
    best, best_score = 0.0, -np.inf
    for t in THRESHOLDS:
        answered = predictions[:, 0] > t
        right, wrong = (answered & (predictions[:, 1] > 0)).sum(), (answered & (predictions[:, 1] == 0)).sum()
        score = (right - wrong / 2) / len(groups)
        print(
            f"  {t:<4} -> {answered.mean():.3f}  {right / len(groups):.3f}  {right / max(answered.sum(), 1):.3f}  {score:+.3f}"
        )
        if score > best_score:
            best, best_score = t, score
    w = fit(groups)
    print("weights:", ", ".join(f"{name} {weight:+.2f}" for name, weight in zip(SPAN_FEATURES, w)))
    LinearModel(
        SPAN_FEATURES,
        {"id": [round(float(x), 5) for x in w]},
        {"min_probability": best},
        f"FacQA train ({len(groups)} typed questions), bench/tune_answers.py",
    ).save(args.out)
    print(f"kept min_probability {best}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
