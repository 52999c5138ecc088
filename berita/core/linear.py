"""A linear scorer over named features, with weights per question language, kept as a small JSON file.

The passage reranker (retrieval/rerank.py) uses it. Scores are a softmax over one question's candidates, so they
read as the model's probability that each candidate is the one sought. Languages without weights are not scored.
``options`` holds what the tuning script chose beside the weights (depths), ``tuned_on`` on what.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .files import write_atomic


@dataclass(frozen=True)
class LinearModel:
    features: tuple[str, ...]
    weights: dict[str, list[float]]  # by question language, one weight per feature
    options: dict[str, float] = field(default_factory=dict)  # what the stage using it needs (depth, threshold)
    tuned_on: str = ""

    @classmethod
    def load(cls, path: Path, features: tuple[str, ...]) -> LinearModel:
        """The model in ``path``; a ValueError if it was trained on other ``features``."""
        raw = json.loads(path.read_text(encoding="utf-8"))
        model = cls(tuple(raw["features"]), raw["weights"], raw.get("options", {}), raw.get("tuned_on", ""))
        if model.features != features or any(len(w) != len(features) for w in model.weights.values()):
            raise ValueError(f"{path} was trained on other features; retrain it (make train)")
        return model

    def save(self, path: Path) -> None:
        write_atomic(path, json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n")

    def handles(self, lang: str) -> bool:
        return lang in self.weights

    def probabilities(self, lang: str, rows: np.ndarray) -> np.ndarray:
        z = rows @ np.asarray(self.weights[lang], dtype=np.float64)
        e = np.exp(z - z.max())
        return e / e.sum()


def load_learned(path: Path, features: tuple[str, ...], switch: str) -> LinearModel:
    """A learned stage's weights; ``switch`` is the setting that turns the stage off, for the error message."""
    try:
        return LinearModel.load(path, features)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(
            f"cannot load a learned model from {path}: {exc}; set {switch}=off to search without it"
        ) from exc
