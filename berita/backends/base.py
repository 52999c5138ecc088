"""What a storage backend offers the rest of the product: a document store, a dense index and a lexical index
to read, and a writer that changes them in one commit. Passages are named by string ids; rows stay inside."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ..core.schema import Document, Filters, Hit, Passage


def best_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """The rows of the ``k`` highest ``scores``, best first. Ties at the cut are broken by row order, not by where a
    partition left them: the same passages in another layout (a build, or changes beside one) give the same top k."""
    k = min(k, len(scores))
    if k == 0:
        return np.zeros(0, np.int64)
    kth = np.partition(-scores, k - 1)[k - 1]
    top = np.flatnonzero(-scores <= kth)
    return top[np.argsort(-scores[top], kind="stable")][:k]


@dataclass
class IndexInfo:
    """What a committed index says about itself (the local backend's manifest)."""

    model: str
    dim: int
    documents: int
    passages: int
    built_at: str
    generation: str = ""
    options: dict = field(default_factory=dict)
    runtime: str = ""  # the embedder's runtime that computed the vectors (Embedder.runtime)


class DocumentStore(Protocol):
    def document(self, doc_id: str) -> Document | None: ...

    def documents(self, doc_ids: Sequence[str]) -> dict[str, Document]:
        """The documents named that exist, in one call (a page of results cites ten)."""
        ...

    def passages(self, passage_ids: Sequence[str]) -> list[Passage]:
        """The passages named, in that order (a KeyError for an unknown id)."""
        ...

    def passages_of(self, doc_id: str) -> list[Passage]: ...

    def sources(self) -> list[str]:
        """Every source named in the index, for filter menus."""
        ...

    def sample(self, n: int) -> list[Passage]:
        """Up to ``n`` passages spread over the index (to check that an embedder agrees with its vectors)."""
        ...

    def recent(self, n: int) -> list[Document]:
        """The ``n`` most recently dated documents, newest first (undated ones after them)."""
        ...


class DenseIndex(Protocol):
    def search(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[Hit]:
        """The ``k`` passages nearest ``vector`` (inner product of normalised vectors), best first."""
        ...

    def similarity(self, vector: np.ndarray, passage_ids: Sequence[str]) -> np.ndarray:
        """Cosine of ``vector`` and each passage named."""
        ...


class LexicalIndex(Protocol):
    def search(self, terms: list[str], k: int, filters: Filters | None = None) -> list[Hit]:
        """The ``k`` best passages by BM25 with a positive score, best first."""
        ...

    def scores(self, terms: list[str], passage_ids: Sequence[str]) -> np.ndarray:
        """BM25 score of each passage named."""
        ...

    def search_concepts(self, concepts: list[frozenset[str]], k: int, filters: Filters | None = None) -> list[Hit]:
        """``search`` for a query whose terms have alternatives (translations): each counts once, by its best."""
        ...

    def idf(self, terms: list[str]) -> dict[str, float]: ...


def signature(document: Document, keys: Sequence[str]) -> str:
    """What decides whether a document must be written again: its fields (``content_hash``) and exactly what was
    embedded of it (its passages' embedding keys, which name the model, the runtime and the text)."""
    return hashlib.sha1("\x1f".join([document.content_hash or "", *keys]).encode()).hexdigest()


class ChangeSet:
    """What a writer has been told before ``commit``: documents by id with their passages' rows, in the order
    the build gave them (a build's order is the index's order), and the ids deleted."""

    def __init__(self) -> None:
        self.whole = False  # write a whole new generation even for a small change (the previous one stays restorable)
        self._documents: dict[str, Document] = {}
        self._rows: dict[str, list[tuple[Passage, str, np.ndarray]]] = {}
        self._deleted: set[str] = set()

    def upsert(
        self, documents: Sequence[Document], passages: Sequence[Passage], keys: Sequence[str], vectors: np.ndarray
    ) -> None:
        for doc in documents:
            self._documents.pop(doc.doc_id, None)  # re-inserted at the end
            self._documents[doc.doc_id] = doc
            self._rows[doc.doc_id] = []
            self._deleted.discard(doc.doc_id)
        for passage, key, vector in zip(passages, keys, vectors):
            self._rows[passage.doc_id].append((passage, key, vector))

    def delete(self, doc_ids: Sequence[str]) -> None:
        for doc_id in doc_ids:
            self._documents.pop(doc_id, None)
            self._rows.pop(doc_id, None)
            self._deleted.add(doc_id)


class IndexWriter(Protocol):
    """Changes to an index, invisible to readers until ``commit``."""

    whole: bool  # see ChangeSet

    def document_ids(self) -> set[str]:
        """The documents of the index the changes start from."""
        ...

    def known_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors that index holds for these keys, so that a rebuild embeds only what changed."""
        ...

    def signatures(self, doc_ids: Collection[str] | None = None) -> dict[str, str]:
        """``signature`` of each document the index holds (of those of ``doc_ids`` it holds), so that a change
        writes only the documents that changed; "" where the backend rewrites every document anyway."""
        ...

    def upsert(
        self, documents: Sequence[Document], passages: Sequence[Passage], keys: Sequence[str], vectors: np.ndarray
    ) -> None:
        """Add or replace these documents with their passages; ``keys`` name what each passage's vector embeds."""
        ...

    def delete(self, doc_ids: Sequence[str]) -> None: ...

    def commit(self, info: IndexInfo) -> str:
        """Make every change visible at once; returns the name of what readers now see."""
        ...


@dataclass
class SearchBackend:
    """One committed index, as the retriever and the engine read it."""

    info: IndexInfo
    documents: DocumentStore
    dense: DenseIndex
    lexical: LexicalIndex
    current_generation: Callable[[], str]  # what the index names as committed now (changes after a build)
    # the index as it is now, reusing what has not changed (the local backend rereads only its changes); None:
    # open the backend again
    reopen: Callable[[], SearchBackend] | None = None
