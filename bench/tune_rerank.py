"""Learn the reranker's weights (berita/retrieval/rerank.json) on FacQA *train* questions, never on reported sets.

    .venv/bin/python -m bench.tune_rerank        # needs the index that bench/quality.py builds

For each question, the fused top ``--depth`` passages and their features (berita/retrieval/rerank.py); the model
is a linear score trained listwise (softmax over the candidates, the gold passage as the target) with
Adam and a little L2. Prints 5-fold cross-validated R@1 on train against fusion alone, then fits on
all train questions and writes the weights.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from bench.quality import ROOT, facqa_questions, is_gold, ranked_passages
from berita import SearchEngine, Settings
from berita.core.linear import LinearModel
from berita.retrieval.rerank import FEATURES

Group = tuple[np.ndarray, np.ndarray]  # features of one question's candidates, which of them are gold


def collect(engine: SearchEngine, questions, depth: int) -> list[Group]:
    groups = []
    for q in questions:
        passages = ranked_passages(engine.retrieve(q.text, lang="id", k=depth, with_answer=False)[0])
        rows = engine.retriever.rerank_features(q.text, "id", [p.passage_id for p in passages])
        groups.append((rows, np.array([is_gold(p, q) for p in passages])))
    return groups


def fit(groups: list[Group], l2: float = 1e-3, steps: int = 400, lr: float = 0.1) -> np.ndarray:
    groups = [(x, y) for x, y in groups if y.any()]  # nothing to learn where the gold passage is not in the head
    x = np.vstack([g[0] for g in groups])
    gold = np.concatenate([g[1] for g in groups])
    group = np.concatenate([np.full(len(g[1]), n) for n, g in enumerate(groups)])
    mean, std = x.mean(0), x.std(0) + 1e-9
    z = (x - mean) / std
    golds_in_group = np.bincount(group[gold], minlength=len(groups))
    w, m, v = np.zeros(z.shape[1]), np.zeros(z.shape[1]), np.zeros(z.shape[1])
    for t in range(1, steps + 1):
        s = z @ w
        top = np.full(len(groups), -np.inf)
        np.maximum.at(top, group, s)
        e = np.exp(s - top[group])
        p = e / np.bincount(group, e, len(groups))[group]
        # gradient of the mean negative log-likelihood of the gold passages under each question's softmax
        grad = (z * p[:, None]).sum(0) - (z[gold] / golds_in_group[group[gold]][:, None]).sum(0)
        grad = grad / len(groups) + l2 * w
        m, v = 0.9 * m + 0.1 * grad, 0.999 * v + 0.001 * grad**2
        w -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w / std  # on raw features; the shift cancels inside a softmax


def r_at_1(groups: list[Group], w: np.ndarray | None) -> float:
    return float(np.mean([bool(y[0] if w is None else y[np.argmax(x @ w)]) for x, y in groups]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--depth", type=int, default=10, help="fused passages to re-order")
    parser.add_argument("--out", type=Path, default=ROOT / "berita" / "retrieval" / "rerank.json")
    args = parser.parse_args()
    settings = Settings.from_env(index_dir=ROOT / "data" / "bench" / "eval-index")
    engine = SearchEngine.load(settings.replace(rerank=False, learned_spans=False))
    questions = facqa_questions(args.eval, "train")
    groups = collect(engine, questions, args.depth)

    folds = np.array_split(np.random.default_rng(0).permutation(len(groups)), 5)
    held_out = []
    for fold in folds:
        train = [groups[i] for i in sorted(set(range(len(groups))) - set(fold))]
        held_out.append(r_at_1([groups[i] for i in fold], fit(train)))
    print(
        f"FacQA train, {len(groups)} questions, 5-fold CV: R@1 fusion {r_at_1(groups, None):.4f}, "
        f"reranked {np.mean(held_out):.4f} (folds {', '.join(f'{a:.3f}' for a in held_out)})"
    )

    w = fit(groups)
    print("weights:", ", ".join(f"{name} {weight:+.3f}" for name, weight in zip(FEATURES, w)))
    LinearModel(
        FEATURES,
        {"id": [round(float(x), 5) for x in w]},
        {"depth": args.depth},
        f"FacQA train ({len(questions)} questions), bench/tune_rerank.py",
    ).save(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
