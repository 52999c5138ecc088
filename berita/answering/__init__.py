"""Retrieval -> a direct answer: value spans chosen by rules or by a learned model, in one AnswerExtractor."""

from .extractor import AnswerExtractor, Found

__all__ = ["AnswerExtractor", "Found"]
