"""What answering passes around: the sentences it reads, a candidate answer, and the ``Reader`` protocol that the
neural reader and the rules both implement."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..core.text import sentence_spans
from ..retrieval import Retrieval


@dataclass(frozen=True)
class Sentence:
    """One sentence of a top passage, with the passage's rank (0 = best) and its cosine to the question."""

    passage_id: str
    position: int
    similarity: float
    text: str


@dataclass(frozen=True)
class Candidate:
    """An answer before it is cited: the passage it is in, the sentence it is quoted with, the span, and how sure
    its reader is. ``score`` is in the reader's own units (the neural reader's margin over "no answer", the rules'
    similarity) and ``bar`` is the score it must reach; ``before`` is the text before the span in what was read."""

    passage_id: str
    sentence: str
    span: str | None
    kind: str | None
    score: float
    bar: float = float("-inf")
    confidence: float = 0.0
    before: str = ""
    leads: bool = False  # the reader chose its passage among several: show that passage first
    signals: dict[str, float] = field(default_factory=dict)  # what its reader saw, for the confidence (confidence.py)
    level: str | None = None  # "sure" or "possible" once the confidence is calibrated


class Reader(Protocol):
    """Finds the answer to ``retrieval.query`` in its top passages, or ``None``."""

    def read(self, retrieval: Retrieval, kind: str | None) -> Candidate | None: ...


def sentences(retrieval: Retrieval, passages: int) -> list[Sentence]:
    """The sentences of the top ``passages`` passages, each once (overlapping passages share sentences), in order."""
    out, seen = [], set()
    for position, hit in enumerate(retrieval.hits[:passages]):
        passage = retrieval.passages[hit.passage_id]
        for a, b in sentence_spans(passage.text):
            where = (passage.doc_id, passage.start + a)
            if where not in seen:
                seen.add(where)
                out.append(Sentence(passage.passage_id, position, float(hit.similarity or 0.0), passage.text[a:b]))
    return out
