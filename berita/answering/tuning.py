"""The numbers the neural reader was tuned to, kept beside its weights in ``reader.json`` (as sentence-transformers
keeps a ``config.json`` beside each module's weights). ``training/tune_reader.py`` writes them, with ``tuned_on``
saying on what; ``docs/architecture.md`` gives the measurements that chose each."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.files import write_atomic
from ..errors import ModelError


@dataclass(frozen=True)
class Tuning:
    """:param a, b: confidence = sigmoid(a * margin + b), the share of answers with that margin that were right.
    :param min_margin: the margin under which the reader says nothing, where it read one passage.
    :param min_margin_several: the same where it chose among several passages' spans (their best runs higher).
    :param weight: the answer comes from the passage with the best reranker log-probability + ``weight`` times the
        reader's margin.
    :param passages: passages read where the reranker ordered them.
    :param unranked_passages: passages read where it did not (English questions: no reranker weights).
    :param context_tokens: tokens read in all, shared equally among those passages.
    :param max_answer_tokens: the longest span, in tokens.
    :param min_coverage: the share of the question's terms (IDF weighted) an answer's passage must hold.
    :param name_penalty: what a margin loses, once, where its passage lacks a name the question names.
    :param name_languages: question languages the name check applies to.
    :param languages: question languages the reader answers (the others keep the rules).
    :param rules_after: question languages the rules still answer where the reader says nothing.
    :param tuned_on: what each group of numbers was chosen on, and by which script."""

    a: float = 1.0
    b: float = 0.0
    min_margin: float = 0.0
    min_margin_several: float = 0.0
    weight: float = 0.3
    passages: int = 3
    unranked_passages: int = 1
    context_tokens: int = 240
    max_answer_tokens: int = 45
    min_coverage: float = 0.2
    name_penalty: float = 4.0
    name_languages: tuple[str, ...] = ("id",)
    languages: tuple[str, ...] = ("id", "en")
    rules_after: tuple[str, ...] = ("en",)
    tuned_on: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_coverage <= 1.0:
            raise ValueError(f"min_coverage is a share, from 0 to 1 (got {self.min_coverage})")
        if not self.name_penalty >= 0:  # NaN too: it would let every answer through
            raise ValueError(f"name_penalty is what a margin loses, 0 or more (got {self.name_penalty})")
        if min(self.passages, self.unranked_passages, self.context_tokens, self.max_answer_tokens) < 1:
            raise ValueError("passages, unranked_passages, context_tokens and max_answer_tokens must be at least 1")
        if not all(map(math.isfinite, (self.a, self.b, self.weight))) or math.isnan(
            self.min_margin + self.min_margin_several
        ):
            raise ValueError("a, b, the weight and the bars must be numbers (a bar may be -inf: always answer)")

    @classmethod
    def load(cls, path: Path) -> Tuning:
        try:
            raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            known = {f.name for f in dataclasses.fields(cls)}
            values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in known}
            return cls(**values)
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise ModelError(
                f"cannot load the reader's tuning from {path}: {exc}; set BERITA_READER=off to answer without it"
            ) from exc

    def save(self, path: Path) -> None:
        write_atomic(path, json.dumps(dataclasses.asdict(self), indent=2, ensure_ascii=False) + "\n")

    def replace(self, **changes: Any) -> Tuning:
        return dataclasses.replace(self, **changes)

    def read(self, reranked: bool) -> int:
        """How many of the top passages the reader reads."""
        return self.passages if reranked else self.unranked_passages

    def threshold(self, passages: int) -> float:
        """The margin an answer needs when the reader chose it among ``passages`` passages."""
        return self.min_margin_several if passages > 1 else self.min_margin

    def confidence(self, margin: float) -> float:
        return float(1 / (1 + np.exp(-(self.a * margin + self.b))))
