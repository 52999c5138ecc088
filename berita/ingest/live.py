"""Articles added, replaced and deleted one change at a time (the HTTP API's writes): each article checked as a
``.jsonl`` row is, cleaned, chunked and embedded as a build does, then applied to the index in one durable
commit. A bad article is reported and costs the others nothing."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..backends import open_writer
from ..backends import undo as undo_change
from ..core.config import Settings
from ..embed import Embedder, embedding_key, vector_space
from .build import only_changed, prepare, write_changes
from .readers import article

log = logging.getLogger(__name__)
Status = Literal["created", "replaced", "unchanged", "deleted", "not_found", "rejected"]
_ONE_WRITER = threading.Lock()  # writes through one process queue here; the index's build lock guards the rest


@dataclass
class Outcome:
    doc_id: str
    status: Status
    detail: str | None = None  # why an article was rejected


@dataclass
class WriteReport:
    outcomes: list[Outcome]
    version: str  # the index version that holds the change (the generation and its last change)
    durable: bool  # on disk before this report: an acknowledged change survives a crash


def write(
    rows: Sequence[object], deletes: Sequence[str], settings: Settings, embedder: Embedder, version: str
) -> WriteReport:
    """Apply ``rows`` (articles as JSON objects with ``doc_id``) and ``deletes`` (document ids) as one change.
    ``version`` is the index's version before, reported when nothing changed."""
    outcomes: dict[int, Outcome] = {}
    valid = []
    seen: set[str] = set()
    for n, row in enumerate(rows):
        try:
            raw = article(row, f"article {n + 1}")
        except ValueError as exc:
            outcomes[n] = Outcome(_id_of(row), "rejected", str(exc))
            continue
        if raw.doc_id in seen:
            outcomes[n] = Outcome(raw.doc_id, "rejected", "doc_id appears twice in this request")
            continue
        seen.add(raw.doc_id)
        raw.path = None  # an article from the API has no file
        valid.append((n, raw))
    documents, passages = prepare([raw for _, raw in valid], settings, skip=log.info)
    position = {raw.doc_id: n for n, raw in valid}
    kept = {d.doc_id for d in documents}
    for n, raw in valid:
        if raw.doc_id not in kept:
            outcomes[n] = Outcome(raw.doc_id, "rejected", "text: nothing is left of it after cleaning")
    space = vector_space(embedder)
    keys = [embedding_key(space, p.text) for p in passages]
    with _ONE_WRITER, open_writer(settings) as writer:
        existing = writer.signatures([*(d.doc_id for d in documents), *deletes])
        changed, changed_passages, changed_keys = only_changed(existing, documents, passages, keys)
        gone = [d for d in dict.fromkeys(deletes) if d in existing]
        if changed or gone:
            version, _ = write_changes(writer, changed, changed_passages, changed_keys, gone, embedder, settings)
    ids = {d.doc_id for d in changed}
    for doc in documents:
        status: Status = "unchanged" if doc.doc_id not in ids else "replaced" if doc.doc_id in existing else "created"
        outcomes[position[doc.doc_id]] = Outcome(doc.doc_id, status)
    ordered = [outcomes[n] for n in sorted(outcomes)]
    ordered += [Outcome(d, "deleted" if d in existing else "not_found") for d in dict.fromkeys(deletes)]
    log.info("write: %s", ", ".join(f"{o.doc_id} {o.status}" for o in ordered))
    return WriteReport(ordered, version, durable=True)


@dataclass
class UndoReport:
    restored: list[str] | None  # the documents back as they were before the change (None: not known, on Milvus)
    version: str  # the index version now; searches see it from this report on


def undo(settings: Settings) -> UndoReport:
    """Take back the index's last change (a bad batch): its documents return to what they were before it."""
    with _ONE_WRITER:
        version, restored = undo_change(settings)
    log.info("undo: %s restored, now %s", restored if restored is not None else "the previous version", version)
    return UndoReport(restored, version)


def _id_of(row: object) -> str:
    doc_id = row.get("doc_id") if isinstance(row, dict) else None
    return doc_id[:200] if isinstance(doc_id, str) else ""
