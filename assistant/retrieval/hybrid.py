"""Hybrid retrieval: dense (Chroma) and Dutch BM25, fused by reciprocal rank, deduplicated."""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from assistant.records import Chunk, Passage
from assistant.settings import Settings
from assistant.text.concepts import concepts
from assistant.text.vocabulary import Vocabulary


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
        sentences=meta.get("sentences"),
    )


def chunks_from(got: Any) -> list[Chunk]:
    """The chunks of a Chroma ``get`` that included documents and metadatas, in its order."""
    return [
        chunk_from(chunk_id, text, meta)
        for chunk_id, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
    ]


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

# How many of the best documents are read for a pointer the passages lack (see with_pointers).
POINTER_DOCUMENTS = 2

# Chunks a retriever keeps in memory (a few MB): one answer searches a question more than once
# (parts, the previous question of a follow-up), and questions keep coming back to the same
# documents. A retriever serves one revision of the index, so they cannot go stale.
CHUNK_CACHE = 4096


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over the Leerstad index (dense + BM25 with domain expansion)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any  # langchain_chroma.Chroma
    collection: Any  # the chromadb.Collection behind it (assistant.store.Index.collection)
    keyword: Any  # assistant.retrieval.keyword.KeywordIndex
    vocabulary: Vocabulary
    settings: Settings
    _cache: OrderedDict[str, Chunk] = PrivateAttr(default_factory=OrderedDict)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def search(
        self, query: str, topic: frozenset[str] = frozenset()
    ) -> tuple[list[Passage], dict[str, float]]:
        """Best passages for ``query`` (best first) and the time each stage took, in ms.

        ``topic``: documents the conversation is about; their passages rank a little higher.
        """
        timings: dict[str, float] = {}
        t = time.perf_counter()
        vector = self.store.embeddings.embed_query(query)
        timings["embed_ms"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        dense = self._dense(vector)
        timings["dense_ms"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        own_hits, expanded_hits = self._keyword(query)
        timings["keyword_ms"] = (time.perf_counter() - t) * 1000

        rankings = [list(dense), [i for i, _ in own_hits], [i for i, _ in expanded_hits]]
        fused = fuse(rankings, self.settings.rrf_k)
        best = sorted(fused.items(), key=lambda kv: -kv[1])[: self.settings.rerank_k]
        keyword_scores: dict[str, float] = {}
        for chunk_id, score in own_hits + expanded_hits:
            keyword_scores[chunk_id] = max(score, keyword_scores.get(chunk_id, 0.0))

        t = time.perf_counter()
        chunks = self._chunks([chunk_id for chunk_id, _ in best])
        timings["fetch_ms"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        passages = self._rerank(query, best, chunks, dense, keyword_scores, topic)
        timings["rerank_ms"] = (time.perf_counter() - t) * 1000
        return passages[: self.settings.top_k], timings

    def search_joined(
        self,
        query: str,
        own: str,
        topic: frozenset[str],
        scope: frozenset[str] | None = None,
    ) -> tuple[list[Passage], dict[str, float]]:
        """Best passages for a question read with what came before it: ``query`` is the earlier
        questions of the conversation, or the message's other sentences, then the question
        itself (``own``). ``topic``: documents the conversation is about.

        When the question names something the words before it did not ("En wie heeft er een
        stappenplan voor gemaakt?" after two questions about kindcentra), their words outnumber
        its own in the joined search. So it is also searched alone, and its passages are fused
        with the joined search's by reciprocal rank: all of them, or for a follow-up only those
        of the conversation's documents (``scope``), since the follow-up is about those.
        """
        passages, timings = self.search(query, topic)
        before = query.removesuffix(own)
        new = set(self.vocabulary.content_tokens(own)) - set(self.vocabulary.content_tokens(before))
        if not new or scope == frozenset():
            return passages, timings
        alone, _ = self.search(own, topic)
        if scope is not None:
            alone = [p for p in alone if p.chunk.doc_id in scope]
        rankings = [passages, alone]
        fused = fuse([[p.chunk.chunk_id for p in r] for r in rankings], self.settings.rrf_k)
        by_id = {p.chunk.chunk_id: p for r in reversed(rankings) for p in r}
        best = sorted(fused, key=lambda chunk_id: -fused[chunk_id])[: self.settings.top_k]
        return [by_id[chunk_id] for chunk_id in best], timings

    def with_pointers(self, passages: list[Passage], pattern: re.Pattern[str]) -> list[Passage]:
        """The passages, and when none of them has what the question asks for where to go (a
        web address, an e-mail address: ``pattern``), the passages of the best documents that
        do, each right after its document's best passage. A document names its pointer once,
        in words of its own ("Meer informatie: www..."), which the question seldom shares."""
        if not passages or any(pattern.search(p.chunk.text) for p in passages):
            return passages
        documents = list(dict.fromkeys(p.chunk.doc_id for p in passages))[:POINTER_DOCUMENTS]
        got = self.collection.get(
            where={"doc_id": {"$in": documents}}, include=["documents", "metadatas"]
        )
        found = [c for c in chunks_from(got) if pattern.search(c.text)]
        have = {p.chunk.content_hash for p in passages}
        pointers: dict[str, Chunk] = {}
        for chunk in sorted(found, key=lambda c: c.start):  # a document's first pointer
            if chunk.content_hash not in have:
                pointers.setdefault(chunk.doc_id, chunk)
        out: list[Passage] = []
        for passage in passages:
            out.append(passage)
            pointer = pointers.pop(passage.chunk.doc_id, None)
            if pointer is not None:
                out.append(Passage(pointer, passage.score, None, None))
        return out

    def _dense(self, vector: list[float]) -> dict[str, float]:
        """Chunk id -> cosine similarity of the nearest chunks, nearest first (what LangChain's
        Chroma calls the relevance score of a cosine collection: 1 - distance).

        Ids and distances only: the texts are fetched for the fused best alone (``_chunks``).
        """
        found = self.collection.query(
            query_embeddings=[vector],
            n_results=min(self.settings.dense_k, max(self.keyword.size, 1)),
            include=["distances"],
        )
        distances = found["distances"][0]
        return {i: 1.0 - float(d) for i, d in zip(found["ids"][0], distances, strict=True)}

    def _keyword(self, query: str) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """BM25 hits of the question's own words, and of its words with the domain synonyms.

        The own words rank on their own and again with the synonyms, so the synonyms widen
        recall without outvoting what was actually asked.
        """
        own = self.vocabulary.content_tokens(query)
        expanded = self.vocabulary.content_tokens(
            " ".join([query, *self.vocabulary.expansions(query)])
        )
        own_hits = self.keyword.search(own, self.settings.keyword_k)
        if expanded == own:  # no synonyms: the same search
            return own_hits, own_hits
        return own_hits, self.keyword.search(expanded, self.settings.keyword_k)

    def _chunks(self, chunk_ids: list[str]) -> dict[str, Chunk]:
        """The chunks with these ids: from memory, the others read in one request."""
        with self._lock:
            found = {i: self._cache[i] for i in chunk_ids if i in self._cache}
            for chunk_id in found:
                self._cache.move_to_end(chunk_id)
        missing = [i for i in chunk_ids if i not in found]
        if not missing:
            return found
        got = self.collection.get(ids=missing, include=["documents", "metadatas"])
        read = {c.chunk_id: c for c in chunks_from(got)}
        with self._lock:
            self._cache.update(read)
            while len(self._cache) > CHUNK_CACHE:
                self._cache.popitem(last=False)
        return found | read

    def _rerank(
        self,
        query: str,
        best: list[tuple[str, float]],
        chunks: dict[str, Chunk],
        dense: dict[str, float],
        keyword_scores: dict[str, float],
        topic: frozenset[str],
    ) -> list[Passage]:
        """The fused best, each text once, ordered by how much of the question they cover."""
        question = concepts(query, self.vocabulary, self.keyword.doc_freq, self.keyword.size)
        best_fused = max((rrf for _, rrf in best), default=1.0)
        best_keyword = max(keyword_scores.values(), default=0.0) or 1.0
        passages: list[Passage] = []
        seen_text: set[str] = set()
        for chunk_id, rrf in best:
            chunk = chunks.get(chunk_id)
            if chunk is None or chunk.content_hash in seen_text:
                continue  # the same text indexed twice (e.g. a copied document) is shown once
            seen_text.add(chunk.content_hash)
            # Fused rank agreement plus how much of the question the passage covers.
            context = f"{chunk.title} {chunk.section or ''} {chunk.text}"
            covered, _ = question.coverage(context)
            keyword = keyword_scores.get(chunk_id, 0.0) / best_keyword
            score = covered + 0.1 * question.exact(context) + 0.3 * rrf / best_fused + 0.3 * keyword
            score += TOPIC_BONUS * (chunk.doc_id in topic)
            keyword_score = keyword_scores.get(chunk_id)
            passages.append(Passage(chunk, score, dense.get(chunk_id), keyword_score))
        passages.sort(key=lambda p: -p.score)
        return passages

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
