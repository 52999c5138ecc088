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


@dataclass(frozen=True)
class StorageConfig:
    backend: Backend = "local"  # where the index lives (backends/factory.py)
    index_dir: Path = Path("data/index")
    ann_backend: AnnBackend = "faiss"
    ann_exact_max: int = 100_000  # above this many passages, an approximate (IVF) index
    ann_nprobe: int = 128  # IVF lists searched: recall@10 0.96 at 1M passages in 22 ms (bench/perf.py)
    # the milvus backend: a file path for Milvus Lite (in-process), or http://host:19530 for a server
    milvus_uri: str = "data/milvus.db"
    milvus_prefix: str = "berita"  # its collections are named <prefix>_...
    milvus_timeout: float = 10.0  # seconds per call; reads are retried on transient failures


@dataclass(frozen=True)
class EmbeddingConfig:
    model: str = ""  # empty: the default model named in the registry
    models_file: Path = field(default_factory=lambda: packaged("berita.embed", "models.txt"))
    # which of the model's runtimes (models.txt); empty: the first listed that loads, the others as fallbacks
    runtime: str = ""
    models_dir: Path = Path("data/models")  # models built on this machine (the int8 encoder), outside git
    threads: int = 0  # cores the encoder uses; 0: all
    # questions are cut to this many tokens before the encoder: a normal question has 10-40, and 1,000 characters
    # of emoji would otherwise cost as much as fifty questions (bench/perf.py --parts hostile)
    query_tokens: int = 128
    # Questions in these languages are encoded by e5 with its upper layers trained here to land nearest the passages
    # that answer them (bench/train_queries.py; passages keep e5's own vectors, so no index is re-embedded). Not for
    # English: the 62 held-out English questions over IndoSum lost two first places with it. Empty: e5's own.
    query_languages: tuple[str, ...] = ("id",)
    query_layers: Path = field(default_factory=lambda: packaged("berita.embed", "queries.npz"))
    embed_batch_size: int = 128  # passages a call: the int8 runtime splits them over the cores in batches of 16
    checkpoint_every: int = 512  # passages embedded between saves that let an interrupted build resume


@dataclass(frozen=True)
class IngestConfig:
    # a build whose input is mostly rejected (bad lines, unreadable files) does not replace the index unless forced
    max_rejected_share: float = 0.5
    # passages follow paragraphs and sentences; sizes are in characters
    chunk_max_chars: int = 700
    chunk_min_chars: int = 200
    chunk_overlap_sentences: int = 1


@dataclass(frozen=True)
class RetrievalConfig:
    default_k: int = 10
    max_k: int = 50
    max_query_chars: int = 1000
    candidates: int = 50  # depth each retriever contributes before fusion
    fusion: Fusion = "convex"  # "rrf" (reciprocal rank fusion) is kept as the baseline the benchmark compares
    rrf_k: int = 60
    # The dense side's share of the fused score, by query language (BM25 has the rest). Indonesian: tuned
    # on FacQA train. English questions share only names and numbers with Indonesian passages, so there
    # BM25 may break ties but must not outvote the dense side.
    # English 0.7 with translation on (NTREX news pairs of the parallel *train* set: R@1 0.983 at 0.7, 0.984 at
    # 0.6, 0.980 at 0.8; 0.974 at 0.8 without translation)
    dense_share: Mapping[str, float] = field(default_factory=lambda: {"id": 0.4, "en": 0.7})
    # English questions: BM25 also reads their words' Indonesian translations (core/bilingual.py)
    translate_english: bool = True
    # A learned second stage re-orders the fused head (retrieval/rerank.py); weights from bench/tune_rerank.py.
    rerank: bool = True
    rerank_file: Path = field(default_factory=lambda: packaged("berita.retrieval", "rerank.json"))


@dataclass(frozen=True)
class AnswerConfig:
    answer_passages: int = 3
    answer_min_similarity: float = 0.80
    answer_overlap_weight: float = 0.02
    # An answer's passage must hold at least this share of the question's terms (IDF weighted; an English term
    # counts when one of its translations is there): without it the product answered 74% of Indonesian questions
    # whose answer is nowhere in the index (TyDi dev and FacQA train questions asked of the seeds) from passages
    # sharing few of their words. 0.2, the highest share that keeps 99.5% of the right answers to the same questions
    # asked of the eval corpus, leaves 5% of them answered (python -m bench.tune_reader --shares 0,0.1,0.2,0.3).
    answer_min_coverage: float = 0.2
    # Where trained (Indonesian), a learned model picks the answer among all values found (answering/spans.py).
    learned_spans: bool = True
    spans_file: Path = field(default_factory=lambda: packaged("berita.answering", "spans.json"))
    # The neural reader (answering/reader.py, trained by bench/train_reader.py) reads the best sentences of the
    # top passages for questions in both languages; where it is on, it answers instead of the span rankers.
    reader: bool = True
    reader_file: Path = field(default_factory=lambda: packaged("berita.answering", "reader.npz"))
    reader_calibration: Path = field(default_factory=lambda: packaged("berita.answering", "reader.json"))
    # It reads the best passages (one where the reranker did not order them), up to this many tokens in all; the
    # cost is about linear in the tokens. On TyDi dev / FacQA train (bench/tune_reader.py): one passage of 160
    # tokens R@1 0.646 / 0.713, answer F1 0.440 / 0.768; two of 80: 0.658 / 0.735, F1 0.440 / 0.784; three of 80:
    # 0.666 / 0.743, F1 0.447 / 0.791, about 20 ms more than two. Three: the seed question "siapa bupati Batang
    # yang menyebut kerja sama sister city?" is answered from the third passage, which the reranker ranks third.
    reader_passages: int = 3
    reader_context_tokens: int = 240
    # the answer comes from the passage with the best reranker log-probability + reader_weight * the reader's margin;
    # TyDi dev R@1 (bench/tune_reader.py --weights, this reranker and query encoder): 0.2 0.663, 0.25 0.668, 0.3 0.668,
    # 0.35 0.671, 0.4 0.666; 0.3, the middle of the plateau
    reader_weight: float = 0.3
    reader_languages: tuple[str, ...] = ("id", "en")  # question languages it answers; the others keep the rules
    # where the reader says nothing, the rules still answer questions in these languages. English: on the 62 English
    # questions over IndoSum (bench/indosum_en_questions.jsonl) the answer held the gold value for 27% with the
    # rules, 39% with the reader alone, 47% with the reader then the rules (seed questions: 85%, 69%, 85%)
    rules_after_reader: tuple[str, ...] = ("en",)
    # The answer's margin loses this much, once, where its passage lacks a name the question names (a capitalised word
    # after its first; ``Retrieval.missing_names``), for questions in these languages: a passage about another mayor
    # or another dynasty does not answer the question, however sure the reader is. TyDi QA + IDK-MRC dev (bars
    # re-chosen for each; a one-off script over the product's dev answers): answerable questions right at 70/75/80/
    # 85/90% of the unanswerable ones left unanswered, none 0.525/0.520/0.504/0.482/0.461, 2 0.530/0.511/0.506/0.489/
    # 0.468, 4 0.523/0.515/0.511/0.499/0.466, 6 0.525/0.523/0.511/0.499/0.463, 8 0.525/0.523/0.504/0.489/0.456; at the
    # bar the rule chooses, 4 leaves 0.792 unanswered against 0.779 at the same 0.511 right, and FacQA train answers
    # stay right (0.840 against 0.841; 6: 0.835). Taken off once per missing name instead, FacQA lost (0.803 at 4).
    # English questions are not checked (an English name counts where a translation is there): it cost the English
    # dev questions (bench/indosum_en_dev_questions.jsonl) answer F1 0.558 -> 0.531 and one of 13 English seed answers.
    reader_name_penalty: float = 4.0
    name_languages: tuple[str, ...] = ("id",)

    def __post_init__(self) -> None:
        if not 0.0 <= self.answer_min_coverage <= 1.0:
            raise ConfigError(f"BERITA_ANSWER_MIN_COVERAGE is a share, from 0 to 1 (got {self.answer_min_coverage})")
        if not self.reader_name_penalty >= 0:  # NaN too: it would let every answer through
            raise ConfigError(
                f"BERITA_READER_NAME_PENALTY is what a margin loses, 0 or more (got {self.reader_name_penalty}); "
                "0 switches the name check off"
            )
        if self.reader_passages < 1 or self.reader_context_tokens < 1:
            raise ConfigError(
                "BERITA_READER_PASSAGES and BERITA_READER_CONTEXT_TOKENS must be at least 1 "
                f"(got {self.reader_passages} and {self.reader_context_tokens}); BERITA_READER=off switches the reader off"
            )


@dataclass(frozen=True)
class WebConfig:
    host: str = "127.0.0.1"
    port: int = 8000


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
