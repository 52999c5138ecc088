"""The rule-based answer: the first value of the asked kind in the sentence whose passage is most similar to
the question, nudged towards sentences that share its words; nothing below a similarity threshold."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..core.config import AnswerConfig
from ..core.text import tokenize
from ..core.values import Span, find_span
from .spans import Sentence


def rule_answer(
    query: str,
    kind: str | None,
    sentences: Sequence[Sentence],
    config: AnswerConfig,
    ruled_out: Callable[[str, str], bool] = lambda before, span: False,
) -> tuple[Sentence, Span | None, float] | None:
    """(sentence, span, score) of the best answer among ``sentences``, or ``None``. A value ``ruled_out`` with its
    sentence's text before it is none (the deputy's name for the governor: ``Retrieval.other_office``)."""
    candidates = []
    for sentence in sentences:
        span = find_span(kind, sentence.text, query) if kind else None
        if span and ruled_out(sentence.text[: span.start], span.text):
            span = None
        if span or not kind:  # a typed question needs a value of its type
            candidates.append((sentence, span))
    if not candidates:
        return None
    # No model call per sentence: the passage's similarity to the question, nudged towards sentences that
    # share its words. On the seed questions this matched embedding every sentence, at 1/300 of the time.
    terms = set(tokenize(query))
    overlap = np.array([len(terms & set(tokenize(s.text))) / max(len(terms), 1) for s, _ in candidates])
    score = np.array([s.similarity for s, _ in candidates]) + config.answer_overlap_weight * overlap
    best = int(np.argmax(score))
    if score[best] < config.answer_min_similarity:
        return None
    sentence, span = candidates[best]
    return sentence, span, float(score[best])
