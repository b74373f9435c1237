"""The one place that builds the embedding model and opens the Chroma collection."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from assistant.embeddings import MINILM, USE_MULTILINGUAL, UniversalSentenceEncoder, minilm_path
from assistant.errors import (
    EmbeddingModelError,
    IndexMissingError,
    ModelMismatchError,
    UnknownBackendError,
    VectorStoreUnavailableError,
)
from assistant.settings import DEFAULT_EMBEDDING_MODEL, Settings

if TYPE_CHECKING:
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

REBUILD_HINT = "Bouw de index opnieuw op met: leerstad ingest --rebuild"


def _minilm(device: str, batch_size: int) -> Embeddings:
    return _sentence_transformer(minilm_path(), device, batch_size)


def _use(device: str, batch_size: int) -> Embeddings:
    return UniversalSentenceEncoder()


# Embedding models by name. The two that ship inside PyPI packages are checked by sha256; any
# other name is a sentence-transformers model name or local folder (never downloaded).
EMBEDDERS: dict[str, Callable[[str, int], Embeddings]] = {
    USE_MULTILINGUAL: _use,
    MINILM: _minilm,
    "sentence-transformers/all-MiniLM-L6-v2": _minilm,
}


def _prompts(model: str) -> tuple[str, str]:
    """Query and passage prefixes that some model families are trained with."""
    name = model.lower()
    if "e5" in name:
        return "query: ", "passage: "
    return "", ""


@lru_cache(maxsize=4)
def _sentence_transformer(model: str, device: str, batch_size: int) -> Embeddings:
    from langchain_huggingface import HuggingFaceEmbeddings

    query_prefix, passage_prefix = _prompts(model)
    encode: dict[str, Any] = {"normalize_embeddings": True, "batch_size": batch_size}
    try:
        return HuggingFaceEmbeddings(
            model_name=model,
            # Never download at run time: a model is a local folder or already in the
            # Hugging Face cache. Without this, an unknown name retries the hub for minutes.
            model_kwargs={"device": device, "local_files_only": True},
            encode_kwargs={**encode, "prompt": passage_prefix} if passage_prefix else encode,
            query_encode_kwargs={**encode, "prompt": query_prefix} if query_prefix else encode,
        )
    except Exception as e:  # sentence-transformers raises many kinds (OSError, HF errors)
        raise EmbeddingModelError(
            f"Het embeddingmodel {model!r} kan niet worden geladen ({type(e).__name__}: {e}). "
            "Deze machine kan geen modellen downloaden: zet het model vooraf in een lokale map "
            "en wijs LEERSTAD_EMBEDDING_MODEL naar die map, of laat de variabele leeg voor het "
            f"gebundelde model {DEFAULT_EMBEDDING_MODEL}."
        ) from e


@lru_cache(maxsize=4)
def _load_embeddings(model: str, device: str, batch_size: int) -> Embeddings:
    build = EMBEDDERS.get(model)
    return build(device, batch_size) if build else _sentence_transformer(model, device, batch_size)


def build_embeddings(settings: Settings) -> Embeddings:
    """The embedding model named in the settings (cached per process)."""
    return _load_embeddings(
        settings.embedding_model, settings.embedding_device, settings.embedding_batch_size
    )


def embedding_dimension(embeddings: Embeddings) -> int:
    return len(embeddings.embed_query("dimensie"))


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


@dataclass(frozen=True)
class IndexState:
    """What the collection records about itself: model, dimension, revision, documents."""

    embedding_model: str
    embedding_dim: int
    revision: int
    documents: dict[str, dict[str, Any]]

    @classmethod
    def from_metadata(cls, meta: dict[str, Any] | None) -> IndexState | None:
        if not meta or "embedding_model" not in meta:
            return None
        return cls(
            embedding_model=str(meta["embedding_model"]),
            embedding_dim=int(meta["embedding_dim"]),
            revision=int(meta.get("revision", 0)),
            documents=json.loads(str(meta.get("documents", "{}"))),
        )

    def to_metadata(self) -> dict[str, Any]:
        return {
            "embedding_model": self.embedding_model,
            "embedding_dim": self.embedding_dim,
            "revision": self.revision,
            "documents": json.dumps(self.documents, ensure_ascii=False, sort_keys=True),
        }


def read_state(client: chromadb.ClientAPI, name: str) -> IndexState | None:
    """The state of collection ``name``, or None when it does not exist."""
    if name not in {c.name for c in client.list_collections()}:
        return None
    return IndexState.from_metadata(client.get_collection(name).metadata)


def check_model(state: IndexState, settings: Settings) -> None:
    if state.embedding_model != settings.embedding_model:
        raise ModelMismatchError(
            f"De index is gebouwd met embeddingmodel {state.embedding_model!r}, maar "
            f"LEERSTAD_EMBEDDING_MODEL is {settings.embedding_model!r}. Zet de instelling terug, "
            f"of: {REBUILD_HINT}"
        )


def vector_store(
    client: chromadb.ClientAPI, name: str, embeddings: Embeddings, create: bool = False
) -> Chroma:
    from langchain_chroma import Chroma

    return Chroma(
        client=client,
        collection_name=name,
        embedding_function=embeddings,
        collection_configuration={"hnsw": {"space": "cosine"}},
        create_collection_if_not_exists=create,
    )


def open_for_query(settings: Settings) -> tuple[Chroma, IndexState]:
    """Open the existing collection for reading, checking it matches the configured model."""
    client = open_client(settings)
    state = read_state(client, settings.collection)
    if state is None:
        raise IndexMissingError(
            f"Er is nog geen index (collectie {settings.collection!r} in {_where(settings)}). "
            "Bouw hem met: leerstad ingest"
        )
    check_model(state, settings)
    return vector_store(client, settings.collection, build_embeddings(settings)), state


def _where(settings: Settings) -> str:
    return str(settings.chroma_dir) if settings.chroma == "persistent" else settings.chroma
