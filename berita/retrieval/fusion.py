"""Fusing ranked lists of hits from different retrievers; the dense side's share per query language, tuned, is
kept beside this module in ``fusion.json``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np

from ..core.schema import Hit, passage_order


@cache
def dense_shares() -> dict[str, float]:
    """The dense side's share of the fused score by query language (BM25 has the rest): English questions share only
    names and numbers with Indonesian passages, so there BM25 may break ties but must not outvote the dense side."""
    raw = json.loads((resources.files("berita.retrieval") / "fusion.json").read_text(encoding="utf-8"))
    return {lang: float(share) for lang, share in raw["dense_share"].items()}


@cache
def match_floor(model: str) -> dict[str, float]:
    """The cosine to the question (e5's scale) a passage needs to count as a match, by question language; none for
    another model than the one the floor was measured with (its cosines have another scale)."""
    raw = json.loads((resources.files("berita.retrieval") / "fusion.json").read_text(encoding="utf-8"))
    floors = dict(raw.get("match_floor", {}))
    if floors.pop("model", None) != model:
        return {}
    return {lang: float(floor) for lang, floor in floors.items()}


def min_max(x: np.ndarray) -> np.ndarray:
    """``x`` scaled to 0..1 over its own range; all ones when it has none."""
    spread = x.max() - x.min() if len(x) else 0.0
    return (x - x.min()) / spread if spread > 0 else np.ones_like(x)


def convex(runs: Sequence[Sequence[Hit]], weights: Sequence[float]) -> list[Hit]:
    """score(d) = sum_i w_i * s_i(d), each run's scores min-max scaled over its own candidates. Best first.

    On FacQA train questions this beat reciprocal rank fusion (R@1 0.719 against 0.703): a passage
    BM25 scores far above the rest keeps that lead instead of being flattened to a rank.
    """
    fused: dict[str, float] = {}
    for hits, weight in zip(runs, weights):
        if weight <= 0 or len(hits) == 0:
            continue
        scaled = min_max(np.array([h.score for h in hits], dtype=np.float64))
        for hit, s in zip(hits, scaled):
            fused[hit.passage_id] = fused.get(hit.passage_id, 0.0) + weight * float(s)
    return _ranked(fused)


def rrf(runs: Sequence[Sequence[Hit]], weights: Sequence[float], k: int = 60) -> list[Hit]:
    """Weighted reciprocal rank fusion: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1. Best first."""
    scores: dict[str, float] = {}
    for hits, weight in zip(runs, weights):
        if weight <= 0:
            continue
        for rank, hit in enumerate(hits, 1):
            scores[hit.passage_id] = scores.get(hit.passage_id, 0.0) + weight / (k + rank)
    return _ranked(scores)


def _ranked(scores: dict[str, float]) -> list[Hit]:
    # equal scores keep the passages' order in their documents
    order = sorted(scores.items(), key=lambda kv: (-kv[1], passage_order(kv[0])))
    return [Hit(passage_id, score) for passage_id, score in order]
