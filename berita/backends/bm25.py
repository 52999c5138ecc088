"""BM25 in numpy, scored eagerly as bm25s does: every (term, passage) weight is computed at fit time, so a
query is a sum of a few precomputed arrays. Saved beside the index and memory-mapped, not rebuilt at start-up."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

FILES = ("bm25-docs.npy", "bm25-weights.npy", "bm25-offsets.npy", "bm25-vocab.txt")
K1, B = 1.2, 0.75


def idf(size: int, df: np.ndarray | int) -> np.ndarray:
    """Lucene's BM25 IDF (as Milvus computes it too): never negative; a term no passage holds gets the highest."""
    return np.log1p((size - df + 0.5) / (df + 0.5))


def weight(term_idf: Any, tf: Any, lengths: Any, avg: float, k1: float = K1, b: float = B) -> Any:
    """BM25 weight of a term in passages where it occurs ``tf`` times, passages of ``lengths`` tokens (arrays for
    many passages, numbers for one)."""
    return term_idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths / avg))


class BM25:
    def __init__(self, size: int, vocab: dict[str, int], docs: np.ndarray, weights: np.ndarray, offsets: np.ndarray):
        self.size = size
        self.vocab = vocab
        self._docs, self._weights, self._offsets = docs, weights, offsets

    @classmethod
    def fit(cls, corpus_tokens: list[list[str]], k1: float = K1, b: float = B) -> BM25:
        size = len(corpus_tokens)
        lengths = np.array([len(t) for t in corpus_tokens], dtype=np.float32)
        avg = float(lengths.mean()) if size and lengths.sum() else 1.0
        postings: dict[str, list[tuple[int, int]]] = {}
        for doc, tokens in enumerate(corpus_tokens):
            for term, tf in Counter(tokens).items():
                postings.setdefault(term, []).append((doc, tf))
        vocab: dict[str, int] = {}
        docs, weights, offsets = [], [], [0]
        for term, plist in postings.items():
            ids = np.fromiter((d for d, _ in plist), dtype=np.int32, count=len(plist))
            freqs = np.fromiter((f for _, f in plist), dtype=np.float32, count=len(plist))
            vocab[term] = len(vocab)
            docs.append(ids)
            weights.append(weight(idf(size, len(plist)), freqs, lengths[ids], avg, k1, b).astype(np.float32))
            offsets.append(offsets[-1] + len(plist))
        return cls(
            size,
            vocab,
            np.concatenate(docs) if docs else np.zeros(0, np.int32),
            np.concatenate(weights) if weights else np.zeros(0, np.float32),
            np.array(offsets, dtype=np.int64),
        )

    def save(self, folder: Path) -> None:
        for name, array in zip(FILES, (self._docs, self._weights, self._offsets)):
            np.save(folder / name, array)
        # tokens are runs of letters or digits, never whitespace: one a line
        (folder / FILES[3]).write_text(f"{self.size}\n" + "".join(f"{t}\n" for t in self.vocab), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> BM25:
        docs, weights, offsets = (np.load(folder / name, mmap_mode="r") for name in FILES[:3])
        size, *terms = (folder / FILES[3]).read_text(encoding="utf-8").split("\n")[:-1]
        if len(terms) + 1 != len(offsets) or offsets[-1] != len(docs) or len(docs) != len(weights):
            raise ValueError("the BM25 files disagree with each other")
        return cls(int(size), {t: i for i, t in enumerate(terms)}, docs, weights, offsets)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float32)
        for term in set(query_tokens):
            t = self.vocab.get(term)
            if t is not None:
                a, b = self._offsets[t], self._offsets[t + 1]
                out[self._docs[a:b]] += self._weights[a:b]
        return out

    def concept_scores(self, concepts: list[frozenset[str]]) -> np.ndarray:
        """Scores of queries whose terms have alternatives: each concept counts once, by its best alternative in
        the passage (a word with five translations must not weigh five times)."""
        out = np.zeros(self.size, dtype=np.float32)
        for concept in concepts:
            best = np.zeros(self.size, dtype=np.float32)
            for term in concept:
                t = self.vocab.get(term)
                if t is not None:
                    a, b = self._offsets[t], self._offsets[t + 1]
                    np.maximum.at(best, self._docs[a:b], self._weights[a:b])
            out += best
        return out

    def idf(self, terms: list[str]) -> dict[str, float]:
        """Inverse document frequency of each term; a term no passage holds gets the highest."""
        out = {}
        for term in terms:
            t = self.vocab.get(term)
            df = 0 if t is None else int(self._offsets[t + 1] - self._offsets[t])
            out[term] = float(idf(self.size, df))
        return out

    def search(
        self, query_tokens: list[str], k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the best ``k`` passages with a positive score, best first; ``allowed`` masks passages."""
        return self.top(self.scores(query_tokens), k, allowed)

    def top(self, scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``search`` over scores already computed."""
        if allowed is not None:
            scores = np.where(allowed, scores, 0)
        k = min(k, self.size)
        if k == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] > 0]
        return top, scores[top]
