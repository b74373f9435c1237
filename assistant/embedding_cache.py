"""Embeddings cached by text hash and model, so no text is ever embedded twice."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from assistant.settings import Settings

# SQLite allows 32766 bound parameters; lookups go in slices well below that.
_LOOKUP_SLICE = 900
# Pages a thread's connection keeps (KiB). Lookups are random over a file of GBs at 100k chunks
# (about 20 KB a chunk with the passages' vectors): a connection opened per lookup starts with
# an empty page cache, and 300 keys took 18 ms against 6 ms on a connection that stays open;
# writing 3 vectors took 2.1 ms on a new connection, 0.5 ms on an open one.
_PAGE_CACHE_KIB = 16_384
T = TypeVar("T")


def text_key(text: str) -> bytes:
    """The cache key of one text: the first 16 bytes of its sha256."""
    return hashlib.sha256(text.encode("utf-8")).digest()[:16]


def cache_file(folder: Path, model: str) -> Path:
    """One SQLite file per model, named after it (a path model gets its digest as well)."""
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", model).strip("_")[-60:]
    digest = hashlib.sha256(model.encode("utf-8")).hexdigest()[:8]
    return folder / f"embeddings-{slug}-{digest}.sqlite3"


class EmbeddingCache:
    """float32 vectors by text key in one SQLite file, safe for several processes at once; and
    beside them passages' sentence splits (``assistant.text.sentences.stored_splits``), which
    are a function of the text, computed with the passages' sentence vectors."""

    @classmethod
    def for_settings(cls, settings: Settings) -> EmbeddingCache:
        """The configured model's cache, in the configured folder."""
        return cls(cache_file(settings.embedding_cache_dir, settings.embedding_model))

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)"
                " WITHOUT ROWID"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS splits (key BLOB PRIMARY KEY, splits TEXT NOT NULL)"
                " WITHOUT ROWID"
            )
            # What was done with this cache as a whole ("prepared": the index revision whose
            # every passage is prepared in it, see ingest/enrich.py).
            db.execute("CREATE TABLE IF NOT EXISTS marks (name TEXT PRIMARY KEY, value TEXT)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def _thread_db(self) -> sqlite3.Connection:
        """This thread's connection, kept open with its page cache (a lookup outside a write
        sees what other processes committed before it)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
            db.execute(f"PRAGMA cache_size=-{_PAGE_CACHE_KIB}")
        return db

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, NDArray[np.float32]]:
        found: dict[bytes, NDArray[np.float32]] = {}
        db = self._thread_db()
        for part in _slices(list(dict.fromkeys(keys)), _LOOKUP_SLICE):
            marks = ",".join("?" * len(part))
            rows = db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part)
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: dict[bytes, NDArray[np.float32]]) -> None:
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()]
        with self._thread_db() as db:  # one transaction, committed (or rolled back) here
            db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)

    def get_splits(self, keys: Sequence[bytes]) -> dict[bytes, str]:
        found: dict[bytes, str] = {}
        db = self._thread_db()
        for part in _slices(list(dict.fromkeys(keys)), _LOOKUP_SLICE):
            marks = ",".join("?" * len(part))
            found.update(db.execute(f"SELECT key, splits FROM splits WHERE key IN ({marks})", part))
        return found

    def put_splits(self, items: dict[bytes, str]) -> None:
        with self._thread_db() as db:
            db.executemany(
                "INSERT OR REPLACE INTO splits (key, splits) VALUES (?, ?)", items.items()
            )

    def get_mark(self, name: str) -> str | None:
        row = self._thread_db().execute("SELECT value FROM marks WHERE name = ?", (name,))
        found = row.fetchone()
        return None if found is None else str(found[0])

    def put_mark(self, name: str, value: str) -> None:
        with self._thread_db() as db:
            db.execute("INSERT OR REPLACE INTO marks (name, value) VALUES (?, ?)", (name, value))

    def __len__(self) -> int:
        with closing(self._connect()) as db:
            return int(db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])


class CachedEmbeddings(Embeddings):
    """An ``Embeddings`` that computes only texts the cache has not seen, in large batches.

    Queries are not cached: they are embedded once each and a cache would only hide their cost.
    ``computed`` counts the texts the model itself embedded, ``seconds`` the time it took.
    The model is loaded on first need, so an ingest that finds everything cached never loads it.
    """

    def __init__(
        self, load: Callable[[], Embeddings], cache: EmbeddingCache, batch: int = 1024
    ) -> None:
        self._load = load
        self._inner: Embeddings | None = None
        self.cache = cache
        self.batch = batch
        self.computed = 0
        self.seconds = 0.0  # spent in the model itself

    @property
    def inner(self) -> Embeddings:
        if self._inner is None:
            self._inner = self._load()
        return self._inner

    def embed_array(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One row per text, from the cache where possible."""
        keys = [text_key(t) for t in texts]
        known = self.cache.get_many(keys)
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in known}
        for part in _slices(list(missing.items()), self.batch):
            model = self.inner
            started = time.perf_counter()
            vectors = np.asarray(model.embed_documents([t for _, t in part]), np.float32)
            self.seconds += time.perf_counter() - started
            fresh = {k: v for (k, _), v in zip(part, vectors, strict=True)}
            self.cache.put_many(fresh)
            known.update(fresh)
            self.computed += len(part)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([known[k] for k in keys])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def _slices(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
