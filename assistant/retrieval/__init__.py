"""Retrieval: Dutch BM25 and dense search over the index, fused and reranked."""

from assistant.retrieval.hybrid import HybridRetriever
from assistant.retrieval.keyword import KeywordIndex

__all__ = ["HybridRetriever", "KeywordIndex"]
