"""Vectors of a passage's sentences, its text and its words that depend on the passage alone
(``LEERSTAD_SENTENCE_VECTORS=after`` and ``=ingest``), and its sentence splits.

Some encoders give a text a slightly different vector in another batch (USE's numpy backend:
up to 3e-7 per component), so by default an answer's vectors depend on what it encodes
together. Here a passage's sentences and text are encoded in a batch of their own, and each
word on its own, so their vectors are a function of the passage (the word) and are kept in the
embedding cache: computed at ingest (``=ingest``) or by ``leerstad ingest`` once the index is
usable (``=after``: ``ingest/enrich.py``), with the passage's sentence splits beside them. An
answer that finds its passages prepared neither splits nor encodes them. One that does not
computes what it lacks as ``=answer`` does (with the question, in one batch) and writes
nothing: preparing is the enrichment's work, off the answer's path.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from assistant.embedding_cache import EmbeddingCache, text_key
from assistant.text.analysis import words
from assistant.text.sentences import (
    current_splits,
    passage_sentences,
    splits_version,
    stored_splits,
)

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from numpy.typing import NDArray

    from assistant.records import Chunk
    from assistant.settings import Settings

log = logging.getLogger(__name__)

Embed = Callable[[Sequence[str]], np.ndarray]
T = TypeVar("T")
PASSAGE_CACHE = 2_500  # passages whose vectors are kept in memory (about 8 each)
WORD_CACHE = 50_000  # words whose vectors are kept in memory


def batch(chunk: Chunk) -> list[str]:
    """What is encoded together for one passage: its sentences, then its text."""
    return [*passage_sentences(chunk.text, chunk.sentences), chunk.text]


def keys(chunk: Chunk, size: int) -> list[bytes]:
    """The cache keys of a passage's batch of ``size`` texts (apart from any text's own key:
    the same text in another batch has another vector)."""
    prefix = f"passage batch {splits_version()} {size}\n"
    return [text_key(f"{prefix}{i}\n{chunk.text}") for i in range(size)]


def splits_key(text: str) -> bytes:
    """The cache key of a passage's sentence splits (``stored_splits``; they carry the
    splitter's version)."""
    return text_key(f"passage splits\n{text}")


def cached_splits(cache: EmbeddingCache, texts: list[str]) -> dict[str, str]:
    """The sentence splits of ``texts`` (by text) that ``cache`` holds, of this splitter's
    version."""
    keyed = {splits_key(t): t for t in texts}
    known = cache.get_splits(list(keyed))
    return {keyed[k]: s for k, s in known.items() if current_splits(s)}


def splits_from(cache: EmbeddingCache, texts: list[str]) -> tuple[dict[str, str], dict[bytes, str]]:
    """The sentence splits of ``texts`` (by text): from ``cache``, else split here; and the
    ones split here, by cache key, for the caller to keep."""
    found = cached_splits(cache, texts)
    split_here = {t: stored_splits(t) for t in dict.fromkeys(texts) if t not in found}
    found.update(split_here)
    return found, {splits_key(t): s for t, s in split_here.items()}


def with_found_splits(
    chunks: Sequence[Chunk], find: Callable[[list[str]], dict[str, str]]
) -> list[Chunk]:
    """The chunks with their sentence splits: as stored with them when of this splitter's
    version, else what ``find`` gives for their texts (each text asked once)."""
    lacking = list(dict.fromkeys(c.text for c in chunks if not current_splits(c.sentences)))
    found = find(lacking) if lacking else {}
    return [replace(c, sentences=found[c.text]) if c.text in found else c for c in chunks]


def word_key(word: str) -> bytes:
    """The cache key of a word encoded on its own."""
    return text_key(f"word alone\n{word}")


def passage_words(chunk: Chunk) -> list[str]:
    """The words of a passage an answer may look up (every word, stopwords too)."""
    return list(dict.fromkeys(words(chunk.text)))


def encode(model: Embeddings, batches: Sequence[Sequence[str]]) -> NDArray[np.float32]:
    """Each batch encoded on its own, the rows of all of them in order."""
    array = getattr(model, "embed_array", None)  # USE: without the Python lists
    parts = [
        np.asarray(array(list(b)) if array else model.embed_documents(list(b)), np.float32)
        for b in batches
    ]
    return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)


def normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class PassageVectors:
    """Prepared passages' and words' vectors, and passages' splits, from the embedding cache
    (and memory); whatever is not prepared from ``other``, as with ``=answer``. Never writes."""

    def __init__(self, settings: Settings, other: Embed) -> None:
        self.settings = settings
        self.other = other
        # Only what the cache had: a passage not prepared yet is looked up again next time.
        self._passages: OrderedDict[str, np.ndarray] = OrderedDict()  # by passage text
        self._words: OrderedDict[str, np.ndarray] = OrderedDict()
        self._splits: OrderedDict[str, str] = OrderedDict()  # by passage text
        self._lock = threading.Lock()  # conversations are answered in parallel threads
        self._store: EmbeddingCache | None = None
        self._store_failed = False

    def with_splits(self, chunks: Sequence[Chunk]) -> list[Chunk]:
        """The chunks with their sentence splits: as stored with them, else from the embedding
        cache; a chunk with neither keeps none (``passage_sentences`` splits it, as by
        default)."""
        return with_found_splits(chunks, self._split_texts)

    def _split_texts(self, texts: list[str]) -> dict[str, str]:
        with self._lock:
            missing = [t for t in texts if t not in self._splits]
        found: dict[str, str] = {}
        store = self._opened() if missing else None
        if store is not None:
            found = cached_splits(store, missing)
        return self._remembered(self._splits, found, texts, PASSAGE_CACHE)

    def for_passages(self, chunks: Sequence[Chunk]) -> Embed:
        """An embed function for one question: the prepared passages' sentences and texts with
        the vectors of their own batches (where passages share a sentence, the best-ranked
        one's), their words each with its own vector, any other text from ``other``."""
        ready = [c for c in dict.fromkeys(chunks) if current_splits(c.sentences)]
        rows = self._passage_rows(ready)
        local: dict[str, np.ndarray] = {}
        for chunk in reversed(chunks):  # best-ranked last: its vectors win
            if chunk.text in rows:
                local.update(zip(batch(chunk), rows[chunk.text], strict=True))
        if len(rows) < len({c.text for c in chunks}):
            _warn_unprepared()
        # The enrichment kept the words of every passage it prepared; others are not looked up.
        known = {w for c in ready if c.text in rows for w in passage_words(c)}

        def embed(texts: Sequence[str]) -> np.ndarray:
            rest = list(dict.fromkeys(t for t in texts if t not in local))
            alone = [t for t in rest if t in known]
            found = self._word_rows(alone) if alone else {}
            others = [t for t in rest if t not in found]
            if others:
                found.update(zip(others, self.other(others), strict=True))
            return np.stack([local[t] if t in local else found[t] for t in texts])

        return embed

    def _passage_rows(self, chunks: list[Chunk]) -> dict[str, np.ndarray]:
        """The rows of the passages whose whole batch is in the cache (or memory), by text."""
        with self._lock:
            missing = [c for c in chunks if c.text not in self._passages]
        found: dict[str, np.ndarray] = {}
        store = self._opened() if missing else None
        if store is not None:
            all_keys = [keys(c, len(batch(c))) for c in missing]
            vectors = store.get_many([k for ks in all_keys for k in ks])
            found = {
                c.text: normalised(np.stack([vectors[k] for k in ks]).astype(float))
                for c, ks in zip(missing, all_keys, strict=True)
                if all(k in vectors for k in ks)
            }
        return self._remembered(self._passages, found, [c.text for c in chunks], PASSAGE_CACHE)

    def _word_rows(self, texts: list[str]) -> dict[str, np.ndarray]:
        with self._lock:
            missing = [w for w in texts if w not in self._words]
        found: dict[str, np.ndarray] = {}
        store = self._opened() if missing else None
        if store is not None:
            vectors = store.get_many([word_key(w) for w in missing])
            found = {
                w: normalised(vectors[word_key(w)][None].astype(float))[0]
                for w in missing
                if word_key(w) in vectors
            }
        return self._remembered(self._words, found, texts, WORD_CACHE)

    def _remembered(
        self, memory: OrderedDict[str, T], found: dict[str, T], wanted: list[str], size: int
    ) -> dict[str, T]:
        """``wanted``'s items found now or kept from before; what was found is kept."""
        with self._lock:
            memory.update(found)
            out = {t: found[t] if t in found else memory[t] for t in wanted if t in memory}
            for text in out:
                memory.move_to_end(text)
            while len(memory) > size:
                memory.popitem(last=False)
        return out

    def _opened(self) -> EmbeddingCache | None:
        if self._store is None and not self._store_failed:
            try:
                folder = self.settings.embedding_cache_dir
                self._store = EmbeddingCache.for_settings(self.settings)
            except (OSError, sqlite3.Error) as e:
                self._store_failed = True
                log.warning(
                    "the embedding cache in %s cannot be used (%s): passages' prepared sentence "
                    "vectors are not read, and answers compute them as with "
                    "LEERSTAD_SENTENCE_VECTORS=answer; set LEERSTAD_CACHE_DIR to a readable "
                    "folder",
                    folder,
                    e,
                )
        return self._store


_warned: list[bool] = []


def _warn_unprepared() -> None:
    if not _warned:
        _warned.append(True)
        log.warning(
            "the embedding cache lacks some passages' prepared sentence vectors (they are still "
            "being prepared after an ingest, or the index was built with another cache folder): "
            "answers compute them with the question, as LEERSTAD_SENTENCE_VECTORS=answer does, "
            "until they are there; `leerstad ingest` (again, with the same paths) prepares them"
        )
