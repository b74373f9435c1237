"""The embedding cache as an ingest left it: which vectors it held, and forgetting the ones
answers added since (passages' sentence vectors), so each run sees passages for the first time."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from assistant.embedding_cache import cache_file
from assistant.settings import Settings


def vector_keys(settings: Settings) -> set[bytes]:
    """The keys of every vector in the settings' embedding cache."""
    path = cache_file(settings.embedding_cache_dir, settings.embedding_model)
    with closing(sqlite3.connect(path)) as db:
        return {key for (key,) in db.execute("SELECT key FROM vectors")}


def forget_since(settings: Settings, keys: set[bytes]) -> int:
    """Delete the vectors that are not among ``keys``; returns how many."""
    path = cache_file(settings.embedding_cache_dir, settings.embedding_model)
    added = [(key,) for key in vector_keys(settings) - keys]
    with closing(sqlite3.connect(path)) as db, db:
        db.executemany("DELETE FROM vectors WHERE key = ?", added)
    return len(added)
