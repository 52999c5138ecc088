"""Retrieval -> a direct answer: a ``Reader`` (the neural reader, or the rules) proposes it, the checks
(``checks.py``) let it through or say nothing, and ``Answerer`` puts the two together."""

from .answerer import Answerer
from .base import Candidate, Reader, Sentence
from .confidence import Calibrator
from .neural import NeuralReader
from .reader import ReaderModel
from .rules import RuleReader
from .tuning import Tuning

__all__ = [
    "Answerer",
    "Calibrator",
    "Candidate",
    "NeuralReader",
    "Reader",
    "ReaderModel",
    "RuleReader",
    "Sentence",
    "Tuning",
]
