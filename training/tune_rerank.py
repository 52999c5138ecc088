"""Learn the reranker's weights (berita/retrieval/rerank.json) on two kinds of train questions, never on reported sets.

    .venv/bin/python -m training.tune_rerank     # needs the index that bench/quality.py builds

FacQA train (news; questions worded like their passage, where BM25 is strong) and TyDi QA train (Wikipedia;
questions written by people before reading the passage, where dense retrieval is strong). A stage fitted on one
kind alone fails the other (fitted on FacQA it ranked 6.8 points below dense-only on TyDi test), so it is fitted on
both, and judged on both: 5-fold cross-validation within each kind, and TyDi's dev buckets (held out by passage).

For each question, the candidates the product re-orders (the fused head and the dense head, rerank.py) and their
features; the model is a linear score trained listwise (softmax over the candidates, the gold passage as the target)
with Adam and a little L2.

The product encodes Indonesian questions with a query encoder trained on these same train questions
(training/train_queries.py), which ranks their passages better than it ranks new questions', so the features are
read with e5's own query encoder (``--queries e5``, the default; the product reads the trained encoder's cosines on
e5's scale). ``--queries cross-fitted`` reads each train question's features from an encoder trained without its
half (``training.train_queries --fold``), and TyDi dev's from the shipped one. Measured (R@1 over the candidates, the
shipped encoder's features): fitted cross-fitted, TyDi dev 0.636, test 0.703, FacQA valid 0.669; fitted on e5's
(shipped), 0.644, 0.701, 0.672.

    .venv/bin/python -m training.train_queries --fold 0 && .venv/bin/python -m training.train_queries --fold 1
    .venv/bin/python -m training.tune_rerank --queries cross-fitted --out /tmp/rerank.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from bench.datasets import (
    EVAL_DIR,
    EVAL_INDEX,
    FOLDS,
    ROOT,
    Question,
    facqa_questions,
    fold_of,
    is_gold,
    tydi_questions,
)
from berita import SearchEngine, Settings
from berita.core.linear import LinearModel
from berita.retrieval.rerank import FEATURES, candidates
from training.paths import fold_dir

Group = tuple[np.ndarray, np.ndarray]  # features of one question's candidates, which of them are gold


def collect(engine: SearchEngine, questions: list[Question], depth: int, dense_depth: int) -> list[Group]:
    groups = []
    for q in questions:
        fused = engine.retrieve(q.text, lang="id", k=depth, with_answer=False)[0]
        dense = engine.retrieve(q.text, lang="id", k=dense_depth, mode="dense", with_answer=False)[0]
        ids = candidates(fused.hits, dense.hits, depth, dense_depth)
        passages = {**fused.passages, **dense.passages}
        rows = engine.retriever.rerank_features(q.text, "id", ids)
        groups.append((rows, np.array([is_gold(passages[i], q) for i in ids])))
    return groups


def collect_cross_fitted(
    engines: dict[int, SearchEngine], questions: list[Question], depth: int, dense_depth: int
) -> list[Group]:
    """``collect``, each question searched by the engine of its fold (``fold_engines``); in the order given."""
    out: dict[int, Group] = {}
    for fold, engine in engines.items():
        chosen = [i for i, q in enumerate(questions) if fold_of(q) == fold]
        out.update(zip(chosen, collect(engine, [questions[i] for i in chosen], depth, dense_depth)))
    return [out[i] for i in range(len(questions))]


def fold_engines(settings: Settings) -> dict[int, SearchEngine]:
    """Per fold, an engine whose query encoder was trained without that fold's questions."""
    engines = {}
    for fold in range(FOLDS):
        layers = fold_dir(fold) / "queries.npz"
        if not layers.exists():
            raise SystemExit(f"no {layers}: run python -m training.train_queries --fold {fold} (or use --queries e5)")
        engines[fold] = SearchEngine.load(settings.replace(query_layers=layers))
    return engines


def fit(groups: list[Group], l2: float = 1e-3, steps: int = 600, lr: float = 0.1) -> np.ndarray:
    groups = [(x, y) for x, y in groups if y.any()]  # nothing to learn where the gold passage is not a candidate
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


def r_at_1(groups: list[Group], w: np.ndarray | None, column: int | None = None) -> float:
    """R@1 re-ordered by ``w``, by one feature ``column``, or (neither) in the order given (fusion's)."""

    def first(x: np.ndarray) -> int:
        return int(np.argmax(x @ w if w is not None else x[:, column])) if (w is not None or column is not None) else 0

    return float(np.mean([bool(y[first(x)]) for x, y in groups]))


def cross_validated(kinds: dict[str, list[Group]], folds: int = 5) -> dict[str, float]:
    """Each kind's R@1 with its questions held out fold by fold, the model fitted on the rest of every kind."""
    rng = np.random.default_rng(0)
    splits = {name: np.array_split(rng.permutation(len(groups)), folds) for name, groups in kinds.items()}
    held: dict[str, list[bool]] = {name: [] for name in kinds}
    for f in range(folds):
        train = [g for name, groups in kinds.items() for i, g in enumerate(groups) if i not in set(splits[name][f])]
        w = fit(train)
        for name, groups in kinds.items():
            held[name] += [bool(groups[i][1][int(np.argmax(groups[i][0] @ w))]) for i in splits[name][f]]
    return {name: float(np.mean(v)) for name, v in held.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=EVAL_DIR)
    parser.add_argument("--depth", type=int, default=10, help="fused passages to re-order")
    parser.add_argument("--dense-depth", type=int, default=10, help="dense passages added to them")
    parser.add_argument("--out", type=Path, default=ROOT / "berita" / "retrieval" / "rerank.json")
    parser.add_argument("--queries", choices=("e5", "cross-fitted"), default="e5", help="query encoder of the features")
    args = parser.parse_args()
    settings = Settings.from_env(index_dir=EVAL_INDEX)
    settings = settings.replace(rerank=False, reader=False)
    if args.queries == "e5":
        settings = settings.replace(query_languages=())
    engine = SearchEngine.load(settings)
    engines = fold_engines(settings) if args.queries == "cross-fitted" else dict.fromkeys(range(FOLDS), engine)
    train = {"facqa-train": facqa_questions(args.eval, "train"), "tydi-train": tydi_questions(args.eval, "train")}
    kinds = {name: collect_cross_fitted(engines, qs, args.depth, args.dense_depth) for name, qs in train.items()}
    dev = collect(engine, tydi_questions(args.eval, "dev"), args.depth, args.dense_depth)

    dense = FEATURES.index("dense")
    cv = cross_validated(kinds)
    w = fit([g for groups in kinds.values() for g in groups])
    print("R@1 over the candidates: fusion / dense / reranked")
    for name, groups in kinds.items():
        print(
            f"  {name:<12} n {len(groups):>5}  {r_at_1(groups, None):.4f} / {r_at_1(groups, None, dense):.4f} / "
            f"{cv[name]:.4f} (5-fold)"
        )
    print(
        f"  {'tydi-dev':<12} n {len(dev):>5}  {r_at_1(dev, None):.4f} / {r_at_1(dev, None, dense):.4f} / {r_at_1(dev, w):.4f}"
    )
    print("weights:", ", ".join(f"{name} {weight:+.3f}" for name, weight in zip(FEATURES, w)))
    LinearModel(
        FEATURES,
        {"id": [round(float(x), 5) for x in w]},
        {"depth": args.depth, "dense_depth": args.dense_depth},
        f"FacQA train ({len(train['facqa-train'])} questions) and TyDi QA train ({len(train['tydi-train'])}), "
        f"query encoder: {args.queries}, training/tune_rerank.py",
    ).save(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
