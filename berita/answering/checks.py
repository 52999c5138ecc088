"""The checks an answer passes before it is given, as small functions in the order they run.

A check takes a ``Candidate`` and the ``Retrieval`` it came from and returns the candidate (its score lowered where
it says so) or ``None``: no answer beats a wrong one. Readers run the span checks on every span they propose (one
that fails is passed over for the reader's next best) and their score checks on the best; the answerer runs the
answer checks on whatever a reader gives. Each docstring says what the check prevents, with one example."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from ..core.text import tokenize
from ..lang.id.offices import QUALIFIERS, qualified_title
from ..lang.id.values import could_answer
from ..retrieval import Retrieval
from .base import Candidate
from .tuning import Tuning

Check = Callable[[Candidate, Retrieval, Tuning], "Candidate | None"]


def answers_kind(candidate: Candidate, retrieval: Retrieval, tuning: Tuning) -> Candidate | None:
    """A span that cannot be of the kind asked is no answer: "kapan ...?" answered with no word of time, "berapa
    ...?" with no number ("Kapan pabrik beroperasi?" -> "Allmed" is passed over)."""
    return candidate if could_answer(candidate.kind, candidate.span or "") else None


def not_another_office(candidate: Candidate, retrieval: Retrieval, tuning: Tuning) -> Candidate | None:
    """The holder of another office does not answer for the one asked: "Siapa Gubernur Jawa Tengah?" is not
    answered by the name after "Wakil Gubernur Jawa Tengah" (the deputy), unless the question asks for the deputy."""
    return None if other_office(retrieval, candidate.before, candidate.span or "") else candidate


def names_in_passage(candidate: Candidate, retrieval: Retrieval, tuning: Tuning) -> Candidate | None:
    """A passage about another mayor or another dynasty does not answer the question, however sure the reader is:
    where the passage lacks a name the question names, the score loses ``tuning.name_penalty`` once ("Siapa Wali
    Kota Wuhan?" read in a passage on Zhijiang's mayor). It weighs on whether to answer, not on which passage."""
    if retrieval.lang not in tuning.name_languages or not missing_names(retrieval, passage_text(candidate, retrieval)):
        return candidate
    return dataclasses.replace(candidate, score=candidate.score - tuning.name_penalty)


def clears_bar(candidate: Candidate, retrieval: Retrieval, tuning: Tuning) -> Candidate | None:
    """An answer its reader is not sure enough of is no answer: a neural span whose margin over "no answer" is
    under the tuned bar, a rules value whose passage is under their similarity bar."""
    return candidate if candidate.score >= candidate.bar else None


def has_span(candidate: Candidate, retrieval: Retrieval, tuning: Tuning) -> Candidate | None:
    """An answer is a span: a sentence alone, or an empty span, looks like an answer on the page and answers nothing
    (an English question answered with ``"span": ""``)."""
    return candidate if candidate.span and candidate.span.strip() else None


def says_more_than_question(candidate: Candidate, retrieval: Retrieval, tuning: Tuning) -> Candidate | None:
    """A span that only repeats the question never answers it ("Which foreign companies ...?" -> "luar negeri",
    the dictionary's "foreign")."""
    return None if candidate.span and echoes(retrieval, candidate.span) else candidate


def passage_covers_question(candidate: Candidate, retrieval: Retrieval, tuning: Tuning) -> Candidate | None:
    """A passage that shares little with the question does not hold its answer, however sure the reader is: it must
    hold ``tuning.min_coverage`` of the question's terms, IDF weighted (a question on a company the archive never
    names, asked of five articles on Batang, got answers from them)."""
    return candidate if coverage(retrieval, passage_text(candidate, retrieval)) >= tuning.min_coverage else None


def no_surer_than_reader(candidate: Candidate, retrieval: Retrieval, tuning: Tuning) -> Candidate | None:
    """The rules answer where the reader found nothing it would give, so their answer is shown no surer than the
    reader's least sure answer: their own score, the passage's similarity (about 0.85), had read as "85% sure" for
    answers right 2 of 4 times on English questions."""
    least = tuning.confidence(tuning.threshold(tuning.read(retrieval.reranked)))
    return dataclasses.replace(candidate, confidence=min(candidate.confidence, least))


SPAN_CHECKS: tuple[Check, ...] = (answers_kind, not_another_office)
SCORE_CHECKS: tuple[Check, ...] = (names_in_passage, clears_bar)
ANSWER_CHECKS: tuple[Check, ...] = (has_span, says_more_than_question, passage_covers_question)
AFTER_READER_CHECKS: tuple[Check, ...] = (no_surer_than_reader,)  # on the rules' answer where the reader had none


def run(checks: Sequence[Check], candidate: Candidate | None, retrieval: Retrieval, tuning: Tuning) -> Candidate | None:
    """``candidate`` through ``checks`` in order; ``None`` as soon as one fails."""
    for check in checks:
        if candidate is None:
            break
        candidate = check(candidate, retrieval, tuning)
    return candidate


# ---- what the checks measure ----------------------------------------------------------------------------------------
def passage_text(candidate: Candidate, retrieval: Retrieval) -> str:
    return retrieval.passages[candidate.passage_id].text


def coverage(retrieval: Retrieval, text: str) -> float:
    """The share of the query's concepts that ``text`` holds (any of a concept's words will do), each weighted by its
    IDF (``Retrieval.concept_weights``)."""
    tokens = set(tokenize(text))
    weights = retrieval.concept_weights
    return sum(w for w, c in zip(weights, retrieval.concepts) if c & tokens) / (sum(weights) or 1.0)


def echoes(retrieval: Retrieval, text: str) -> bool:
    """``text`` only repeats the query: each of its terms is one of the query's (or a translation of one)."""
    tokens = set(tokenize(text))
    return bool(tokens) and tokens <= retrieval.asked


def missing_names(retrieval: Retrieval, text: str) -> int:
    """How many of the names the query names ``text`` does not hold; an English name counts as held where one of its
    translations is there ("Chinese": "Tiongkok")."""
    tokens = set(tokenize(text))
    return sum(not name & tokens for name in retrieval.names)


def other_office(retrieval: Retrieval, before: str, span: str = "") -> bool:
    """An answer ``span`` after ``before`` names the holder of another office than the one the query asks for:
    "Wakil Gubernur Jawa Tengah" before it, or at its start, when the query asks for the governor and not the deputy
    ("siapa Gubernur Jawa Tengah?", "Who is the governor of Central Java?")."""
    found = qualified_title(before, span)
    if found is None:
        return False
    qualifier, office = found
    return office in retrieval.asked and not QUALIFIERS[qualifier] & retrieval.asked
