"""Weighted reciprocal rank fusion."""
from __future__ import annotations

from typing import Sequence


def rrf(rankings: Sequence[Sequence[int]], weights: Sequence[float], k: int = 60) -> list[tuple[int, float]]:
    """Fuse ranked id lists: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1. Best first."""
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        if weight <= 0:
            continue
        for rank, item in enumerate(ranking, 1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
