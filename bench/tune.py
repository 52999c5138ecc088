"""Tune fusion and answer settings on the FacQA *train* split (never on the reported sets).

    .venv/bin/python bench/tune.py        # needs the index that bench/quality.py builds

Prints, for each setting tried, retrieval and answer figures on the train questions.
"""
from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.metrics import answer_scores, retrieval_scores  # noqa: E402
from bench.quality import facqa_questions, gold_rank  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from search.settings import Settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--limit", type=int, default=1000, help="train questions to use")
    args = parser.parse_args()
    engine = SearchEngine.load(Settings.from_env(index_dir=ROOT / "data" / "bench" / "eval-index"))
    questions = facqa_questions(args.eval, "train")[: args.limit]
    base = engine.settings

    print("fusion (id): method dense_share candidates -> R@1 R@10 MRR@10")
    for fusion, share, depth in itertools.product(("convex", "rrf"), (0.3, 0.4, 0.5, 0.6), (50, 100)):
        engine.settings = replace(base, fusion=fusion, dense_share={**base.dense_share, "id": share}, candidates=depth,
                                  rerank=False)  # fusion alone; bench/tune_rerank.py trains the stage after it
        ranks = [gold_rank(engine, engine.retrieve(q.text, "id", 10), q) for q in questions]
        s = retrieval_scores(ranks)
        print(f"  {fusion:<7} {share:<4} {depth:<4} -> {s['R@1']:.3f} {s['R@10']:.3f} {s['MRR@10']:.3f}")

    engine.settings = base
    ranked = [engine.retrieve(q.text, "id", 10) for q in questions]
    print("answers: min_similarity overlap_weight passages -> answered EM F1 precision")
    for threshold, overlap, passages in itertools.product((0.76, 0.78, 0.80, 0.82, 0.84), (0.0, 0.02, 0.05), (1, 3)):
        engine.settings = replace(base, answer_min_similarity=threshold, answer_overlap_weight=overlap, answer_passages=passages)
        predictions = [(a.span or a.text) if (a := engine.answer(q.text, r, "id")) else None for q, r in zip(questions, ranked)]
        s = answer_scores(predictions, [q.answers for q in questions])
        print(f"  {threshold:<5} {overlap:<5} {passages:<2} -> {s['answered']:.3f} {s['EM']:.3f} {s['F1']:.3f} {s['precision']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
