"""Retrieval and answer metrics: one relevant passage per question."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter


def retrieval_scores(ranks: list[int | None], k: int = 10) -> dict[str, float]:
    """``ranks``: 1-based rank of the gold passage per question, ``None`` when it was not retrieved."""
    n = max(len(ranks), 1)
    found = [r for r in ranks if r is not None and r <= k]
    return {
        "R@1": sum(r == 1 for r in found) / n,
        f"R@{k}": len(found) / n,
        f"MRR@{k}": sum(1 / r for r in found) / n,
        f"nDCG@{k}": sum(1 / math.log2(r + 1) for r in found) / n,
    }


def paired_difference(a: list[bool], b: list[bool]) -> dict[str, float]:
    """How much more often ``a`` than ``b`` got a question right (the same questions), with a 95% interval: a
    gain of a point or two on a few hundred questions is a handful of them, and may be chance."""
    n = max(len(a), 1)
    d = [float(x) - float(y) for x, y in zip(a, b)]
    mean = sum(d) / n
    spread = 1.96 * math.sqrt(max(sum((x - mean) ** 2 for x in d) / max(n - 1, 1), 0.0) / n)
    return {
        "wins": sum(x > 0 for x in d),
        "losses": sum(x < 0 for x in d),
        "difference": mean,
        "ci95_low": mean - spread,
        "ci95_high": mean + spread,
    }


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def exact_match(prediction: str | None, golds: list[str]) -> float:
    return float(prediction is not None and any(_tokens(prediction) == _tokens(g) for g in golds))


def token_f1(prediction: str | None, golds: list[str]) -> float:
    if prediction is None:
        return 0.0
    best = 0.0
    pred = Counter(_tokens(prediction))
    for gold in golds:
        g = Counter(_tokens(gold))
        common = sum((pred & g).values())
        if common:
            p, r = common / sum(pred.values()), common / sum(g.values())
            best = max(best, 2 * p * r / (p + r))
    return best


def is_right(prediction: str | None, golds: list[str]) -> bool:
    """An answer counts as right when its token F1 with a gold answer is at least 0.5: the reader's spans are often
    a word longer or shorter than the gold ones. No answer, or a question without gold answers, is never right."""
    return token_f1(prediction, golds) >= 0.5


def answer_scores(predictions: list[str | None], golds: list[list[str]]) -> dict[str, float]:
    n = max(len(predictions), 1)
    answered = [i for i, p in enumerate(predictions) if p is not None]
    return {
        "answered": len(answered) / n,
        "EM": sum(exact_match(p, g) for p, g in zip(predictions, golds)) / n,
        "F1": sum(token_f1(p, g) for p, g in zip(predictions, golds)) / n,
        # of the questions it answered, how many it got (at least partly) right
        "precision": (sum(token_f1(predictions[i], golds[i]) > 0 for i in answered) / len(answered))
        if answered
        else 0.0,
    }


def percentiles(seconds: list[float]) -> dict[str, float]:
    """Median, p95 and p99 in milliseconds (nearest rank)."""
    ms = sorted(1000 * s for s in seconds)
    pick = lambda p: ms[min(len(ms) - 1, int(round(p * (len(ms) - 1))))]  # noqa: E731
    return {
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(pick(0.95), 2),
        "p99_ms": round(pick(0.99), 2),
        "n": len(ms),
    }
