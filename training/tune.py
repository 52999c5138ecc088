"""Tune fusion and answer settings on the FacQA *train* split (never on the reported sets).

    .venv/bin/python -m training.tune     # needs the index that bench/quality.py builds

Prints, for each setting tried, retrieval and answer figures on the train questions.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

from bench.datasets import EVAL_DIR, EVAL_INDEX, facqa_questions
from bench.judge import gold_rank, ranked_passages
from bench.metrics import answer_scores, retrieval_scores
from berita import SearchEngine, Settings
from berita.answering import Answerer, RuleReader
from berita.retrieval.fusion import dense_shares


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=EVAL_DIR)
    parser.add_argument("--limit", type=int, default=1000, help="train questions to use")
    args = parser.parse_args()
    engine = SearchEngine.load(Settings.from_env(index_dir=EVAL_INDEX))
    questions = facqa_questions(args.eval, "train")[: args.limit]
    base = engine.settings

    print("fusion (id): method dense_share candidates -> R@1 R@10 MRR@10")
    for fusion, share, depth in itertools.product(("convex", "rrf"), (0.3, 0.4, 0.5, 0.6), (50, 100)):
        # fusion alone; training/tune_rerank.py trains the stage after it
        tried = SearchEngine(engine.backend, engine.embedder, base.replace(candidates=depth, rerank=False))
        retrievals = (
            tried.retrieve(
                q.text,
                lang="id",
                k=10,
                with_answer=False,
                fusion=fusion,
                dense_share={**dense_shares(), "id": share},
            )[0]
            for q in questions
        )
        s = retrieval_scores([gold_rank(ranked_passages(r), q) for r, q in zip(retrievals, questions)])
        print(f"  {fusion:<7} {share:<4} {depth:<4} -> {s['R@1']:.3f} {s['R@10']:.3f} {s['MRR@10']:.3f}")

    ranked = [engine.retrieve(q.text, lang="id", k=10)[0] for q in questions]
    print("answers: min_similarity overlap_weight passages -> answered EM F1 precision")
    for threshold, overlap, passages in itertools.product((0.76, 0.78, 0.80, 0.82, 0.84), (0.0, 0.02, 0.05), (1, 3)):
        rules = Answerer(RuleReader(threshold, overlap, passages))  # the rules alone
        predictions = [(a.span or a.sentence) if (a := rules.answer(r)) else None for r in ranked]
        s = answer_scores(predictions, [q.answers for q in questions])
        print(
            f"  {threshold:<5} {overlap:<5} {passages:<2} -> {s['answered']:.3f} {s['EM']:.3f} {s['F1']:.3f} {s['precision']:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
