"""Vectors of a passage's sentences, its text and its words that depend on the passage alone
(``LEERSTAD_SENTENCE_VECTORS=after`` and ``=ingest``), and its sentence splits.

Some encoders give a text a slightly different vector in another batch (USE's numpy backend:
up to 3e-7 per component), so by default an answer's vectors depend on what it encodes
together. Here a passage's sentences and text are encoded in a batch of their own, and each
word on its own, so their vectors are a function of the passage (the word) and are kept in the
embedding cache: computed at ingest (``=ingest``), by ``leerstad ingest`` once the index is
usable (``=after``: ``ingest/enrich.py``), or once by the first answer that needs them, in any
process. The passage's sentence splits are kept beside them (unless ingest stored them with the
chunk), so an answer that finds its passages there neither splits nor encodes them.
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

from assistant.embedding_cache import EmbeddingCache, cache_file, text_key
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


def splits_from(cache: EmbeddingCache, texts: list[str]) -> tuple[dict[str, str], dict[bytes, str]]:
    """The sentence splits of ``texts`` (by text): from ``cache``, else split here; and the
    ones split here, by cache key, for the caller to keep."""
    keyed = {splits_key(t): t for t in texts}
    known = cache.get_splits(list(keyed))
    found = {keyed[k]: s for k, s in known.items() if current_splits(s)}
    fresh = {k: stored_splits(t) for k, t in keyed.items() if t not in found}
    found.update((keyed[k], s) for k, s in fresh.items())
    return found, fresh


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


def is_word(text: str) -> bool:
    return words(text) == [text]


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
    """Passages' and words' vectors from the embedding cache (else computed and kept there),
    and in memory; other texts (the question) from ``other``."""

    def __init__(self, settings: Settings, other: Embed) -> None:
        self.settings = settings
        self.other = other
        self._passages: OrderedDict[str, np.ndarray] = OrderedDict()  # by passage text
        self._words: OrderedDict[str, np.ndarray] = OrderedDict()
        self._splits: OrderedDict[str, str] = OrderedDict()  # by passage text
        self._lock = threading.Lock()  # conversations are answered in parallel threads
        self._store: EmbeddingCache | None = None
        self._store_failed = False

    def with_splits(self, chunks: Sequence[Chunk]) -> list[Chunk]:
        """The chunks with their sentence splits: as stored with them, else from the embedding
        cache (else split here, and kept there)."""
        return with_found_splits(chunks, self._split_texts)

    def _split_texts(self, texts: list[str]) -> dict[str, str]:
        with self._lock:
            missing = [t for t in texts if t not in self._splits]
        found: dict[str, str] = {}
        if missing:
            store = self._opened()
            if store is None:
                found = {t: stored_splits(t) for t in missing}
            else:
                found, fresh = splits_from(store, missing)
                if fresh:
                    self._keep(store.put_splits, fresh)
        return self._remembered(self._splits, found, texts, PASSAGE_CACHE)

    def for_passages(self, chunks: Sequence[Chunk]) -> Embed:
        """An embed function for one question: the passages' sentences and texts with the
        vectors of their own batches (where passages share a sentence, the best-ranked one's),
        single words each on its own, any other text from ``other``."""
        rows = self._passage_rows(list(dict.fromkeys(chunks)))
        local: dict[str, np.ndarray] = {}
        for chunk in reversed(chunks):  # best-ranked last: its vectors win
            local.update(zip(batch(chunk), rows[chunk.text], strict=True))

        def embed(texts: Sequence[str]) -> np.ndarray:
            rest = list(dict.fromkeys(t for t in texts if t not in local))
            alone = [t for t in rest if is_word(t)]
            found = self._word_rows(alone) if alone else {}
            others = [t for t in rest if t not in found]
            if others:
                found.update(zip(others, self.other(others), strict=True))
            return np.stack([local[t] if t in local else found[t] for t in texts])

        return embed

    def _passage_rows(self, chunks: list[Chunk]) -> dict[str, np.ndarray]:
        with self._lock:
            missing = [c for c in chunks if c.text not in self._passages]
        found: dict[str, np.ndarray] = {}
        if missing:
            batches = [batch(c) for c in missing]
            all_keys = [keys(c, len(b)) for c, b in zip(missing, batches, strict=True)]
            vectors = self._cached([k for ks in all_keys for k in ks], batches, _warn_computed)
            found = {
                c.text: normalised(np.stack([vectors[k] for k in ks]).astype(float))
                for c, ks in zip(missing, all_keys, strict=True)
            }
        return self._remembered(self._passages, found, [c.text for c in chunks], PASSAGE_CACHE)

    def _word_rows(self, texts: list[str]) -> dict[str, np.ndarray]:
        with self._lock:
            missing = [w for w in texts if w not in self._words]
        found: dict[str, np.ndarray] = {}
        if missing:
            vectors = self._cached([word_key(w) for w in missing], [[w] for w in missing])
            found = {w: normalised(vectors[word_key(w)][None].astype(float))[0] for w in missing}
        return self._remembered(self._words, found, texts, WORD_CACHE)

    def _remembered(
        self, memory: OrderedDict[str, T], found: dict[str, T], wanted: list[str], size: int
    ) -> dict[str, T]:
        with self._lock:
            memory.update(found)
            out = {t: found[t] if t in found else memory[t] for t in wanted}
            for text in wanted:
                memory.move_to_end(text)
            while len(memory) > size:
                memory.popitem(last=False)
        return out

    def _cached(
        self,
        wanted: list[bytes],
        batches: list[list[str]],
        computing: Callable[[], None] = lambda: None,
    ) -> dict[bytes, np.ndarray]:
        """The vectors of ``wanted`` (the keys of ``batches``' rows, in order), from the
        embedding cache; batches with any row missing there are encoded (after ``computing()``)
        and kept."""
        from assistant.embedding_models import build_embeddings

        store = self._opened()
        known = store.get_many(wanted) if store is not None else {}
        todo, position = [], 0
        for b in batches:
            if any(k not in known for k in wanted[position : position + len(b)]):
                todo.append((position, b))
            position += len(b)
        if todo:
            computing()
            vectors = encode(build_embeddings(self.settings), [b for _, b in todo])
            rows = [k for start, b in todo for k in wanted[start : start + len(b)]]
            fresh = dict(zip(rows, vectors, strict=True))
            known.update(fresh)
            if store is not None:
                self._keep(store.put_many, fresh)
        return known

    def _opened(self) -> EmbeddingCache | None:
        if self._store is None and not self._store_failed:
            try:
                folder = self.settings.embedding_cache_dir
                self._store = EmbeddingCache(cache_file(folder, self.settings.embedding_model))
            except (OSError, sqlite3.Error) as e:
                self._unusable(e)
        return self._store

    def _keep(self, put: Callable[[dict[bytes, T]], None], items: dict[bytes, T]) -> None:
        try:
            put(items)
        except sqlite3.Error as e:
            self._unusable(e)

    def _unusable(self, error: Exception) -> None:
        self._store, self._store_failed = None, True
        log.warning(
            "the embedding cache in %s cannot be used (%s): passages' sentence splits and "
            "vectors are kept in memory only, and computed again by each process; set "
            "LEERSTAD_CACHE_DIR to a writable folder",
            self.settings.embedding_cache_dir,
            error,
        )


_warned: list[bool] = []


def _warn_computed() -> None:
    if not _warned:
        _warned.append(True)
        log.warning(
            "the embedding cache lacks passages' sentence vectors (they are still being "
            "computed after an ingest, the index was built with another cache folder, or with "
            "LEERSTAD_SENTENCE_VECTORS=answer): answers compute and keep them, slower until "
            "they are all there; `leerstad ingest` (again, with the same paths) computes them"
        )
