"""All tunable knobs in one place, read from the environment (``BERITA_*``) or overridden by CLI flags."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    # where things live
    index_dir: Path = Path("data/index")
    models_file: Path = ROOT / "models.txt"
    model: str = ""  # empty: the default model named in models.txt

    # indexing: passages follow paragraphs and sentences; sizes are in characters
    chunk_max_chars: int = 700
    chunk_min_chars: int = 200
    chunk_overlap_sentences: int = 1
    embed_batch_size: int = 32
    checkpoint_every: int = 512  # passages embedded between saves that let an interrupted build resume
    ann_backend: str = "faiss"
    ann_exact_max: int = 100_000  # above this many passages, an approximate (IVF) index
    ann_nprobe: int = 128  # IVF lists searched: recall@10 0.96 at 1M passages in 22 ms (bench/perf.py)

    # retrieval
    default_k: int = 10
    max_k: int = 50
    max_query_chars: int = 1000
    candidates: int = 50  # depth each retriever contributes before fusion
    fusion: str = "convex"  # or "rrf" (reciprocal rank fusion), kept as the baseline the benchmark compares
    rrf_k: int = 60
    # The dense side's share of the fused score, by query language (BM25 has the rest). Indonesian: tuned
    # on FacQA train. English questions share only names and numbers with Indonesian passages, so there
    # BM25 may break ties but must not outvote the dense side.
    dense_share: dict[str, float] = field(default_factory=lambda: {"id": 0.4, "en": 0.8})
    # A learned second stage re-orders the fused head (search/rerank.py); weights from bench/tune_rerank.py.
    rerank: bool = True
    rerank_file: Path = ROOT / "search" / "rerank.json"

    # answers
    answer_passages: int = 3
    answer_min_similarity: float = 0.80
    answer_overlap_weight: float = 0.02
    # Where trained (Indonesian), a learned model picks the answer among all values found (search/spans.py).
    learned_spans: bool = True
    spans_file: Path = ROOT / "search" / "spans.json"

    # web
    host: str = "127.0.0.1"
    port: int = 8000

    def replace(self, **changes) -> "Settings":
        """A copy with ``changes``; ``None`` values are ignored so CLI defaults can pass through."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"BERITA_{f.name.upper()}")
            if raw is None or f.name == "dense_share":
                continue
            values[f.name] = _parse(f.type, raw, f.name)
        return cls(**values).replace(**overrides)


def _parse(kind: object, raw: str, name: str) -> object:
    kind = str(kind)
    try:
        if kind == "Path":
            return Path(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            if raw.lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                raise ValueError
            return raw.lower() in ("1", "true", "yes", "on")
    except ValueError:
        raise ValueError(f"BERITA_{name.upper()}={raw!r} is not a valid {kind}") from None
    return raw
