"""The embedding cache as an ingest left it: which vectors (and passages' sentence splits) it
held, and forgetting the ones answers or the enrichment added since, so each run sees passages
for the first time; and the whole cache put back as it was (``kept``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
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


@contextmanager
def kept(settings: Settings) -> Iterator[None]:
    """The embedding cache as it is now, put back on leaving: what ``forget_since`` cannot do,
    as it only deletes (answers no longer write what they compute, so after the answers before
    the enrichment only a copy brings the enrichment's vectors back)."""
    path = _path(settings)
    copy = path.with_name(f"{path.name}.kept")
    _copy(path, copy)
    try:
        yield
    finally:
        _copy(copy, path)
        copy.unlink()


def _copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _path(settings: Settings) -> Path:
    return cache_file(settings.embedding_cache_dir, settings.embedding_model)


def _tables(db: sqlite3.Connection) -> list[str]:
    """The cache's tables (an older cache file has no ``splits``)."""
    names = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return [t for t in ("vectors", "splits") if t in names]
