"""Asking the product questions and judging what it gives back, as bench/quality.py does and the tuning scripts
in training/ do on their dev and train questions: the passages in the order shown, the gold passage's rank, the
product's answers."""

from __future__ import annotations

from bench.datasets import Question, is_gold
from bench.metrics import is_right
from berita import Passage, SearchEngine
from berita.answering import Candidate
from berita.engine import led_by
from berita.retrieval import Retrieval


def ranked_passages(retrieval: Retrieval, answer: Candidate | None = None) -> list[Passage]:
    """The passages in the order the product shows them: an answer the reader chose from a lower passage brings
    that passage first (``engine.led_by``)."""
    return [retrieval.passages[h.passage_id] for h in led_by(retrieval.hits, answer)]


def gold_rank(passages: list[Passage], q: Question) -> int | None:
    return next((rank for rank, p in enumerate(passages, 1) if is_gold(p, q)), None)


def top_holds_answer(passages: list[Passage], q: Question) -> bool:
    """The first passage contains a gold answer, whichever passage it is (FacQA has several on one story)."""
    return bool(passages) and any(a.lower() in passages[0].text.lower() for a in q.answers)


def answers_to(engine: SearchEngine, questions: list[Question], calibrate: bool = True) -> list[Candidate | None]:
    """The product's answer to each question (None where it says nothing); ``calibrate`` off: the readers' own."""
    out = []
    for q in questions:
        retrieval, options = engine.retrieve(q.text, lang=q.lang, k=10, with_answer=True, calibrate=calibrate)
        out.append(engine.answer(retrieval, options))
    return out


def right_answer(found: Candidate | None, answers: list[str]) -> bool:
    """The product gave an answer and it is right (token F1 >= 0.5 with a gold answer; none is right without one)."""
    return bool(found and found.span and is_right(found.span, answers))
