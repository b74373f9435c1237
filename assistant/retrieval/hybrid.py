"""Hybrid retrieval: dense (Chroma) and Dutch BM25, fused by reciprocal rank, deduplicated."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.records import Chunk, Passage
from assistant.settings import Settings
from assistant.text.concepts import concepts
from assistant.text.vocabulary import Vocabulary

if TYPE_CHECKING:
    pass


def chunk_from(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        doc_id=str(meta["doc_id"]),
        text=text,
        title=str(meta.get("title", meta["doc_id"])),
        section=meta.get("section"),
        source=str(meta.get("source", "")),
        url=meta.get("url"),
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        content_hash=str(meta.get("content_hash", "")),
        doc_hash=str(meta.get("doc_hash", "")),
        kind=str(meta.get("kind", "text")),
    )


def fuse(rankings: list[list[str]], k: int) -> dict[str, float]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings an id appears in."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (k + rank)
    return scores


# A follow-up is most likely about the document the conversation was about; less than what
# one more concept of the question adds, so a question on something else still moves on.
TOPIC_BONUS = 0.2


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over the Leerstad index (dense + BM25 with domain expansion)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any  # langchain_chroma.Chroma
    keyword: Any  # assistant.retrieval.keyword.KeywordIndex
    vocabulary: Vocabulary
    settings: Settings

    def search(
        self, query: str, topic: frozenset[str] = frozenset()
    ) -> tuple[list[Passage], dict[str, float]]:
        """Best passages for ``query`` (best first) and the time each stage took, in ms.

        ``topic``: documents the conversation is about; their passages rank a little higher.
        """
        timings: dict[str, float] = {}
        expanded = " ".join([query, *self.vocabulary.expansions(query)])

        t = time.perf_counter()
        vector = self.store.embeddings.embed_query(query)
        dense = self.store.similarity_search_by_vector_with_relevance_scores(
            vector, k=min(self.settings.dense_k, max(self.keyword.size, 1))
        )
        timings["dense_ms"] = (time.perf_counter() - t) * 1000

        # The question's own words rank on their own, and again with the domain synonyms, so
        # the synonyms widen recall without outvoting what was actually asked.
        t = time.perf_counter()
        own_hits = self.keyword.search(
            self.vocabulary.content_tokens(query), self.settings.keyword_k
        )
        expanded_hits = self.keyword.search(
            self.vocabulary.content_tokens(expanded), self.settings.keyword_k
        )
        keyword_hits = own_hits + expanded_hits
        timings["keyword_ms"] = (time.perf_counter() - t) * 1000

        by_id: dict[str, Chunk] = {}
        dense_scores: dict[str, float] = {}
        for doc, score in dense:
            chunk_id = str(doc.id or doc.metadata.get("chunk_id"))
            by_id[chunk_id] = chunk_from(chunk_id, doc.page_content, doc.metadata)
            dense_scores[chunk_id] = float(score)
        keyword_scores: dict[str, float] = {}
        for chunk_id, score in keyword_hits:
            keyword_scores[chunk_id] = max(score, keyword_scores.get(chunk_id, 0.0))
        missing = [i for i in keyword_scores if i not in by_id]
        if missing:
            got = self.store.get(ids=missing, include=["documents", "metadatas"])
            for chunk_id, text, meta in zip(
                got["ids"], got["documents"], got["metadatas"], strict=True
            ):
                by_id[chunk_id] = chunk_from(chunk_id, text, meta)

        fused = fuse(
            [
                [doc.id or "" for doc, _ in dense],
                [i for i, _ in own_hits],
                [i for i, _ in expanded_hits],
            ],
            self.settings.rrf_k,
        )
        t = time.perf_counter()
        question = concepts(query, self.vocabulary, self.keyword.doc_freq, self.keyword.size)
        best_fused = max(fused.values(), default=1.0)
        best_keyword = max(keyword_scores.values(), default=0.0) or 1.0
        passages: list[Passage] = []
        seen_text: set[str] = set()
        for chunk_id, rrf in sorted(fused.items(), key=lambda kv: -kv[1])[: self.settings.rerank_k]:
            chunk = by_id.get(chunk_id)
            if chunk is None or chunk.content_hash in seen_text:
                continue  # the same text indexed twice (e.g. a copied document) is shown once
            seen_text.add(chunk.content_hash)
            # Rerank: fused rank agreement plus how much of the question the passage covers.
            context = f"{chunk.title} {chunk.section or ''} {chunk.text}"
            covered, _ = question.coverage(context)
            keyword = keyword_scores.get(chunk_id, 0.0) / best_keyword
            score = covered + 0.1 * question.exact(context) + 0.3 * rrf / best_fused + 0.3 * keyword
            score += TOPIC_BONUS * (chunk.doc_id in topic)
            passages.append(
                Passage(chunk, score, dense_scores.get(chunk_id), keyword_scores.get(chunk_id))
            )
        passages.sort(key=lambda p: -p.score)
        timings["rerank_ms"] = (time.perf_counter() - t) * 1000
        return passages[: self.settings.top_k], timings

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        passages, _ = self.search(query)
        return [
            Document(
                id=p.chunk.chunk_id,
                page_content=p.chunk.text,
                metadata={**p.chunk.metadata(), "score": p.score},
            )
            for p in passages
        ]
