"""Small fits the tuning scripts share."""

from __future__ import annotations

import numpy as np


def fit_logistic(x: np.ndarray, y: np.ndarray, ridge: float = 1e-6, weight: np.ndarray | None = None) -> np.ndarray:
    """Weights of ``P(y) = sigmoid(x @ w[:-1] + w[-1])``, fitted by Newton's method (a few steps suffice); ``ridge``
    pulls the weights (not the bias) towards 0, ``weight`` weighs each example."""
    design = np.column_stack([x, np.ones(len(x))])
    weight = np.ones(len(x)) if weight is None else weight
    penalty = ridge * np.eye(design.shape[1])
    penalty[-1, -1] = 1e-6
    w = np.zeros(design.shape[1])
    for _ in range(30):
        p = 1 / (1 + np.exp(-design @ w))
        hessian = design.T @ (design * (weight * p * (1 - p))[:, None]) + penalty
        w += np.linalg.solve(hessian, design.T @ (weight * (y - p)) - penalty @ w)
    return w
