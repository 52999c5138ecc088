"""The local backend: one directory per full build ("generation"), a ``CURRENT`` file naming the live one, and
the changes made since in the generation's ``delta.sqlite`` (``delta.py``).

A small change (an article added, replaced or deleted, by the API or a build) is one transaction in the
changes: it costs its own passages. A large one, or a change of model, chunking or vector index, writes a whole
new generation beside the old one and then replaces ``CURRENT`` in one ``os.replace``, so a crash at any moment
leaves either the old index or the new one, never half of each. Vectors, the ANN index and BM25 are
memory-mapped when a generation is read; the changes are searched exactly, beside it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from ..core.schema import Document, Filters, Hit, Passage
from ..core.text import tokenize
from ..errors import IndexCorruptError, IndexNotFoundError, IndexStoreError, NothingToUndoError
from . import delta
from .ann import VectorIndex, build_index, load_index
from .base import ChangeSet, IndexInfo, SearchBackend, signature
from .bm25 import BM25, Live
from .bm25 import FILES as BM25_FILES
from .delta import Change, Delta
from .tables import DocumentTable, PassageTable

FORMAT_VERSION = 3  # 3: BM25 postings with term frequencies; 1 and 2 are read too, their BM25 rebuilt when loaded
READS = (1, 2, FORMAT_VERSION)
CURRENT = "CURRENT"
PREVIOUS = "PREVIOUS"  # the generation before the current one, kept until the next build: what --rollback restores


@dataclass
class Manifest:
    model: str
    dim: int
    ann_backend: str
    documents: int
    passages: int
    built_at: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    chunking: dict = field(default_factory=dict)
    ann_options: dict = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    runtime: str = ""  # what computed the vectors (empty in indexes built before runtimes were recorded)


@dataclass
class Generation:
    """One full build as read from disk. Rows are this backend's own business: callers use passage ids."""

    path: Path
    manifest: Manifest
    documents: DocumentTable
    passages: PassageTable
    vectors: np.ndarray
    ann: VectorIndex
    bm25: BM25

    def passages_of(self, doc_id: str) -> list[Passage]:
        return [self.passages[int(r)] for r in self.passages.rows_of(doc_id)]

    @cached_property
    def keys(self) -> list[str]:
        """Per passage, the hash of exactly what was embedded (so that writes reuse vectors): read when a write first
        asks, not kept by a server that only searches."""
        return _read_keys(self.path)

    @cached_property
    def key_rows(self) -> dict[str, int]:
        """A row for each embedding key (built once per generation, when a write first asks)."""
        return {key: row for row, key in enumerate(self.keys)}


def _read_keys(gen: Path) -> list[str]:
    try:
        return (gen / "keys.txt").read_text(encoding="utf-8").split()
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"the index generation {gen} has lost its keys.txt ({exc}); rebuild it") from exc


class LocalIndex:
    """A generation and the changes made since its full build (``delta``): the index as it is now.

    Rows 0..N-1 are the generation's, N.. the changes' passages; a generation row whose document changed since
    is dead (``alive``). Nothing here copies the generation: a change costs its own passages."""

    def __init__(self, base: Generation, delta: Delta | None = None):
        self.base, self.delta = base, delta or Delta()
        self.path, self.manifest = base.path, base.manifest
        n = len(base.passages)
        alive = np.ones(n, dtype=bool)
        for doc_id in self.delta.changes:
            alive[base.passages.rows_of(doc_id)] = False
        live = [c for c in self.delta.changes.values() if c.document is not None]
        self.extra: list[Passage] = [p for c in live for p in c.passages]
        self.extra_keys: list[str] = [k for c in live for k in c.keys]
        vectors = [c.vectors for c in live if c.vectors is not None and len(c.vectors)]
        self.extra_vectors = np.concatenate(vectors) if vectors else np.zeros((0, base.manifest.dim), np.float32)
        self.extra_rows = {p.passage_id: n + i for i, p in enumerate(self.extra)}
        self.extra_key_rows = {key: n + i for i, key in enumerate(self.extra_keys)}
        self.extra_of: dict[str, list[Passage]] = {c.doc_id: c.passages for c in live}
        self.alive = np.concatenate([alive, np.ones(len(self.extra), dtype=bool)])
        self.all_alive = bool(alive.all())
        self.bm25 = Live([(base.bm25, None if self.all_alive else alive), (BM25.fit(_tokens(self.extra)), None)])
        self.version = version_name(base.path.name, self.delta.seq)
        self.allowed = lru_cache(maxsize=64)(self._allowed)  # filters repeat across pages

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """The rows a search may return: those alive that ``filters`` accept (None: every row)."""
        return self.allowed(filters) if filters else (None if self.all_alive else self.alive)

    # ---- the index as it is now -----------------------------------------------------------------------------
    def document(self, doc_id: str) -> Document | None:
        change = self.delta.changes.get(doc_id)
        return change.document if change else self.base.documents.get(doc_id)

    @cached_property
    def _base_alive(self) -> np.ndarray:
        """Per document of the generation, whether it is unchanged since (not replaced, not deleted)."""
        keep = np.ones(len(self.base.documents), dtype=bool)
        changed = [self.base.documents.index(d) for d in self.delta.changes]
        keep[[n for n in changed if n is not None]] = False
        return keep

    @cached_property
    def _changed_documents(self) -> list[Document]:
        return [c.document for c in self.delta.changes.values() if c.document is not None]

    @cached_property
    def sources(self) -> list[str]:
        found = self.base.documents.sources(self._base_alive) | {d.source for d in self._changed_documents if d.source}
        return sorted(found, key=str.casefold)

    @cached_property
    def newest(self) -> list[Document]:
        """The 20 most recently dated documents, newest first (for the page's examples)."""
        found = self.base.documents.newest(self._base_alive, 20) + self._changed_documents
        return sorted(found, key=lambda d: d.date or "", reverse=True)[:20]

    @cached_property
    def doc_ids(self) -> list[str]:
        """Every document's id now, the generation's first (in their order), then the changed ones."""
        kept = [d for d, keep in zip(self.base.documents.ids, self._base_alive.tolist()) if keep]
        return kept + [d.doc_id for d in self._changed_documents]

    @cached_property
    def documents(self) -> dict[str, Document]:
        """Every document now, in ``doc_ids``' order: all of them parsed (a full rewrite, every signature)."""
        base = self.base.documents
        out = {d.doc_id: d for d, keep in zip(base.values(), self._base_alive.tolist()) if keep}
        out.update((d.doc_id, d) for d in self._changed_documents)
        return out

    def passage(self, row: int) -> Passage:
        n = len(self.base.passages)
        return self.base.passages[row] if row < n else self.extra[row - n]

    def row(self, passage_id: str) -> int:
        """The row of a passage alive now (a KeyError for one unknown, or replaced since)."""
        if passage_id in self.extra_rows:
            return self.extra_rows[passage_id]
        row = self.base.passages.row(passage_id)
        if not self.alive[row]:
            raise KeyError(passage_id)
        return row

    def row_ids(self, passage_ids: Sequence[str]) -> list[int]:
        return [self.row(p) for p in passage_ids]

    def passages_of(self, doc_id: str) -> list[Passage]:
        if doc_id in self.delta.changes:
            return list(self.extra_of.get(doc_id, []))
        return self.base.passages_of(doc_id)

    def vectors_of(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        picked = np.asarray(rows, dtype=np.int64)
        n = len(self.base.passages)
        out = np.empty((len(picked), self.manifest.dim), dtype=np.float32)
        base = picked < n
        out[base] = self.base.vectors[picked[base]]
        out[~base] = self.extra_vectors[picked[~base] - n]
        return out

    def row_of_key(self, key: str) -> int | None:
        """A live row whose passage was embedded as ``key`` (the same text under the same model), if any."""
        if key in self.extra_key_rows:
            return self.extra_key_rows[key]
        row = self.base.key_rows.get(key)
        return row if row is not None and self.alive[row] else None

    def key(self, row: int) -> str:
        n = len(self.base.passages)
        return self.base.keys[row] if row < n else self.extra_keys[row - n]

    @property
    def rows_alive(self) -> np.ndarray:
        return np.flatnonzero(self.alive)

    @cached_property
    def passages(self) -> list[Passage]:
        """Every passage alive now, in row order (for tools: search reads rows)."""
        return [self.passage(int(r)) for r in self.rows_alive]

    @cached_property
    def keys(self) -> list[str]:
        return [self.key(r) for r in map(int, self.rows_alive)]

    @cached_property
    def vectors(self) -> np.ndarray:
        """The vectors of ``passages``, in their order (the generation's are memory-mapped where nothing changed)."""
        if not self.extra and self.all_alive:
            return self.base.vectors
        return np.concatenate([self.base.vectors[self.alive[: len(self.base.passages)]], self.extra_vectors])

    def backend(self) -> SearchBackend:
        m = self.manifest
        info = IndexInfo(
            m.model,
            m.dim,
            len(self.doc_ids),
            int(self.alive.sum()),
            m.built_at,
            self.version,
            {"ann_backend": m.ann_backend, **m.ann_options},
            m.runtime,
        )
        index_dir = self.path.parent
        return SearchBackend(
            info,
            LocalDocuments(self),
            LocalDense(self),
            LocalLexical(self),
            lambda: current_version(index_dir),
            reopen=lambda: reread(self).backend(),
        )

    def hits(self, rows: Iterable[int], scores: Iterable[float]) -> list[Hit]:
        return [Hit(self.passage_id(int(r)), float(s)) for r, s in zip(rows, scores)]

    def passage_id(self, row: int) -> str:
        n = len(self.base.passages)
        return self.base.passages.passage_id(row) if row < n else self.extra[row - n].passage_id

    def _allowed(self, filters: Filters) -> np.ndarray:
        mask = self.base.passages.of_documents(self.base.documents.accepting(filters))
        docs = {d.doc_id for d in self._changed_documents if filters.accepts(d)}
        extra = np.fromiter((p.doc_id in docs for p in self.extra), dtype=bool, count=len(self.extra))
        mask = np.concatenate([mask, extra]) & self.alive
        mask.setflags(write=False)  # shared through the cache
        return mask


def _tokens(passages: list[Passage]) -> list[list[str]]:
    return [list(_tokenized(p.text)) for p in passages]


@lru_cache(maxsize=65_536)
def _tokenized(text: str) -> tuple[str, ...]:
    """A changed passage's BM25 tokens, kept while it stays changed (every write re-reads the changes)."""
    return tuple(tokenize(text))


class LocalDocuments:
    def __init__(self, index: LocalIndex):
        self._index = index

    def document(self, doc_id: str) -> Document | None:
        return self._index.document(doc_id)

    def documents(self, doc_ids: Sequence[str]) -> dict[str, Document]:
        found = {d: self._index.document(d) for d in doc_ids}
        return {d: doc for d, doc in found.items() if doc is not None}

    def passages(self, passage_ids: Sequence[str]) -> list[Passage]:
        return [self._index.passage(row) for row in self._index.row_ids(passage_ids)]

    def passages_of(self, doc_id: str) -> list[Passage]:
        return self._index.passages_of(doc_id)

    def sources(self) -> list[str]:
        return list(self._index.sources)

    def recent(self, n: int) -> list[Document]:
        return self._index.newest[:n]

    def sample(self, n: int) -> list[Passage]:
        alive = self._index.rows_alive
        picks = np.linspace(0, len(alive) - 1, num=min(n, len(alive)), dtype=int)
        return [self._index.passage(int(alive[i])) for i in dict.fromkeys(picks)]


class LocalDense:
    def __init__(self, index: LocalIndex):
        self._index = index

    def search(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[Hit]:
        index = self._index
        n = len(index.base.passages)
        allowed = index.mask(filters)
        # with filters or replaced passages, look deeper so that enough allowed passages remain
        fetch = k if allowed is None else min(n, k * 20)
        scores, rows = index.base.ann.search(vector[None, :], max(fetch, 1))  # a generation is never empty
        found = [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0 and (allowed is None or allowed[r])]
        if allowed is not None and len(found) < k and fetch < n:
            # a narrow filter (a small source, one month) can leave none of the nearest; its own rows, exactly
            picked = np.flatnonzero(allowed[:n])
            found = list(zip(picked.tolist(), (index.vectors_of(picked) @ vector).tolist()))
        if index.extra:  # the changes since the last full build: few, searched exactly
            extra = index.extra_vectors @ vector
            found += [(n + i, float(s)) for i, s in enumerate(extra) if allowed is None or allowed[n + i]]
        found.sort(key=lambda x: -x[1])
        kept = found[:k]
        return index.hits((r for r, _ in kept), (s for _, s in kept))

    def similarity(self, vector: np.ndarray, passage_ids: Sequence[str]) -> np.ndarray:
        return self._index.vectors_of(self._index.row_ids(passage_ids)) @ vector


class LocalLexical:
    def __init__(self, index: LocalIndex):
        self._index = index

    def search(self, terms: list[str], k: int, filters: Filters | None = None) -> list[Hit]:
        rows, scores = self._index.bm25.search(terms, k, self._index.mask(filters))
        return self._index.hits(rows, scores)

    def scores(self, terms: list[str], passage_ids: Sequence[str]) -> np.ndarray:
        return self._index.bm25.scores(terms)[self._index.row_ids(passage_ids)]

    def search_concepts(self, concepts: list[frozenset[str]], k: int, filters: Filters | None = None) -> list[Hit]:
        index = self._index
        rows, top = index.bm25.top(index.bm25.concept_scores(concepts), k, index.mask(filters))
        return index.hits(rows, top)

    def idf(self, terms: list[str]) -> dict[str, float]:
        return self._index.bm25.idf(terms)


def build_hint(index_dir: Path) -> str:
    return f"build one with: python -m indexer build seeds/ --index {index_dir}"


def current_generation(index_dir: Path) -> Path:
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        raise IndexNotFoundError(f"no index at {index_dir}; {build_hint(index_dir)}")
    generation = index_dir / pointer.read_text(encoding="utf-8").strip()
    if not generation.is_dir():
        raise IndexCorruptError(
            f"index at {index_dir} points to a missing build {generation.name!r}; rebuild it: {build_hint(index_dir)}"
        )
    return generation


def current_version(index_dir: Path) -> str:
    """The generation and the number of its last change: what the index holds now, cheaply (asked every second)."""
    generation = current_generation(index_dir)
    return version_name(generation.name, delta.last_seq(generation))


def version_name(generation: str, seq: int) -> str:
    return f"{generation}+{seq}" if seq else generation


_GENERATIONS: dict[Path, Generation] = {}  # the last ones read: a generation never changes once written


def _generation(index_dir: Path, gen: Path) -> Generation:
    """``gen`` as read before in this process (a write rereads only the changes), else from disk."""
    if gen not in _GENERATIONS:
        _remember(_GENERATIONS, gen, _read_generation(index_dir, gen), 2)
    return _GENERATIONS[gen]


def _remember(cache: dict, key: Path, value: Any, limit: int) -> None:
    """``cache[key] = value`` as its newest entry, the oldest dropped past ``limit``."""
    cache.pop(key, None)
    if len(cache) >= limit:
        cache.pop(next(iter(cache)))
    cache[key] = value


_LAST: dict[Path, LocalIndex] = {}  # the index last read from each folder: the next read adds only what changed


def read_index(index_dir: Path, attempts: int = 3) -> LocalIndex:
    """The committed generation and its changes. A build that switches generations while this reads can remove
    what was being read; then ``CURRENT`` names a new one, and reading starts again (at most ``attempts`` times)."""
    for attempt in range(attempts):
        named = current_generation(index_dir)
        last = _LAST.get(index_dir)
        try:
            if last is not None and last.path == named:
                index = _changed(last)
            else:
                index = LocalIndex(_generation(index_dir, named), delta.read(named))
            _remember(_LAST, index_dir, index, 4)
            return index
        except IndexCorruptError:
            if attempt + 1 == attempts or current_generation(index_dir) == named:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def reread(index: LocalIndex) -> LocalIndex:
    """The index as it is now, reusing ``index``'s generation when it is still current: only the changes are
    read again (a write costs its own passages, not the archive)."""
    index_dir = index.path.parent
    if current_generation(index_dir) != index.path:
        return read_index(index_dir)
    return _changed(index)


def _changed(index: LocalIndex) -> LocalIndex:
    """``index`` itself where no change was committed since it was read, else with the changes since."""
    if delta.last_seq(index.path) == index.delta.seq:
        return index
    return LocalIndex(index.base, delta.read(index.path, since=index.delta))


def _read_generation(index_dir: Path, gen: Path) -> Generation:
    try:
        manifest = Manifest(**json.loads((gen / "manifest.json").read_text(encoding="utf-8")))
        if manifest.format_version not in READS:
            raise IndexCorruptError(
                f"index at {index_dir} has format {manifest.format_version}, this program reads "
                f"{FORMAT_VERSION}; rebuild it"
            )
        documents = DocumentTable(gen / "documents.jsonl")
        passages = PassageTable(_read_jsonl(gen / "passages.jsonl"), documents)
        keys = len(_read_keys(gen))  # counted now, read again when a write needs them
        vectors = np.load(gen / "vectors.npy", mmap_mode="r")
        ann = load_index(gen / "ann.index", manifest.ann_backend, vectors)
        current = manifest.format_version == FORMAT_VERSION
        bm25 = BM25.load(gen) if current else BM25.fit([tokenize(p.text) for p in passages])
    except IndexStoreError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(
            f"index at {index_dir} is unreadable ({type(exc).__name__}: {exc}); {build_hint(index_dir)}"
        ) from exc
    counts = {len(passages), keys, len(vectors), len(ann), bm25.size}
    if counts != {manifest.passages} or len(documents) != manifest.documents or vectors.shape[1:] != (manifest.dim,):
        raise IndexCorruptError(
            f"index at {index_dir} is inconsistent (passages/vectors/manifest disagree); {build_hint(index_dir)}"
        )
    return Generation(gen, manifest, documents, passages, vectors, ann, bm25)


class LocalWriter(ChangeSet):
    """Upserts and deletes on top of the index as it is. ``commit`` adds them to the current generation's changes
    (one durable transaction) while those stay small beside it; otherwise, or when the model, chunking or vector
    index changed, it writes the whole index as a new generation (compaction)."""

    def __init__(
        self,
        index_dir: Path,
        previous: LocalIndex | None = None,
        ann_backend: str = "faiss",
        ann_options: dict[str, Any] | None = None,
        chunking: dict[str, Any] | None = None,
        compact_share: float = 0.1,
    ):
        super().__init__()
        self.index_dir, self.previous, self.compact_share = index_dir, previous, compact_share
        self.ann_backend, self.ann_options, self.chunking = ann_backend, ann_options or {}, chunking or {}

    def document_ids(self) -> set[str]:
        return set(self.previous.doc_ids) if self.previous else set()

    def signatures(self, doc_ids: Collection[str] | None = None) -> dict[str, str]:
        index = self.previous
        if index is None:
            return {}
        if doc_ids is not None:  # a few documents (a write through the API): their rows only
            found = {d: doc for d in doc_ids if (doc := index.document(d)) is not None}
            return {
                d: signature(doc, [index.key(index.row(p.passage_id)) for p in index.passages_of(d)])
                for d, doc in found.items()
            }
        keys: dict[str, list[str]] = {}
        for passage, key in zip(index.passages, index.keys):
            keys.setdefault(passage.doc_id, []).append(key)
        return {d: signature(doc, keys.get(d, [])) for d, doc in index.documents.items()}

    def known_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        index = self.previous
        if index is None:
            return {}
        rows = {key: row for key in dict.fromkeys(keys) if (row := index.row_of_key(key)) is not None}
        return dict(zip(rows, index.vectors_of(list(rows.values()))))

    def commit(self, info: IndexInfo) -> str:
        if self._fits_changes(info):
            assert self.previous is not None
            changes = [Change(d) for d in self._deleted]
            for doc_id, doc in self._documents.items():
                rows = self._rows.get(doc_id, [])
                vectors = np.stack([v for _, _, v in rows]) if rows else np.zeros((0, info.dim), np.float32)
                changes.append(Change(doc_id, doc, [p for p, _, _ in rows], [k for _, k, _ in rows], vectors))
            seq = delta.apply(self.previous.path, changes)
            _remove_stale(self.index_dir, keep={self.previous.path.name, _pointer(self.index_dir, PREVIOUS) or ""})
            return version_name(self.previous.path.name, seq)
        return self._write_all(info)

    def _fits_changes(self, info: IndexInfo) -> bool:
        """Whether this change can join the generation's changes: same model, chunking and vector index, and the
        changes stay within ``compact_share`` of the generation (at least 1,000 passages)."""
        index = self.previous
        if index is None or index.manifest.format_version != FORMAT_VERSION or self.compact_share <= 0 or self.whole:
            return False
        m = index.manifest
        same = (m.model, m.runtime, m.dim, m.ann_backend, m.ann_options, m.chunking) == (
            info.model,
            info.runtime,
            info.dim,
            self.ann_backend,
            self.ann_options,
            self.chunking,
        )
        pending = sum(len(r) for r in self._rows.values())
        changed = {*self._documents, *self._deleted}
        kept = sum(len(c.passages) for d, c in index.delta.changes.items() if d not in changed)
        return same and kept + pending <= max(1_000, self.compact_share * len(index.base.passages))

    def _write_all(self, info: IndexInfo) -> str:
        index = self.previous
        changed = {*self._documents, *self._deleted}
        documents: list[Document] = []
        passages: list[Passage] = []
        keys: list[str] = []
        parts: list[np.ndarray] = []
        if index is not None:
            kept = [r for r in map(int, index.rows_alive) if index.passage(r).doc_id not in changed]
            documents = [doc for d, doc in index.documents.items() if d not in changed]
            passages = [index.passage(r) for r in kept]
            keys = [index.key(r) for r in kept]
            parts.append(index.vectors_of(kept))
        for doc_id, doc in self._documents.items():
            rows = self._rows.get(doc_id, [])
            documents.append(doc)
            passages += [p for p, _, _ in rows]
            keys += [k for _, k, _ in rows]
            if rows:
                parts.append(np.stack([v for _, _, v in rows]))
        vectors = np.concatenate(parts).astype(np.float32, copy=False)
        manifest = Manifest(
            model=info.model,
            runtime=info.runtime,
            dim=int(vectors.shape[1]),
            ann_backend=self.ann_backend,
            documents=len(documents),
            passages=len(passages),
            chunking=self.chunking,
            ann_options=self.ann_options,
        )
        return write_index(self.index_dir, manifest, documents, passages, keys, vectors).name


def write_index(
    index_dir: Path,
    manifest: Manifest,
    documents: list[Document],
    passages: list[Passage],
    keys: list[str],
    vectors: np.ndarray,
) -> Path:
    """Write a new generation and make it current atomically; returns its directory. A failure (disk full, a
    read-only folder) is a clear error, and what was half-written is removed."""
    name = time.strftime("gen-%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:8]
    tmp = index_dir / f".tmp-{name}"
    before = _pointer(index_dir, CURRENT)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        _write_generation(tmp, manifest, documents, passages, keys, vectors)
        os.replace(tmp, index_dir / name)
        _point(index_dir, CURRENT, name)  # the commit point
        if before:
            _point(index_dir, PREVIOUS, before)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        for leftover in [*index_dir.glob(f".{CURRENT}.*"), *index_dir.glob(f".{PREVIOUS}.*")]:
            leftover.unlink(missing_ok=True)
        raise IndexStoreError(
            f"cannot write the index at {index_dir}: {exc.strerror or exc}; the existing index is left as it was"
        ) from exc
    _remove_stale(index_dir, keep={name, before or name})
    return index_dir / name


def rollback(index_dir: Path) -> str:
    """Make the previous generation current again (and the current one previous, so a second rollback undoes the
    first); returns its name."""
    with build_lock(index_dir):
        current, previous = _pointer(index_dir, CURRENT), _pointer(index_dir, PREVIOUS)
        if not previous or not (index_dir / previous).is_dir():
            raise NothingToUndoError(f"no previous version of the index at {index_dir} to roll back to")
        try:
            _point(index_dir, CURRENT, previous)
            if current:
                _point(index_dir, PREVIOUS, current)
        except OSError as exc:
            raise IndexStoreError(f"cannot roll back the index at {index_dir}: {exc.strerror or exc}") from exc
        return previous


def undo(index_dir: Path) -> tuple[str, list[str]]:
    """Take back the last change made since the current generation's build (an API write, or a small build);
    returns the version now and the documents it restored."""
    with build_lock(index_dir):
        generation = current_generation(index_dir)
        undone = delta.undo(generation)
        if undone is None:
            raise NothingToUndoError(
                f"no change since the last full build of {index_dir} is left to undo; "
                "`berita index --rollback` brings back the version before that build"
            )
        seq, doc_ids = undone
        return version_name(generation.name, seq), doc_ids


def _pointer(index_dir: Path, name: str) -> str | None:
    try:
        return (index_dir / name).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _point(index_dir: Path, pointer: str, generation: str) -> None:
    """``pointer`` (CURRENT or PREVIOUS) names ``generation``, replaced in one durable rename."""
    tmp = index_dir / f".{pointer}.{uuid.uuid4().hex[:8]}"
    _write_text(tmp, generation + "\n")
    os.replace(tmp, index_dir / pointer)
    _fsync_path(index_dir)


def _write_generation(
    tmp: Path,
    manifest: Manifest,
    documents: list[Document],
    passages: list[Passage],
    keys: list[str],
    vectors: np.ndarray,
) -> None:
    _write_jsonl(tmp / "documents.jsonl", (asdict(d) for d in documents))
    _write_jsonl(tmp / "passages.jsonl", ({k: v for k, v in asdict(p).items() if k != "text"} for p in passages))
    _write_text(tmp / "keys.txt", "\n".join(keys) + "\n")
    with open(tmp / "vectors.npy", "wb") as fh:
        np.save(fh, np.ascontiguousarray(vectors, dtype=np.float32))
        _sync(fh)
    ann = build_index(vectors, manifest.ann_backend, **manifest.ann_options)
    if not ann.exact:  # an exact index is the vectors again: exact search reads vectors.npy itself
        ann.save(tmp / "ann.index")
        _fsync_path(tmp / "ann.index")
    BM25.fit([tokenize(p.text) for p in passages]).save(tmp)
    for name_ in BM25_FILES:
        _fsync_path(tmp / name_)
    _write_text(tmp / "manifest.json", json.dumps(asdict(manifest), indent=2))
    _fsync_path(tmp)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index directory; readers never need the lock."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        probe = index_dir / f".probe-{uuid.uuid4().hex[:8]}"  # the lock file may be writable in a read-only folder
        probe.touch()
        probe.unlink()
        fh = open(index_dir / ".lock", "a")  # noqa: SIM115 (closed below, after the build)
    except OSError as exc:
        raise IndexStoreError(
            f"cannot build in {index_dir}: {exc.strerror or exc}; the existing index is left as it was"
        ) from exc
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexStoreError(f"another build is running on {index_dir}") from None
        yield


def _remove_stale(index_dir: Path, keep: set[str]) -> None:
    # Generations before the previous one and leftovers of interrupted builds. A server that loaded an old
    # generation keeps its open files (mmap), so removing them under it is safe on POSIX.
    for entry in index_dir.iterdir():
        if entry.is_dir() and entry.name not in keep and entry.name.startswith(("gen-", ".tmp-")):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.is_file() and entry.name.startswith((f".{CURRENT}.", f".{PREVIOUS}.")):
            entry.unlink(missing_ok=True)


def _read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        _sync(fh)


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        _sync(fh)


def _sync(fh: TextIO | Any) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
