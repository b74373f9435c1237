"""The single-writer lock on the embedded index."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from assistant.errors import IndexLockedError
from assistant.settings import Settings


@contextmanager
def write_lock(settings: Settings) -> Iterator[None]:
    """Single-writer lock on the embedded index: two writers would corrupt it silently."""
    if settings.chroma != "persistent":
        yield  # a Chroma server serialises writers itself
        return
    from filelock import FileLock, Timeout

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.data_dir / "write.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout as e:
        raise IndexLockedError(
            f"Een ander proces schrijft al naar de index in {settings.data_dir}. Wacht tot dat "
            "klaar is, of gebruik een Chroma-server (LEERSTAD_CHROMA=http://...) als meerdere "
            "processen tegelijk moeten schrijven."
        ) from e
    try:
        yield
    finally:
        lock.release()
