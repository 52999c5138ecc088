"""One place that turns a ``Retrieval`` into a direct answer: a ``Reader`` (the neural reader, or the rules where it
is off or says nothing for a language it leaves to them), then the answer checks."""

from __future__ import annotations

from ..lang.id.kinds import is_question, question_kind
from ..retrieval import Retrieval
from . import checks
from .base import Candidate
from .confidence import Calibrator
from .neural import NeuralReader
from .rules import RuleReader
from .tuning import Tuning


class Answerer:
    """:param rules: the rules, which answer where the neural reader is off or leaves a language to them.
    :param neural: the neural reader, where loaded.
    :param tuning: the numbers the answer checks read (``reader.json``); the neural reader's where not given.
    :param calibrator: turns what the readers saw into the probability that the answer is right, and its level."""

    def __init__(
        self,
        rules: RuleReader,
        neural: NeuralReader | None = None,
        tuning: Tuning | None = None,
        calibrator: Calibrator | None = None,
    ):
        self.rules = rules
        self.neural = neural
        self.tuning = tuning or (neural.tuning if neural else Tuning())
        self.calibrator = calibrator

    @property
    def passages(self) -> int:
        """How many of the top passages answering may read (retrieval fetches at least these)."""
        return max(self.rules.passages, self.neural.passages if self.neural else 0)

    def answer(self, retrieval: Retrieval, use_reader: bool = True, calibrate: bool = True) -> Candidate | None:
        """The answer to ``retrieval.query`` in its top passages; ``None`` when none fits well enough.
        ``use_reader``: the neural reader answers where it is loaded and handles the language, else the rules.
        ``calibrate``: its confidence is the calibrated probability of being right, with a level, and none under the
        possible bar (off, the readers' own scores: what the calibration is fitted on)."""
        found = self.read(retrieval, use_reader)
        return self.judge(found, retrieval) if calibrate else found

    def judge(self, found: Candidate | None, retrieval: Retrieval) -> Candidate | None:
        """``found`` with its calibrated confidence and level; ``None`` under the possible bar."""
        return self.calibrator.judge(found, retrieval) if self.calibrator else found

    def read(self, retrieval: Retrieval, use_reader: bool = True) -> Candidate | None:
        """The readers' answer through the checks, before calibration: it decides which passage leads the results
        (``engine.led_by``), whether or not it is shown."""
        query, lang = retrieval.query, retrieval.lang
        if not retrieval.hits or not is_question(query, lang):
            return None
        kind = question_kind(query, lang)
        neural = self.neural if use_reader and self.neural and lang in self.neural.tuning.languages else None
        if neural:
            found = checks.run(checks.ANSWER_CHECKS, neural.read(retrieval, kind), retrieval, neural.tuning)
            if found or lang not in neural.tuning.rules_after:
                return found
        after = checks.AFTER_READER_CHECKS if neural else ()
        tuning = neural.tuning if neural else self.tuning
        return checks.run((*after, *checks.ANSWER_CHECKS), self.rules.read(retrieval, kind), retrieval, tuning)
