"""Articles on disk -> an index, re-embedding only passages whose text changed.

read (readers.py) -> clean (clean.py) -> chunk (chunk.py) -> embed (berita.embed, reusing stored and
checkpointed vectors) -> write (berita.backends: upsert, delete, commit).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..backends import open_writer
from ..backends.base import IndexInfo, IndexWriter, signature
from ..core.config import Settings
from ..core.schema import Document, Passage
from ..embed import (
    Checkpoints,
    Embedder,
    embed_passages,
    embedding_key,
    load_embedder,
    read_vectors_file,
    vector_space,
)
from ..embed.batch import Executor
from ..errors import BuildError
from .chunk import chunk_spans
from .clean import clean_article
from .readers import RawArticle, read_articles

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    documents: int
    passages: int
    embedded: int
    reused: int
    removed_documents: int
    skipped: int
    seconds: float
    location: str  # the index folder, or the Milvus URI and generation
    cut: list[str] = field(default_factory=list)  # articles over the size limits, indexed in part: what was cut


def build(
    paths: list[Path],
    settings: Settings,
    embedder: Embedder | None = None,
    vectors_file: Path | None = None,
    executor: Executor | None = None,
    force: bool = False,
) -> BuildReport:
    """Index the articles in ``paths`` into ``settings.storage.index_dir``; the index then holds exactly them.
    ``vectors_file`` (see ``berita.embed.write_vectors_file``) offers stored embeddings besides the previous index's."""
    started = time.perf_counter()
    skipped: list[str] = []

    def skip(message: str) -> None:  # unreadable files and lines, empty or duplicate articles alike
        skipped.append(message)
        log.warning("%s", message)

    cut: list[str] = []

    def note_cut(message: str) -> None:
        cut.append(message)
        log.warning("%s", message)

    documents, passages = prepare(read_articles(paths, warn=skip), settings, skip, note_cut)
    if not documents:
        raise BuildError(
            f"no articles with text found in {', '.join(map(str, paths))}; the existing index is left as it was"
        )
    share = len(skipped) / (len(skipped) + len(documents))
    if share > settings.ingest.max_rejected_share and not force:
        raise BuildError(
            f"{len(skipped)} of {len(skipped) + len(documents)} inputs were rejected (see the messages above), more "
            f"than {settings.ingest.max_rejected_share:.0%}; the existing index is left as it was. Fix them, or pass "
            "--force"
        )
    # Vectors are keyed by model, runtime and text: a build with another runtime embeds afresh, never mixes.
    embedder = embedder or load_embedder(settings.embedding.model, settings.embedding.models_file, settings.embedding)
    space = vector_space(embedder)
    keys = [embedding_key(space, p.text) for p in passages]
    index_dir = settings.storage.index_dir
    with open_writer(settings) as writer:
        existing = writer.document_ids()
        removed = sorted(existing - {d.doc_id for d in documents})
        # a forced mass removal writes a whole generation, so that --rollback can bring the archive back
        writer.whole = check_removal(len(removed), len(existing), settings.ingest.max_removed_share, force)
        changed, changed_passages, changed_keys = only_changed(writer.signatures(), documents, passages, keys)
        checkpoints = Checkpoints(index_dir, space)  # local build state, whichever backend the index lives in
        stored = read_vectors_file(vectors_file, space) if vectors_file else {}
        version, embedded = write_changes(
            writer,
            changed,
            changed_passages,
            changed_keys,
            removed,
            embedder,
            settings,
            {**stored, **checkpoints.load()},
            checkpoints,
            executor,
        )
        checkpoints.clear()
    return BuildReport(
        len(documents),
        len(passages),
        embedded,
        len(passages) - embedded,
        len(removed),
        len(skipped),
        time.perf_counter() - started,
        f"{index_dir} ({version})"
        if settings.storage.backend == "local"
        else f"{settings.storage.milvus_uri} ({version})",
        cut,
    )


def only_changed(
    signatures: dict[str, str], documents: list[Document], passages: list[Passage], keys: list[str]
) -> tuple[list[Document], list[Passage], list[str]]:
    """The documents whose ``signature`` differs from the index's (all of them where it keeps none), with their
    passages and keys: a build writes what changed, not the archive."""
    if not signatures:
        return documents, passages, keys
    by_doc: dict[str, list[str]] = {}
    for passage, key in zip(passages, keys):
        by_doc.setdefault(passage.doc_id, []).append(key)
    changed = [d for d in documents if signatures.get(d.doc_id) != signature(d, by_doc.get(d.doc_id, []))]
    ids = {d.doc_id for d in changed}
    rows = [(p, k) for p, k in zip(passages, keys) if p.doc_id in ids]
    return changed, [p for p, _ in rows], [k for _, k in rows]


def write_changes(
    writer: IndexWriter,
    documents: list[Document],
    passages: list[Passage],
    keys: list[str],
    removed: list[str],
    embedder: Embedder,
    settings: Settings,
    cached: dict[str, np.ndarray] | None = None,
    checkpoints: Checkpoints | None = None,
    executor: Executor | None = None,
) -> tuple[str, int]:
    """Write ``documents`` (with their ``passages`` and embedding ``keys``) and remove ``removed`` in one commit;
    returns the version that holds the change and how many passages were embedded. Vectors the index or
    ``cached`` hold are reused, the others embedded (each distinct text once, saved to ``checkpoints``)."""
    cached = {**writer.known_vectors(keys), **(cached or {})}
    missing = _first_of_each([i for i, key in enumerate(keys) if key not in cached], keys)
    if missing:
        fresh = embed_passages(
            embedder,
            [passages[i].text for i in missing],
            settings.embedding.embed_batch_size,
            save=(lambda positions, vecs: checkpoints.save([keys[missing[i]] for i in positions], vecs))
            if checkpoints
            else None,
            save_every=settings.embedding.checkpoint_every,
            executor=executor,
        )
        cached.update(zip((keys[i] for i in missing), fresh))
    vectors = [cached[key] for key in keys]
    matrix = np.stack(vectors).astype(np.float32, copy=False) if vectors else np.zeros((0, embedder.dim), np.float32)
    writer.delete(removed)
    writer.upsert(documents, passages, keys, matrix)
    # what embedded the index; the writer counts the documents and passages it holds
    info = IndexInfo(embedder.name, embedder.dim, 0, 0, "", runtime=embedder.runtime)
    return writer.commit(info), len(missing)


def check_removal(removed: int, existing: int, max_share: float, force: bool) -> bool:
    """Whether a change removes more than ``max_share`` of the ``existing`` documents; a BuildError if so, unforced:
    a build pointed at one file instead of the archive's folder must not empty the archive."""
    over = bool(existing) and removed / existing > max_share
    if over and not force:
        raise BuildError(
            f"this would remove {removed} of the {existing} documents in the index ({removed / existing:.0%}, more "
            f"than {max_share:.0%}); the index is left as it was. Give the whole archive, or pass --force to remove "
            "them (the previous version is kept: berita index --rollback restores it)"
        )
    return over


def prepare(
    articles: Iterable[RawArticle],
    settings: Settings,
    skip: Callable[[str], None] = log.warning,
    note_cut: Callable[[str], None] = log.warning,
) -> tuple[list[Document], list[Passage]]:
    """Clean and chunk; the first article wins when two share an id. An article over the size limits is cut
    (``note_cut`` says which and where): memory and time stay bounded whatever one file holds."""
    documents: list[Document] = []
    passages: list[Passage] = []
    seen: set[str] = set()
    c = settings.ingest
    for article in articles:
        if article.doc_id in seen:
            skip(f"skipped {article.path}: duplicate document id {article.doc_id!r}")
            continue
        size = len(article.text)
        if size > c.max_article_chars:  # cut before cleaning, so that cleaning a 50 MB file costs a limit's worth
            article.text = _cut(article.text, c.max_article_chars)
        doc = to_document(article)
        if not doc.text:
            skip(f"skipped {article.path}: no text left after cleaning")
            continue
        seen.add(doc.doc_id)
        spans = chunk_spans(doc.text, c.chunk_max_chars, c.chunk_min_chars, c.chunk_overlap_sentences)
        too_many = len(spans) > c.max_article_passages
        if too_many:
            doc.text = doc.text[: spans[c.max_article_passages - 1][1]]
            spans = spans[: c.max_article_passages]
        if size > c.max_article_chars or too_many:
            note_cut(
                f"cut {article.path}: {size:,} characters, over the limit of {c.max_article_chars:,} characters or "
                f"{c.max_article_passages} passages (BERITA_MAX_ARTICLE_CHARS, BERITA_MAX_ARTICLE_PASSAGES); its "
                f"first {len(doc.text):,} are indexed"
            )
        documents.append(doc)
        passages.extend(
            Passage(passage_id=f"{doc.doc_id}.p{n}", doc_id=doc.doc_id, ordinal=n, start=a, end=b, text=doc.text[a:b])
            for n, (a, b) in enumerate(spans)
        )
    return documents, passages


def _cut(text: str, limit: int) -> str:
    """``text`` up to ``limit`` characters, ended at its last paragraph break where one is in the second half."""
    end = text.rfind("\n", limit // 2, limit)
    return text[: end if end > 0 else limit]


def to_document(article: RawArticle) -> Document:
    cleaned = clean_article(article.text, article.title)
    doc = Document(
        doc_id=article.doc_id,
        title=cleaned.title or article.doc_id,
        text=cleaned.text,
        source=article.source or cleaned.source,
        date=article.date or cleaned.date,
        url=article.url,
        place=cleaned.place,
        path=article.path,
    )
    fields = (doc.title, doc.text, doc.source, doc.date, doc.url)
    doc.content_hash = hashlib.sha256("\x1f".join(str(v) for v in fields).encode()).hexdigest()[:16]
    return doc


def _first_of_each(indexes: list[int], keys: list[str]) -> list[int]:
    """One index per distinct key: passages with the same text are embedded once."""
    first: dict[str, int] = {}
    for i in indexes:
        first.setdefault(keys[i], i)
    return list(first.values())
