"""Articles on disk -> an index, re-embedding only passages whose text changed.

read (readers.py) -> clean (clean.py) -> chunk (chunk.py) -> embed (berita.embed, reusing stored and
checkpointed vectors) -> write (berita.backends: upsert, delete, commit).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..backends import open_writer
from ..backends.base import IndexInfo
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
HUGE_ARTICLE_CHARS = 1_000_000  # a news article is rarely over 20,000 characters


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

    documents, passages = prepare(read_articles(paths, warn=skip), settings, skip)
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
        checkpoints = Checkpoints(index_dir, space)  # local build state, whichever backend the index lives in
        stored = read_vectors_file(vectors_file, space) if vectors_file else {}
        cached = {**stored, **writer.known_vectors(keys), **checkpoints.load()}
        missing = _first_of_each([i for i, key in enumerate(keys) if key not in cached], keys)
        if missing:
            fresh = embed_passages(
                embedder,
                [passages[i].text for i in missing],
                settings.embedding.embed_batch_size,
                save=lambda positions, vecs: checkpoints.save([keys[missing[i]] for i in positions], vecs),
                save_every=settings.embedding.checkpoint_every,
                executor=executor,
            )
            cached.update(zip((keys[i] for i in missing), fresh))
        vectors = np.stack([cached[key] for key in keys]).astype(np.float32, copy=False)
        removed = sorted(writer.document_ids() - {d.doc_id for d in documents})
        writer.delete(removed)
        writer.upsert(documents, passages, keys, vectors)
        info = IndexInfo(
            embedder.name, int(vectors.shape[1]), len(documents), len(passages), "", runtime=embedder.runtime
        )
        generation = writer.commit(info)
        checkpoints.clear()
    return BuildReport(
        len(documents),
        len(passages),
        len(missing),
        len(passages) - len(missing),
        len(removed),
        len(skipped),
        time.perf_counter() - started,
        str(index_dir) if settings.storage.backend == "local" else f"{settings.storage.milvus_uri} ({generation})",
    )


def prepare(
    articles: Iterable[RawArticle], settings: Settings, skip: Callable[[str], None] = log.warning
) -> tuple[list[Document], list[Passage]]:
    """Clean and chunk; the first article wins when two share an id."""
    documents: list[Document] = []
    passages: list[Passage] = []
    seen: set[str] = set()
    c = settings.ingest
    for article in articles:
        if article.doc_id in seen:
            skip(f"skipped {article.path}: duplicate document id {article.doc_id!r}")
            continue
        doc = to_document(article)
        if not doc.text:
            skip(f"skipped {article.path}: no text left after cleaning")
            continue
        seen.add(doc.doc_id)
        documents.append(doc)
        spans = chunk_spans(doc.text, c.chunk_max_chars, c.chunk_min_chars, c.chunk_overlap_sentences)
        if len(doc.text) > HUGE_ARTICLE_CHARS:
            log.warning(
                "warning: %s is %.1f MB of text, %d passages; is it one article?",
                article.path,
                len(doc.text) / 1e6,
                len(spans),
            )
        passages.extend(
            Passage(passage_id=f"{doc.doc_id}.p{n}", doc_id=doc.doc_id, ordinal=n, start=a, end=b, text=doc.text[a:b])
            for n, (a, b) in enumerate(spans)
        )
    return documents, passages


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
