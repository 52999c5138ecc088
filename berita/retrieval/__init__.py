"""Query -> ranked passages: dense and lexical retrieval, fusion, a learned reranker."""

from .rerank import Reranker
from .retriever import MODES, Fusing, Mode, Retrieval, Retriever

__all__ = ["MODES", "Fusing", "Mode", "Reranker", "Retrieval", "Retriever"]
