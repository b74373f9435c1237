"""Chroma clients: the embedded store in the data folder, or a Chroma server by URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from assistant.errors import UnknownBackendError, VectorStoreUnavailableError
from assistant.settings import Settings

if TYPE_CHECKING:
    import chromadb


def _persistent_client(settings: Settings) -> chromadb.ClientAPI:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(settings.chroma_dir),
        settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
    )


def _http_client(settings: Settings) -> chromadb.ClientAPI:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    url = urlparse(settings.chroma)
    try:
        client = chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=ChromaSettings(anonymized_telemetry=False),
        )
        client.heartbeat()
    except Exception as e:  # connection errors surface as several exception types
        raise VectorStoreUnavailableError(
            f"De Chroma-server op {settings.chroma} is niet bereikbaar ({type(e).__name__}). "
            "Start de server (chroma run --path DIR --port PORT) of zet LEERSTAD_CHROMA=persistent "
            "voor de ingebouwde index."
        ) from e
    return client


CLIENTS: dict[str, Callable[[Settings], chromadb.ClientAPI]] = {
    "persistent": _persistent_client,
    "http": _http_client,
    "https": _http_client,
}


def store_kind(settings: Settings) -> str:
    kind = "persistent" if settings.chroma == "persistent" else urlparse(settings.chroma).scheme
    if kind not in CLIENTS:
        raise UnknownBackendError(
            f"Onbekende Chroma-instelling LEERSTAD_CHROMA={settings.chroma!r}. "
            "Gebruik 'persistent' of een adres als http://127.0.0.1:8000."
        )
    return kind


def open_client(settings: Settings) -> chromadb.ClientAPI:
    return CLIENTS[store_kind(settings)](settings)


def reset_client_cache() -> None:
    """Forget cached embedded clients, so vectors written by another process become visible."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
