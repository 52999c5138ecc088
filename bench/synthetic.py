"""Synthetic passage vectors for the scale benchmarks (bench/perf.py's scale part, bench/scale_out.py): embedding
a million passages would take a day on two cores."""

from __future__ import annotations

import numpy as np


def synthetic(base: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """``n`` vectors re-sampled from real passage embeddings: a random pair mixed, plus noise of the
    data's own spread, so the clusters of real news stay (embedding a million passages would take a day here)."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    spread = base.std(axis=0) * 0.5
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        a, b = base[rng.integers(0, len(base), m)], base[rng.integers(0, len(base), m)]
        mix = rng.uniform(0, 0.5, (m, 1)).astype(np.float32)
        x = (1 - mix) * a + mix * b + rng.normal(size=(m, base.shape[1])).astype(np.float32) * spread
        out[start : start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out
