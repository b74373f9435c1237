"""After an ingest, once the index is usable: every chunk's sentence splits and its sentences',
text's and words' vectors, computed into the embedding cache for the answers
(``LEERSTAD_SENTENCE_VECTORS=after``; ``assistant/passage_vectors.py``).

Answers do not wait for it: a passage it has not reached yet is computed by the answer that
needs it with the question, as ``LEERSTAD_SENTENCE_VECTORS=answer`` does (the same answer but
for the confidence's 7th digit), and not kept. It writes only to the embedding cache (never to
the index, so it takes no write lock), and what it computed stays there: interrupted, it
resumes where it stopped the next time it runs (``leerstad ingest`` runs it after every
ingest, the web app in a background process at its start and after its own ingests:
``enrich_in_background``, ``leerstad eval`` before it asks: ``enrich_if_asked``).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant import passage_vectors
from assistant.embedding_cache import EmbeddingCache
from assistant.records import Chunk
from assistant.settings import Settings
from assistant.text.sentences import splits_version
from ingest.encoder import Encoded, encoding, result
from ingest.guard import store_errors
from ingest.passages import encode_sentences

if TYPE_CHECKING:
    from concurrent.futures import Future
    from multiprocessing.process import BaseProcess

    from assistant.store import Index

log = logging.getLogger(__name__)

# Chunks read, split and handed to the encoder per step: each becomes a batch of its own in
# the encoder (its sentences and text), about eight texts, plus its new words one by one.
BATCH = 256
# Steps handed to the encoder and not yet kept: one it works on, one that waits for it.
AHEAD = 1


@dataclass
class EnrichSummary:
    """What one run computed."""

    chunks: int = 0  # chunks in the index
    split: int = 0  # chunks split in this run (the others' splits were kept already)
    vectors: int = 0  # vectors the model computed in this run
    seconds: float = 0.0
    encode_seconds: float = 0.0  # the model's own time (in its worker, for a large run)
    already: bool = False  # the cache's mark said this revision was prepared: nothing read

    def line(self) -> str:
        if self.already:
            return f"De zinnen van alle {self.chunks} stukken waren al voorbereid."
        return (
            f"Zinnen voorbereid voor {self.chunks} stukken in {self.seconds:.1f} s "
            f"({self.split} gesplitst, {self.vectors} vectoren berekend)."
        )


@dataclass
class _Step:
    keys: list[bytes]
    future: Future[Encoded] | None
    size: int


def enrich_in_background(settings: Settings) -> BaseProcess | None:
    """With ``LEERSTAD_SENTENCE_VECTORS=after``: ``enrich`` in a process of its own, for an
    ingest that is not ``leerstad ingest`` (the web app's start and its uploads), so the index
    is in use meanwhile. Not a thread: an embedded Chroma client is shared by the whole process,
    and the app resets it when the index changes (``Index.fresh``), which broke a preparation
    reading it at that moment and left the app unable to list its documents. The process says
    when it starts and ends, and why it stopped if it did (it ends with the app). None when the
    setting asks for no preparation after the ingest."""
    if settings.sentence_vectors != "after":
        return None
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    process = context.Process(target=_prepare, args=(settings,), name="leerstad-enrich")
    process.daemon = True
    process.start()
    return process


def _prepare(settings: Settings) -> None:
    """The background preparation's process (see ``enrich_in_background``)."""
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    try:
        log.info("Zinnen van de stukken worden op de achtergrond voorbereid ...")
        # Its own process already: the model is loaded here, not in a worker of its own.
        log.info(enrich(settings, progress=False, worker=False).line())
    except Exception:  # say it: answers go on, computing what is missing themselves
        log.exception(
            "Voorbereiden van de zinnen mislukt; antwoorden berekenen wat ontbreekt zelf "
            "(niet sneller dan zonder voorbereiding). Voer 'leerstad ingest' opnieuw uit "
            "om het af te maken."
        )


def enrich_if_asked(settings: Settings, progress: bool = True) -> EnrichSummary | None:
    """``enrich`` right away (not in the background) when the settings ask for the passages to
    be prepared after the ingest (``after``); None otherwise. For an index whose answers are
    measured right after it is built (``leerstad eval``)."""
    return enrich(settings, progress) if settings.sentence_vectors == "after" else None


def enrich(settings: Settings, progress: bool = True, worker: bool = True) -> EnrichSummary:
    """Compute what the embedding cache lacks of every indexed chunk's splits and vectors.
    ``worker``: a large run encodes in a worker process (not when this is one already)."""
    from tqdm import tqdm

    from assistant.retrieval.hybrid import chunks_from
    from assistant.store import open_index

    started = time.perf_counter()
    summary = EnrichSummary()
    cache = EmbeddingCache.for_settings(settings)
    words_sent: set[str] = set()
    waiting: deque[_Step] = deque()
    with store_errors(settings), encoding(settings) as encoder:
        index = open_index(settings)
        collection = index.collection
        if _marked(cache, index):  # every passage of this revision is in the cache already
            summary.chunks, summary.already = collection.count(), True
            summary.seconds = time.perf_counter() - started
            return summary
        ids = sorted(collection.get(include=[])["ids"])
        summary.chunks = len(ids)
        # A worker process for a large run, started at its first batch: a run that finds
        # everything in the cache never loads the model.
        encoder.estimated_chunks = len(ids) if worker else 0
        with tqdm(total=len(ids), desc="zinnen", unit="stuk", disable=not progress) as bar:
            for start in range(0, len(ids), BATCH):
                got = collection.get(
                    ids=ids[start : start + BATCH], include=["documents", "metadatas"]
                )
                chunks = _with_splits(chunks_from(got), cache, summary)
                keys, future = encode_sentences(chunks, cache, encoder, words_sent)
                waiting.append(_Step(keys, future, len(chunks)))
                while waiting and (len(waiting) > AHEAD or _ready(waiting[0])):
                    bar.update(_keep(waiting.popleft(), cache, summary))
            encoder.finish()
            while waiting:
                bar.update(_keep(waiting.popleft(), cache, summary))
    cache.put_mark(PREPARED, prepared_mark(index))
    summary.seconds = time.perf_counter() - started
    return summary


# The embedding cache's mark of the index revision whose every passage it holds prepared: a
# start of the web app, or a `leerstad ingest` that changed nothing, then reads no passage.
PREPARED = "prepared"


def prepared_mark(index: Index) -> str:
    """What a complete preparation of ``index`` is marked with: the collection, its revision
    and the sentence splitter's version (the cache file is the embedding model's own)."""
    return f"{index.collection.id} {index.revision} {splits_version()}"


def is_prepared(settings: Settings) -> bool:
    """Whether the embedding cache holds every passage of the served index prepared."""
    from assistant.store import open_index

    return _marked(EmbeddingCache.for_settings(settings), open_index(settings))


def _marked(cache: EmbeddingCache, index: Index) -> bool:
    return cache.get_mark(PREPARED) == prepared_mark(index)


def _with_splits(chunks: list[Chunk], cache: EmbeddingCache, summary: EnrichSummary) -> list[Chunk]:
    """The chunks with their splits: stored with them, in the cache, or split now (and kept)."""

    def find(texts: list[str]) -> dict[str, str]:
        found, fresh = passage_vectors.splits_from(cache, texts)
        if fresh:
            cache.put_splits(fresh)
            summary.split += len(fresh)
        return found

    return passage_vectors.with_found_splits(chunks, find)


def _ready(step: _Step) -> bool:
    return step.future is None or step.future.done()


def _keep(step: _Step, cache: EmbeddingCache, summary: EnrichSummary) -> int:
    """Wait for the step's vectors and keep them in the cache; returns its number of chunks."""
    if step.future is not None:
        encoded = result(step.future)
        cache.put_many(dict(zip(step.keys, encoded.vectors, strict=True)))
        summary.vectors += len(step.keys)
        summary.encode_seconds += encoded.ended - encoded.started
    return step.size
