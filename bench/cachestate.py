"""The embedding cache as an ingest left it: which vectors (and passages' sentence splits) it
held, and forgetting the ones answers or the enrichment added since, so each run sees passages
for the first time."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from assistant.embedding_cache import cache_file
from assistant.settings import Settings


def vector_keys(settings: Settings) -> set[bytes]:
    """The keys of every vector and every passage's splits in the settings' embedding cache."""
    keys: set[bytes] = set()
    with closing(sqlite3.connect(_path(settings))) as db:
        for table in _tables(db):
            keys.update(key for (key,) in db.execute(f"SELECT key FROM {table}"))
    return keys


def forget_since(settings: Settings, keys: set[bytes]) -> int:
    """Delete the vectors and splits that are not among ``keys``; returns how many."""
    added = [(key,) for key in vector_keys(settings) - keys]
    with closing(sqlite3.connect(_path(settings))) as db, db:
        for table in _tables(db):
            db.executemany(f"DELETE FROM {table} WHERE key = ?", added)
    return len(added)


def _path(settings: Settings) -> Path:
    return cache_file(settings.embedding_cache_dir, settings.embedding_model)


def _tables(db: sqlite3.Connection) -> list[str]:
    """The cache's tables (an older cache file has no ``splits``)."""
    names = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return [t for t in ("vectors", "splits") if t in names]
