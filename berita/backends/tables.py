"""A generation's documents and passages as the local backend holds them: arrays and the documents' file, with a
``Document`` or a ``Passage`` made only when one is asked for.

Held as objects, a million passages' documents took 770 MB of memory and their passages 300 MB; here only what
search filters and lists need stays in memory (ids, sources, dates and each passage's place in its document), and
the texts are read from the memory-mapped ``documents.jsonl`` (docs/experiments/2026-12-07-live-archive.md).
"""

from __future__ import annotations

import json
import mmap
from collections.abc import Iterable, Iterator
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from ..core.schema import Document, Filters, Passage

_PARSED = 1024  # documents kept parsed: a search reads the passages of a few dozen


class DocumentTable:
    """The documents of ``documents.jsonl`` (one JSON object a line), by id or by their order in the file."""

    def __init__(self, path: Path):
        self.ids: list[str] = []
        offsets, kinds = [0], []
        self._kinds: dict[tuple[str | None, str | None], int] = {}  # (source, date) pairs: a few thousand at most
        with path.open("rb") as fh:
            for line in fh:
                row = json.loads(line)
                self.ids.append(row["doc_id"])
                offsets.append(offsets[-1] + len(line))
                kinds.append(self._kinds.setdefault((row.get("source"), row.get("date")), len(self._kinds)))
        self._offsets = np.array(offsets, dtype=np.int64)
        self._kind = np.array(kinds, dtype=np.int32)
        self._at = {doc_id: n for n, doc_id in enumerate(self.ids)}
        self._map = _mapped(path) if len(self.ids) else b""
        self.document = lru_cache(maxsize=_PARSED)(self._parse)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._at

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def index(self, doc_id: str) -> int | None:
        return self._at.get(doc_id)

    def get(self, doc_id: str) -> Document | None:
        n = self._at.get(doc_id)
        return None if n is None else self.document(n)

    def values(self) -> Iterator[Document]:
        """Every document, parsed in file order (a full rewrite reads them all)."""
        return (self._parse(n) for n in range(len(self)))

    def accepting(self, filters: Filters) -> np.ndarray:
        """Per document, whether ``filters`` accept it (``Filters.accepts`` asked once per source and date)."""
        kinds = [Document("", "", "", source=source, date=date) for source, date in self._kinds]
        accepted = np.array([filters.accepts(doc) for doc in kinds], dtype=bool)
        return accepted[self._kind] if len(kinds) else np.zeros(0, dtype=bool)

    def sources(self, among: np.ndarray) -> set[str]:
        """The sources of the documents where ``among`` is true."""
        kinds = list(self._kinds)
        return {kinds[k][0] for k in np.unique(self._kind[among]) if kinds[k][0]}

    def newest(self, among: np.ndarray, n: int) -> list[Document]:
        """The ``n`` most recently dated documents where ``among`` is true, newest first (the undated last, ties in
        file order, as ``sorted(..., reverse=True)`` orders them)."""
        return [self.document(int(i)) for i in self._by_date[among[self._by_date]][:n]]

    @cached_property
    def _by_date(self) -> np.ndarray:
        """The documents newest first, ties in file order (once: the file never changes, the changes since it do)."""
        if not len(self):
            return np.zeros(0, dtype=np.int64)
        rank = np.unique(np.array([date or "" for _, date in self._kinds])[self._kind], return_inverse=True)[1]
        return np.lexsort((np.arange(len(self)), -rank))

    def _parse(self, n: int) -> Document:
        return Document(**json.loads(self._map[self._offsets[n] : self._offsets[n + 1]]))


def _mapped(path: Path) -> mmap.mmap:
    """``path`` mapped read-only: pages are read when touched and the kernel may drop them again. The mapping
    outlives the file's name, so a generation removed under a reader stays readable (POSIX)."""
    with path.open("rb") as fh:
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


class PassageTable:
    """A generation's passages as arrays over its documents' text. A passage's id is its document's and its
    ordinal (``<doc_id>.p<n>``, as ingest names them), so it is not held; a generation whose ids differ keeps them."""

    def __init__(self, rows: Iterable[dict], documents: DocumentTable):
        self._documents = documents
        self._ids: list[str] | None = None
        doc: list[int] = []
        ordinal: list[int] = []
        start: list[int] = []
        end: list[int] = []
        for r in rows:
            at = documents.index(r["doc_id"])
            if at is None:
                raise KeyError(f"passage {r['passage_id']} of no document")
            if self._ids is None and r["passage_id"] != f"{r['doc_id']}.p{r['ordinal']}":
                self._ids = [f"{documents.ids[d]}.p{o}" for d, o in zip(doc, ordinal)]  # those before were named so
            if self._ids is not None:
                self._ids.append(r["passage_id"])
            doc.append(at)
            ordinal.append(r["ordinal"])
            start.append(r["start"])
            end.append(r["end"])
        self.doc, self.ordinal = np.array(doc, dtype=np.int32), np.array(ordinal, dtype=np.int32)
        self.start, self.end = np.array(start, dtype=np.int64), np.array(end, dtype=np.int64)
        self._order = np.argsort(self.doc, kind="stable")
        self._bounds = np.searchsorted(self.doc[self._order], np.arange(len(documents) + 1))
        self._rows = {p: n for n, p in enumerate(self._ids)} if self._ids is not None else None

    def __len__(self) -> int:
        return len(self.doc)

    def __getitem__(self, row: int) -> Passage:
        doc = self._documents.document(int(self.doc[row]))
        start, end = int(self.start[row]), int(self.end[row])
        return Passage(self.passage_id(row), doc.doc_id, int(self.ordinal[row]), start, end, doc.text[start:end])

    def __iter__(self) -> Iterator[Passage]:
        return (self[row] for row in range(len(self)))

    def passage_id(self, row: int) -> str:
        if self._ids is not None:
            return self._ids[row]
        return f"{self._documents.ids[self.doc[row]]}.p{self.ordinal[row]}"

    def row(self, passage_id: str) -> int:
        """The row of a passage (a KeyError for one not here)."""
        if self._rows is not None:
            return self._rows[passage_id]
        doc_id, _, ordinal = passage_id.rpartition(".p")
        rows = self.rows_of(doc_id)
        found = rows[self.ordinal[rows] == int(ordinal)] if ordinal.isdigit() else rows[:0]
        if not len(found):
            raise KeyError(passage_id)
        return int(found[0])

    def rows_of(self, doc_id: str) -> np.ndarray:
        """The rows of a document's passages, in row order (none for a document not here)."""
        at = self._documents.index(doc_id)
        return self._order[self._bounds[at] : self._bounds[at + 1]] if at is not None else np.zeros(0, np.int64)

    def of_documents(self, accepted: np.ndarray) -> np.ndarray:
        """Per row, whether its document is one ``accepted`` (per document) marks."""
        return accepted[self.doc] if len(self.doc) else np.zeros(0, dtype=bool)
