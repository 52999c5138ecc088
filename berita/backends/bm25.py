"""BM25 in numpy, over postings of term frequencies, weighted at query time.

A segment (``BM25.fit``) holds each term's passages with how often it occurs there, and each passage's length,
memory-mapped from the generation's folder. Weights are computed for the query's terms only, from statistics
of the passages alive now (``Live``): the base segment of the last full build less the passages replaced or
deleted since, plus the segment of those changes. So a change costs its own passages, and the scores equal
those of a full rebuild over the same passages (the same formula over the same counts).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from .base import best_rows

FILES = ("bm25-docs.npy", "bm25-tf.npy", "bm25-offsets.npy", "bm25-lengths.npy", "bm25-vocab.txt")
K1, B = 1.2, 0.75


def idf(size: int, df: np.ndarray | int) -> np.ndarray:
    """Lucene's BM25 IDF (as Milvus computes it too): never negative; a term no passage holds gets the highest."""
    return np.log1p((size - df + 0.5) / (df + 0.5))


def weight(term_idf: Any, tf: Any, lengths: Any, avg: float, k1: float = K1, b: float = B) -> Any:
    """BM25 weight of a term in passages where it occurs ``tf`` times, passages of ``lengths`` tokens (arrays for
    many passages, numbers for one)."""
    return term_idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths / avg))


class BM25:
    """One segment's postings: for each term, the rows holding it and how often; each row's length in tokens."""

    def __init__(
        self, vocab: dict[str, int], docs: np.ndarray, tfs: np.ndarray, offsets: np.ndarray, lengths: np.ndarray
    ):
        self.vocab = vocab
        self._docs, self._tfs, self._offsets, self.lengths = docs, tfs, offsets, lengths
        self.size = len(lengths)

    @classmethod
    def fit(cls, corpus_tokens: list[list[str]]) -> BM25:
        postings: dict[str, list[tuple[int, int]]] = {}
        for doc, tokens in enumerate(corpus_tokens):
            for term, tf in Counter(tokens).items():
                postings.setdefault(term, []).append((doc, tf))
        vocab = {term: n for n, term in enumerate(postings)}
        offsets = np.zeros(len(postings) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(p) for p in postings.values()])
        docs = np.fromiter((d for p in postings.values() for d, _ in p), dtype=np.int32, count=int(offsets[-1]))
        tfs = np.fromiter((f for p in postings.values() for _, f in p), dtype=np.float32, count=int(offsets[-1]))
        lengths = np.array([len(t) for t in corpus_tokens], dtype=np.float32)
        return cls(vocab, docs, tfs, offsets, lengths)

    def save(self, folder: Path) -> None:
        for name, array in zip(FILES, (self._docs, self._tfs, self._offsets, self.lengths)):
            np.save(folder / name, array)
        # tokens are runs of letters or digits, never whitespace: one a line
        (folder / FILES[4]).write_text("".join(f"{t}\n" for t in self.vocab), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> BM25:
        docs, tfs, offsets, lengths = (np.load(folder / name, mmap_mode="r") for name in FILES[:4])
        terms = (folder / FILES[4]).read_text(encoding="utf-8").split("\n")[:-1]
        if len(terms) + 1 != len(offsets) or offsets[-1] != len(docs) or len(docs) != len(tfs):
            raise ValueError("the BM25 files disagree with each other")
        return cls({t: i for i, t in enumerate(terms)}, docs, tfs, offsets, lengths)

    def live(self) -> Live:
        """This segment alone, all of it alive, ready to score."""
        return Live([(self, None)])

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(rows, term frequencies) of ``term`` in this segment."""
        t = self.vocab.get(term)
        if t is None:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        a, b = self._offsets[t], self._offsets[t + 1]
        return self._docs[a:b], self._tfs[a:b]


class Live:
    """BM25 over the passages alive now: ``segments`` in row order (the base, then the changes), each with a mask of
    its rows still alive (None: all). Rows are numbered across the segments."""

    def __init__(self, segments: list[tuple[BM25, np.ndarray | None]]):
        self.segments = segments
        self.starts = np.cumsum([0] + [s.size for s, _ in segments])
        self.size = int(self.starts[-1])
        lengths = [s.lengths if alive is None else s.lengths[alive] for s, alive in segments]
        alive_lengths = np.concatenate(lengths) if lengths else np.zeros(0, np.float32)
        self.alive = len(alive_lengths)
        self.avg = float(alive_lengths.mean()) if self.alive and alive_lengths.sum() else 1.0

    def _postings(self, term: str) -> tuple[list[tuple[np.ndarray, np.ndarray, np.ndarray]], int]:
        """Per segment (global rows, tf, lengths) of ``term`` in alive passages, and its document frequency."""
        out, df = [], 0
        for (segment, alive), start in zip(self.segments, self.starts):
            rows, tfs = segment.postings(term)
            if alive is not None and len(rows):
                keep = alive[rows]
                rows, tfs = rows[keep], tfs[keep]
            if len(rows):
                out.append((rows.astype(np.int64) + start, tfs, segment.lengths[rows]))
                df += len(rows)
        return out, df

    def _weights(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        postings, df = self._postings(term)
        if not postings:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        term_idf = idf(self.alive, df)
        rows = np.concatenate([r for r, _, _ in postings])
        tfs = np.concatenate([t for _, t, _ in postings])
        lengths = np.concatenate([n for _, _, n in postings])
        return rows, weight(term_idf, tfs, lengths, self.avg).astype(np.float32)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float32)
        for term in set(query_tokens):
            rows, weights = self._weights(term)
            out[rows] += weights
        return out

    def concept_scores(self, concepts: list[frozenset[str]]) -> np.ndarray:
        """Scores of queries whose terms have alternatives: each concept counts once, by its best alternative in
        the passage (a word with five translations must not weigh five times)."""
        out = np.zeros(self.size, dtype=np.float32)
        for concept in concepts:
            best = np.zeros(self.size, dtype=np.float32)
            for term in concept:
                rows, weights = self._weights(term)
                np.maximum.at(best, rows, weights)
            out += best
        return out

    def idf(self, terms: list[str]) -> dict[str, float]:
        """Inverse document frequency of each term; a term no passage holds gets the highest."""
        return {term: float(idf(self.alive, self._postings(term)[1])) for term in terms}

    def search(
        self, query_tokens: list[str], k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) of the best ``k`` passages with a positive score, best first; ``allowed`` masks rows."""
        return self.top(self.scores(query_tokens), k, allowed)

    def top(self, scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``search`` over scores already computed (dead rows score 0 and are never returned)."""
        if allowed is not None:
            scores = np.where(allowed, scores, 0)
        top = best_rows(scores, k)
        top = top[scores[top] > 0]
        return top, scores[top]
