"""Dutch keyword search (BM25 with Snowball stemming and stopwords), derived from the collection."""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.settings import Settings
from assistant.text.analysis import (
    ANALYZER_VERSION,
    tokenize,
)

if TYPE_CHECKING:
    import bm25s
    import chromadb

log = logging.getLogger(__name__)

_PAGE = 10_000  # chunks read from the collection per request while building


def _bm25s() -> ModuleType:
    import bm25s

    # bm25s sets its own logger to DEBUG on import; let it follow the application's level.
    logging.getLogger("bm25s").setLevel(logging.NOTSET)
    return bm25s


def _scores(matrix: dict[str, Any], token_ids: list[int]) -> np.ndarray:
    """BM25 score of every chunk: bm25s's precomputed per-token scores, summed in query order
    (a repeated token counts again), in float32 as bm25s sums them."""
    data, indices, indptr = matrix["data"], matrix["indices"], matrix["indptr"]
    total = np.zeros(matrix["num_docs"], dtype=data.dtype)
    for token in token_ids:
        start, end = indptr[token], indptr[token + 1]
        total[indices[start:end]] += data[start:end]  # a chunk occurs once per token
    return total


def _best(total: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and scores of the ``k`` best scoring chunks, best first, ties in row order."""
    rows = np.flatnonzero(total)  # the chunks that hold a query token: BM25 weights are > 0
    scores = total[rows]
    if len(rows) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth  # all chunks tied with the k-th, so the tie break below decides
        rows, scores = rows[keep], scores[keep]
    order = np.argsort(-scores, kind="stable")[:k]
    return rows[order], scores[order]


@dataclass
class KeywordIndex:
    """BM25 over every chunk in the collection, tagged with the revision it was built from."""

    retriever: bm25s.BM25 | None
    ids: list[str]
    revision: int
    doc_freq: dict[str, int]
    collection_id: str = ""
    build_seconds: float = 0.0

    @classmethod
    def for_collection(
        cls,
        collection: chromadb.Collection,
        settings: Settings,
        revision: int,
        tokens: Mapping[str, list[str]] | None = None,
    ) -> KeywordIndex:
        """The index for this revision: from memory, from disk, or built and saved.

        One saved for another collection of the same name, or holding another number of chunks
        than the collection (a writer was killed before it moved the revision on), is stale and
        rebuilt. ``tokens``: ``chunk_tokens`` of chunks by id, made as ingest wrote them, so
        a build analyses (and, when they are all the collection holds, reads) only the others.
        """
        key = (str(settings.data_dir.resolve()), settings.chroma, collection.name, revision)
        count = collection.count()
        cached = _MEMORY.get(key)
        if cached is not None and cached._matches(collection, count):
            return cached
        folder = cls.folder(settings, collection.name, revision)
        index = cls._load(folder, revision) if folder.is_dir() else None
        if index is None or not index._matches(collection, count):
            index = cls._build(collection, revision, tokens or {})
            index._save(folder)
            for old in settings.keyword_dir.glob(f"{collection.name}-rev*"):
                if old != folder:
                    shutil.rmtree(old, ignore_errors=True)
        _MEMORY.clear()
        _MEMORY[key] = index
        return index

    @staticmethod
    def folder(settings: Settings, collection: str, revision: int) -> Path:
        """Where the index of one revision of a collection is saved."""
        return settings.keyword_dir / f"{collection}-rev{revision}-a{ANALYZER_VERSION}"

    def _matches(self, collection: chromadb.Collection, count: int) -> bool:
        return self.collection_id in ("", str(collection.id)) and self.size == count

    @classmethod
    def _build(
        cls, collection: chromadb.Collection, revision: int, known: Mapping[str, list[str]]
    ) -> KeywordIndex:
        bm25s = _bm25s()

        started = time.perf_counter()
        ids: list[str] = []
        corpus: list[list[str]] = []
        count = collection.count()
        if known and len(known) == count:  # every chunk was written by this ingest
            ids, corpus = list(known), list(known.values())
            count = 0
        for offset in range(0, count, _PAGE):
            data = collection.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            ids += data["ids"]
            corpus += [
                known[i] if i in known else chunk_tokens(text, m)
                for i, text, m in zip(
                    data["ids"], data["documents"] or [], data["metadatas"] or [], strict=True
                )
            ]
        doc_freq: dict[str, int] = {}
        for tokens in corpus:
            for token in set(tokens):
                doc_freq[token] = doc_freq.get(token, 0) + 1
        retriever = None
        if ids:
            retriever = bm25s.BM25()
            retriever.index(corpus, show_progress=False)
        seconds = time.perf_counter() - started
        log.info("keyword index of %d chunks built in %.1f s", len(ids), seconds)
        return cls(retriever, ids, revision, doc_freq, str(collection.id), seconds)

    def _save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.retriever is not None:
            self.retriever.save(str(folder), show_progress=False)
        meta = {
            "ids": self.ids,
            "revision": self.revision,
            "doc_freq": self.doc_freq,
            "collection_id": self.collection_id,
        }
        (folder / "leerstad.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def _load(cls, folder: Path, revision: int) -> KeywordIndex | None:
        bm25s = _bm25s()

        try:
            meta = json.loads((folder / "leerstad.json").read_text(encoding="utf-8"))
            retriever = bm25s.BM25.load(str(folder)) if meta["ids"] else None
        except (OSError, ValueError, KeyError) as e:
            log.warning("keyword index in %s unreadable, rebuilding: %s", folder, e)
            return None
        if meta["revision"] != revision:
            return None
        return cls(
            retriever, meta["ids"], revision, meta["doc_freq"], meta.get("collection_id", "")
        )

    def search(self, tokens: list[str], k: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) for the best ``k`` chunks with a positive score.

        Equal scores rank in index order. Only the chunks that hold a query token are ranked:
        bm25s ranks every chunk (an argpartition over the whole collection per query, 2 ms at
        100k chunks), and breaks ties in whatever order its partition leaves them.
        """
        if self.retriever is None or not tokens:
            return []
        vocab = self.retriever.vocab_dict
        token_ids = [vocab[t] for t in tokens if t in self.doc_freq]
        if not token_ids:
            return []
        rows, scores = _best(_scores(self.retriever.scores, token_ids), k)
        return [(self.ids[int(i)], float(s)) for i, s in zip(rows, scores, strict=True) if s > 0]

    @property
    def size(self) -> int:
        return len(self.ids)


_MEMORY: dict[tuple[Any, ...], KeywordIndex] = {}


def chunk_tokens(text: str, metadata: Mapping[str, Any]) -> list[str]:
    """What the keyword index holds of one chunk: its title, section and text, analysed."""
    return tokenize(f"{metadata.get('title', '')} {metadata.get('section') or ''} {text}")
