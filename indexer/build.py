"""Articles on disk -> an index on disk, re-embedding only passages whose text changed."""
from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from search.models import Embedder, find_spec, load_embedder, read_registry
from search.settings import Settings
from search.store import (Checkpoints, IndexNotFoundError, IndexStoreError, Manifest, StoredIndex, build_lock, read_index,
                          read_vectors_file, write_index)
from search.types import Document, Passage

from .chunk import chunk_spans
from .clean import clean_article
from .readers import RawArticle, read_articles

Log = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class BuildError(RuntimeError):
    pass


@dataclass
class BuildReport:
    documents: int
    passages: int
    embedded: int
    reused: int
    removed_documents: int
    skipped: int
    seconds: float
    path: Path


def build(paths: list[Path], settings: Settings, embedder: Embedder | None = None, log: Log = _stderr,
          vectors_file: Path | None = None) -> BuildReport:
    """Index the articles in ``paths`` into ``settings.index_dir``; the index then holds exactly them.
    ``vectors_file`` (see ``write_vectors_file``) offers stored embeddings besides the previous index's."""
    started = time.perf_counter()
    skipped: list[str] = []

    def skip(message: str) -> None:  # unreadable files and lines, empty or duplicate articles alike
        skipped.append(message)
        log(message)

    documents, passages = prepare(read_articles(paths, warn=skip), settings, skip)
    if not documents:
        raise BuildError(f"no articles with text found in {', '.join(map(str, paths))}; the existing index is left as it was")
    model_name = embedder.name if embedder else find_spec(read_registry(settings.models_file), settings.model).name
    keys = [embedding_key(model_name, p.text) for p in passages]
    with build_lock(settings.index_dir):
        previous = _previous_index(settings.index_dir, log)
        checkpoints = Checkpoints(settings.index_dir, model_name)
        stored = read_vectors_file(vectors_file, model_name) if vectors_file else {}
        cached = {**stored, **_previous_vectors(previous, model_name), **checkpoints.load()}
        missing = _first_of_each([i for i, key in enumerate(keys) if key not in cached], keys)
        if missing:
            embedder = embedder or load_embedder(settings.model, settings.models_file)
            fresh = embed_passages(embedder, [passages[i].text for i in missing], settings.embed_batch_size, log,
                                   save=lambda lo, hi, vecs: checkpoints.save([keys[i] for i in missing[lo:hi]], vecs),
                                   save_every=settings.checkpoint_every)
            cached.update(zip((keys[i] for i in missing), fresh))
        vectors = np.stack([cached[key] for key in keys]).astype(np.float32, copy=False)
        manifest = Manifest(model=model_name, dim=int(vectors.shape[1]), ann_backend=settings.ann_backend,
                            documents=len(documents), passages=len(passages),
                            chunking={"max_chars": settings.chunk_max_chars, "min_chars": settings.chunk_min_chars,
                                      "overlap_sentences": settings.chunk_overlap_sentences},
                            ann_options={"exact_max": settings.ann_exact_max, "nprobe": settings.ann_nprobe})
        path = write_index(settings.index_dir, manifest, documents, passages, keys, vectors)
        checkpoints.clear()
    removed = len(set(previous.documents) - {d.doc_id for d in documents}) if previous else 0
    return BuildReport(len(documents), len(passages), len(missing), len(passages) - len(missing), removed,
                       len(skipped), time.perf_counter() - started, path)


def prepare(articles, settings: Settings, log: Log = _stderr) -> tuple[list[Document], list[Passage]]:
    """Clean and chunk; the first article wins when two share an id."""
    documents: list[Document] = []
    passages: list[Passage] = []
    seen: set[str] = set()
    for article in articles:
        if article.doc_id in seen:
            log(f"skipped {article.path}: duplicate document id {article.doc_id!r}")
            continue
        doc = to_document(article)
        if not doc.text:
            log(f"skipped {article.path}: no text left after cleaning")
            continue
        seen.add(doc.doc_id)
        documents.append(doc)
        spans = chunk_spans(doc.text, settings.chunk_max_chars, settings.chunk_min_chars, settings.chunk_overlap_sentences)
        passages.extend(Passage(passage_id=f"{doc.doc_id}.p{n}", doc_id=doc.doc_id, ordinal=n, start=a, end=b, text=doc.text[a:b])
                        for n, (a, b) in enumerate(spans))
    return documents, passages


def to_document(article: RawArticle) -> Document:
    cleaned = clean_article(article.text, article.title)
    doc = Document(doc_id=article.doc_id, title=cleaned.title or article.doc_id, text=cleaned.text,
                   source=article.source or cleaned.source, date=article.date or cleaned.date,
                   url=article.url, place=cleaned.place, path=article.path)
    doc.content_hash = hashlib.sha256("\x1f".join(str(v) for v in (doc.title, doc.text, doc.source, doc.date, doc.url)).encode()).hexdigest()[:16]
    return doc


def _first_of_each(indexes: list[int], keys: list[str]) -> list[int]:
    """One index per distinct key: passages with the same text are embedded once."""
    first: dict[str, int] = {}
    for i in indexes:
        first.setdefault(keys[i], i)
    return list(first.values())


def embedding_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\x1f{text}".encode()).hexdigest()


def embed_passages(embedder: Embedder, texts: list[str], batch_size: int, log: Log = _stderr,
                   save: Callable[[int, int, np.ndarray], None] | None = None, save_every: int = 512) -> np.ndarray:
    """Embeddings of ``texts``; every ``save_every`` passages ``save(lo, hi, vectors)`` may keep them safe."""
    too_long = sum(embedder.token_count(t) > embedder.max_tokens for t in texts)
    if too_long:
        log(f"warning: {too_long} passages exceed {embedder.name}'s {embedder.max_tokens}-token window and will be truncated")
    out = np.empty((len(texts), embedder.dim), dtype=np.float32)
    started = last = time.perf_counter()
    saved = 0
    for i in range(0, len(texts), batch_size):
        out[i:i + batch_size] = embedder.encode_passages(texts[i:i + batch_size])
        now = time.perf_counter()
        done = min(i + batch_size, len(texts))
        if save and (done - saved >= save_every or done == len(texts)):
            save(saved, done, out[saved:done])
            saved = done
        if now - last > 5 or done == len(texts):
            rate = done / (now - started)
            log(f"embedded {done}/{len(texts)} passages ({rate:.1f}/s, {(len(texts) - done) / rate:.0f}s left)")
            last = now
    return out


def _previous_index(index_dir: Path, log: Log) -> StoredIndex | None:
    try:
        return read_index(index_dir)
    except IndexNotFoundError:
        return None
    except IndexStoreError as exc:
        log(f"warning: the existing index cannot be reused ({exc}); embedding everything afresh")
        return None


def _previous_vectors(previous: StoredIndex | None, model: str) -> dict[str, np.ndarray]:
    if previous is None or previous.manifest.model != model:
        return {}
    return dict(zip(previous.keys, previous.vectors))
