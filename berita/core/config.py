"""All tunable knobs in one typed object, in groups, read from ``BERITA_*`` environment variables or CLI flags.

Every field has a unique name across the groups, so ``BERITA_INDEX_DIR`` or ``Settings.from_env(index_dir=...)``
needs no group prefix.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from ..errors import ConfigError

Backend = Literal["local", "milvus"]
AnnBackend = Literal["faiss", "numpy"]
Fusion = Literal["convex", "rrf"]


def packaged(package: str, name: str) -> Path:
    """A data file shipped inside the package (models.txt, learned weights), wherever it is installed."""
    return Path(str(resources.files(package) / name))


def models_file() -> Path:
    """``models.txt`` at the top of a checkout, the file a user edits to register a model, where there is one; else
    the copy inside the package (an installed wheel has no checkout around it)."""
    checkout = Path(__file__).resolve().parents[2] / "models.txt"
    return checkout if checkout.is_file() else packaged("berita.embed", "models.txt")


@dataclass(frozen=True)
class StorageConfig:
    backend: Backend = "local"  # where the index lives (backends/factory.py)
    index_dir: Path = Path("data/index")
    ann_backend: AnnBackend = "faiss"
    ann_exact_max: int = 100_000  # above this many passages, an approximate (IVF) index
    ann_nprobe: int = 128  # IVF lists searched per query (more: better recall, slower)
    # changes (API writes, small builds) are kept beside the last full build up to this share of its passages
    # (at least 1,000); past it, the next change rewrites the index whole (0: every change does)
    compact_share: float = 0.1
    # the milvus backend: a file path for Milvus Lite (in-process), or http://host:19530 for a server
    milvus_uri: str = "data/milvus.db"
    milvus_prefix: str = "berita"  # its collections are named <prefix>_...
    milvus_timeout: float = 10.0  # seconds per call; reads are retried on transient failures
    # the dense vectors' index: FLAT (exact; Milvus Lite builds it and IVF_FLAT only), HNSW or IVF_SQ8 on a server
    milvus_index_type: Literal["FLAT", "IVF_FLAT", "HNSW", "IVF_SQ8"] = "FLAT"
    # a JSON object of the index's build and search parameters ({"M": 32, "ef": 128}); empty: the type's defaults
    milvus_index_params: str = ""

    def __post_init__(self) -> None:
        self.milvus_index_options()  # bad JSON fails when the settings are read, not at the first build

    def milvus_index_options(self) -> dict[str, Any]:
        """``milvus_index_params`` as a dict ({} when empty); a ConfigError naming the variable when it is not one."""
        import json

        try:
            options = json.loads(self.milvus_index_params) if self.milvus_index_params.strip() else {}
        except ValueError as exc:
            raise ConfigError(f"BERITA_MILVUS_INDEX_PARAMS={self.milvus_index_params!r} is not JSON: {exc}") from None
        if not isinstance(options, dict):
            raise ConfigError(
                f'BERITA_MILVUS_INDEX_PARAMS={self.milvus_index_params!r} is not a JSON object, e.g. {{"ef": 128}}'
            )
        return options


@dataclass(frozen=True)
class EmbeddingConfig:
    model: str = ""  # empty: the default model named in the registry
    models_file: Path = field(default_factory=lambda: models_file())  # models.txt: the checkout's, else the package's
    # which of the model's runtimes (models.txt); empty: the first listed that loads, the others as fallbacks
    runtime: str = ""
    models_dir: Path = Path("data/models")  # models built on this machine (the int8 encoder), outside git
    threads: int = 0  # cores the encoder uses; 0: all
    query_tokens: int = 128  # a question is cut to this many tokens before the encoder (a normal one has 10-40)
    # questions in these languages are encoded by the query encoder trained here (embed/queries.py); empty: e5's own
    query_languages: tuple[str, ...] = ("id",)
    query_layers: Path = field(default_factory=lambda: packaged("berita.embed", "queries.npz"))  # its layers
    embed_batch_size: int = 128  # passages sent to the encoder at a time
    checkpoint_every: int = 512  # passages embedded between saves that let an interrupted build resume


@dataclass(frozen=True)
class IngestConfig:
    # a build whose input is mostly rejected (bad lines, unreadable files) does not replace the index unless forced
    max_rejected_share: float = 0.5
    # a build (or batch of deletes) removing more than this share of the archive's documents stops unless forced
    max_removed_share: float = 0.2
    # a longer article is cut at a paragraph (the build report says which); a long feature is 20,000-50,000
    max_article_chars: int = 200_000
    max_article_passages: int = 500  # passages kept of one article, in order
    # passages follow paragraphs and sentences; sizes are in characters
    chunk_max_chars: int = 700
    chunk_min_chars: int = 200
    chunk_overlap_sentences: int = 1


@dataclass(frozen=True)
class RetrievalConfig:
    default_k: int = 10  # results a search returns unless it asks for another number
    max_k: int = 50  # the most results one search may ask for
    max_query_chars: int = 1000  # a longer query is refused
    candidates: int = 50  # depth each retriever contributes before fusion
    fusion: Fusion = "convex"  # "rrf" (reciprocal rank fusion) is kept as the baseline the benchmark compares
    rrf_k: int = 60  # rrf's constant
    translate_english: bool = True  # English questions: BM25 also reads their words' Indonesian translations
    rerank: bool = True  # the learned second stage re-orders the fused head (retrieval/rerank.py)
    rerank_file: Path = field(default_factory=lambda: packaged("berita.retrieval", "rerank.json"))  # its weights


@dataclass(frozen=True)
class AnswerConfig:
    # the neural reader answers (questions in both languages); off: the rules answer
    reader: bool = True
    # its weights; what it was tuned to (bars, confidence, passages read) is the JSON file of the same name beside them
    reader_file: Path = field(default_factory=lambda: packaged("berita.answering", "reader.npz"))
    # questions in these languages are read by a model of their own, reader-<lang>.npz beside reader_file (the same
    # tuning and confidence files); empty: one model reads every question
    reader_languages: tuple[str, ...] = ("en",)


@dataclass(frozen=True)
class WebConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    request_timeout: float = 30.0  # seconds a request may take before it is answered 503
    header_timeout: float = 10.0  # seconds a connection may take to send a request's headers before it is closed
    max_connections: int = 256  # connections served at once; more are answered 503
    max_url_chars: int = 65_536  # a longer address is answered 414 (a pasted article still gets the page's message)
    max_body_bytes: int = 10_000_000  # a larger request body is answered 413
    max_document_chars: int = 50_000  # a document's text is served in parts of about this many characters
    # keys that may add, replace and delete articles (comma-separated), or a file of them, one a line; none: the
    # server has no write routes. Keys are never printed (repr=False) nor logged
    api_keys: tuple[str, ...] = field(default=(), repr=False)
    api_keys_file: str = ""
    read_keys: tuple[str, ...] = field(
        default=(), repr=False
    )  # if set, the API's reads need one of these (or a write key)
    max_batch: int = 100  # articles in one POST /api/documents
    # browser apps on these origins may call the API (comma-separated, such as https://app.example.com); none: no CORS
    cors_origins: tuple[str, ...] = ()
    access_log: bool = False  # one line a request (method, path, status, time, request id) on stderr
    log_format: Literal["text", "json"] = "text"  # json: one JSON object a log line, for log collectors


@dataclass(frozen=True)
class Settings:
    storage: StorageConfig = field(default_factory=StorageConfig)
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    answers: AnswerConfig = field(default_factory=AnswerConfig)
    web: WebConfig = field(default_factory=WebConfig)

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (field names of any group); ``None`` values are ignored so CLI defaults pass through."""
        groups: dict[str, dict[str, Any]] = {}
        for name, value in changes.items():
            if value is not None:
                if _FIELDS.get(name) is Path and isinstance(value, str):
                    value = Path(value)
                groups.setdefault(_group_of(name), {})[name] = value
        return dataclasses.replace(self, **{g: dataclasses.replace(getattr(self, g), **v) for g, v in groups.items()})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values = {}
        for name, kind in _FIELDS.items():
            raw = env.get(f"BERITA_{name.upper()}")
            if raw is not None and typing.get_origin(kind) is not Mapping:  # per-language maps are set in code
                values[name] = _parse(name, kind, raw)
        return cls().replace(**values).replace(**overrides)


def _field_types() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group in dataclasses.fields(Settings):
        group_type = typing.get_type_hints(Settings)[group.name]
        for name, kind in typing.get_type_hints(group_type).items():
            out[name] = (group.name, kind)
    return out


_GROUPED = _field_types()
_FIELDS = {name: kind for name, (_, kind) in _GROUPED.items()}


def _group_of(name: str) -> str:
    try:
        return str(_GROUPED[name][0])
    except KeyError:
        raise TypeError(f"no setting called {name!r}") from None


def _parse(name: str, kind: Any, raw: str) -> object:
    choices = typing.get_args(kind) if typing.get_origin(kind) is Literal else ()
    try:
        if choices:
            if raw not in choices:
                raise ValueError
            return raw
        if kind is Path:
            return Path(raw)
        if typing.get_origin(kind) is tuple:
            return tuple(x.strip() for x in raw.split(",") if x.strip())
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
        if kind is bool:
            if raw.lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                raise ValueError
            return raw.lower() in ("1", "true", "yes", "on")
    except ValueError:
        expected = " or ".join(map(repr, choices)) if choices else getattr(kind, "__name__", str(kind))
        raise ConfigError(f"BERITA_{name.upper()}={raw!r} is not a valid {expected}") from None
    return raw
