"""The embedding model for ingest: in a process of its own for large builds, so encoding never
waits for the chunking and writing that go on beside it (they would share one GIL)."""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.embedding_models import build_embeddings
from assistant.settings import Settings
from ingest.errors import EncoderLostError
from ingest.load import discover

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

# From this many new chunks (estimated) an ingest encodes in a separate process: starting it
# and loading the model there takes about 1.5-2.5 s, while this process reads and chunks the
# files. Measured side by side at 1k chunks (estimated 1 040; docs/benchmarks.md): the worker ran
# at 0.59 of the encoder's speed against 0.53 with the model in this process when the shared
# machine was calmer (load 1.2-1.4), and at 0.50 against 0.54 under more load (1.8); at 2.7k the
# two were even under that load, at 10k the worker wins. Smaller ingests (the test corpora, a
# few uploaded files) use the model in this process, where it often is loaded already.
PROCESS_FROM = 800


@dataclass(frozen=True)
class Encoded:
    """One batch's vectors, and when the model worked on it (wall clock, so that times from
    the worker process and the ingest process compare)."""

    vectors: NDArray[np.float32]
    started: float
    ended: float


def encode(settings: Settings, texts: list[str]) -> Encoded:
    """Embed ``texts`` with the configured model (loaded once per process)."""
    model = build_embeddings(settings)
    if not texts:
        model.embed_query("laden")  # loads the model's lazy parts: what a warm-up asks for
        return Encoded(np.zeros((0, 0), dtype=np.float32), time.time(), time.time())
    started = time.time()
    vectors = np.asarray(model.embed_documents(texts), dtype=np.float32)
    return Encoded(vectors, started, time.time())


def encode_each(settings: Settings, batches: list[list[str]]) -> Encoded:
    """Embed each of ``batches`` on its own (assistant/passage_vectors.py), rows in order."""
    from assistant import passage_vectors

    model = build_embeddings(settings)
    started = time.time()
    return Encoded(passage_vectors.encode(model, batches), started, time.time())


class LocalEncoder:
    """Encodes in this process, at once (small ingests, tests)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def submit(self, texts: list[str]) -> Future[Encoded]:
        return self._run(encode, texts)

    def submit_each(self, batches: list[list[str]]) -> Future[Encoded]:
        return self._run(encode_each, batches)

    def _run(self, work: Callable[[Settings, Any], Encoded], texts: Any) -> Future[Encoded]:
        future: Future[Encoded] = Future()
        try:
            future.set_result(work(self.settings, texts))
        except Exception as e:  # raised to the caller by future.result(), as in a process
            future.set_exception(e)
        return future

    def finish(self) -> None:
        """Nothing to stop."""

    def close(self, cancel: bool = False) -> None:
        """Nothing to stop."""


class ProcessEncoder:
    """Encodes in one worker process, batches in order; the model loads there as soon as the
    encoder is made. An error in the worker is raised by ``result()`` as the same exception;
    a worker that dies raises EncoderLostError."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # spawn, not fork: the caller has threads (Chroma's, the web server's) that a fork
        # would copy in whatever state they are in.
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        self._pool.submit(encode, settings, [])  # warm-up: load the model meanwhile
        self._ending: threading.Thread | None = None

    def submit(self, texts: list[str]) -> Future[Encoded]:
        return self._run(encode, texts)

    def submit_each(self, batches: list[list[str]]) -> Future[Encoded]:
        return self._run(encode_each, batches)

    def _run(self, work: Callable[[Settings, Any], Encoded], texts: Any) -> Future[Encoded]:
        try:
            return self._pool.submit(work, self.settings, texts)
        except BrokenProcessPool as e:
            raise lost(e) from e

    def finish(self) -> None:
        """Nothing more will be submitted: the worker ends after its last batch, while the
        caller writes that batch (ending a process takes a few tenths of a second)."""
        if self._ending is None:
            self._ending = threading.Thread(target=self._pool.shutdown, daemon=True)
            self._ending.start()

    def close(self, cancel: bool = False) -> None:
        """Stop the worker after what was submitted, or (``cancel``, before ``finish``) after
        its current batch (at most ``BATCH`` texts: seconds); returns when it has ended."""
        if self._ending is None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
        else:
            self._ending.join()


def result(future: Future[Encoded]) -> Encoded:
    """The future's vectors; a dead worker process becomes EncoderLostError."""
    try:
        return future.result()
    except BrokenProcessPool as e:
        raise lost(e) from e


def lost(error: BaseException) -> EncoderLostError:
    return EncoderLostError(
        f"Het proces dat de teksten inbedt is onverwacht gestopt ({type(error).__name__}: "
        f"{error}). Wat al was ingebed staat in de embedding-cache; de vorige index blijft in "
        "gebruik. Voer hetzelfde commando nog eens uit; gebeurt het weer, kijk dan of de "
        "machine genoeg geheugen heeft."
    )


def estimated_chunks(paths: Sequence[Path], settings: Settings) -> int:
    """About how many chunks the files under ``paths`` make (from their sizes, unread)."""
    size = 0
    for path in discover(paths):
        try:
            size += path.stat().st_size
        except OSError:
            continue  # gone or unreadable: load_all names it
    return chunks_for(size, settings)


def chunks_for(characters: int, settings: Settings) -> int:
    """About how many chunks this much text makes: they fill about half the maximum size."""
    return characters // (settings.chunk_size // 2)


def encoder_for(settings: Settings, estimated_chunks: int) -> LocalEncoder | ProcessEncoder:
    """A process of its own for large ingests, the model in this process for small ones."""
    if estimated_chunks >= PROCESS_FROM:
        log.info("encoding about %d chunks in a separate process", estimated_chunks)
        return ProcessEncoder(settings)
    return LocalEncoder(settings)


class Encoding:
    """The encoder of one ingest, chosen when it is started or first needed: an ingest that
    finds every vector in the cache never loads the model."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.estimated_chunks = 0  # new chunks expected, if known before the first batch
        self._encoder: LocalEncoder | ProcessEncoder | None = None

    def start(self, estimated_chunks: int) -> None:
        """Choose the encoder now, so a worker process loads the model while the caller reads."""
        if self._encoder is None:
            self._encoder = encoder_for(self.settings, estimated_chunks)

    def submit(self, texts: list[str]) -> Future[Encoded]:
        self.start(self.estimated_chunks)
        assert self._encoder is not None
        return self._encoder.submit(texts)

    def submit_each(self, batches: list[list[str]]) -> Future[Encoded]:
        """Each batch encoded on its own (a passage's sentences and text)."""
        self.start(self.estimated_chunks)
        assert self._encoder is not None
        return self._encoder.submit_each(batches)

    def finish(self) -> None:
        """The last batch was submitted (see ``ProcessEncoder.finish``)."""
        if self._encoder is not None:
            self._encoder.finish()

    def close(self, cancel: bool = False) -> None:
        if self._encoder is not None:
            self._encoder.close(cancel)


@contextmanager
def encoding(settings: Settings) -> Iterator[Encoding]:
    """An ``Encoding`` whose worker is stopped when the block ends: after its work when the
    block ends normally, as soon as possible when it raises."""
    encoder = Encoding(settings)
    try:
        yield encoder
    except BaseException:
        encoder.close(cancel=True)
        raise
    encoder.close()
