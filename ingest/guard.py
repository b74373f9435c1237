"""Store failures while writing the index, turned into Dutch errors instead of tracebacks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from assistant.settings import Settings
from ingest.errors import StoreLostError


@contextmanager
def store_errors(settings: Settings) -> Iterator[None]:
    """Raise StoreLostError when the Chroma server stops answering inside the block.

    The embedded index raises nothing of the kind, so only a server is guarded; other errors
    (a full disk, a bug) pass through unchanged.
    """
    if settings.chroma == "persistent":
        yield
        return
    import httpx

    try:
        yield
    except (httpx.TransportError, ConnectionError) as e:
        raise StoreLostError(
            f"De Chroma-server op {settings.chroma} reageert niet meer tijdens het schrijven "
            f"naar de index ({type(e).__name__}). Wat al geschreven was blijft staan; bij "
            "--rebuild blijft de vorige index in gebruik. Start de server opnieuw (chroma run "
            "--path DIR --port PORT) en voer hetzelfde commando nog eens uit."
        ) from e
