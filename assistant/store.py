"""The one place that opens or creates the Chroma collections (for reading and for ingest)."""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from assistant.catalog import catalog_for
from assistant.embedding_models import build_embeddings
from assistant.errors import (
    IndexIncompleteError,
    IndexLockedError,
    IndexMissingError,
    ModelMismatchError,
    UnknownBackendError,
    VectorStoreUnavailableError,
)
from assistant.settings import Settings

if TYPE_CHECKING:
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

    from assistant.retrieval.keyword import KeywordIndex

log = logging.getLogger(__name__)

REBUILD_HINT = "Bouw de index opnieuw op met: leerstad ingest --rebuild"


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


# -- the index: one collection, its state and its document record ------------------------------


@dataclass(frozen=True)
class IndexState:
    """What the collection records about itself, plus the documents from the catalog.

    ``complete`` is False while a first build or a rebuild is still writing; such a collection is
    never served under the index's name. ``embedding_dim`` is 0 until vectors are written: it is
    learnt from them (see ``commit``), so a writer never loads the model just to know it.
    """

    embedding_model: str
    embedding_dim: int
    revision: int
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    complete: bool = True

    @classmethod
    def from_metadata(
        cls, meta: dict[str, Any] | None, documents: dict[str, dict[str, Any]]
    ) -> IndexState | None:
        if not meta or "embedding_model" not in meta:
            return None
        if not documents and meta.get("documents"):  # written before the catalog existed
            documents = json.loads(str(meta["documents"]))
        return cls(
            embedding_model=str(meta["embedding_model"]),
            embedding_dim=int(meta["embedding_dim"]),
            revision=int(meta.get("revision", 0)),
            documents=documents,
            complete=bool(meta.get("complete", True)),
        )

    def to_metadata(self) -> dict[str, Any]:
        return {
            "embedding_model": self.embedding_model,
            "embedding_dim": self.embedding_dim,
            "revision": self.revision,
            "complete": self.complete,
            "documents_count": len(self.documents),
        }


def staging_name(settings: Settings) -> str:
    """Where a first build or a rebuild is written before it is swapped in."""
    return settings.collection + "-rebuild"


def _get(client: chromadb.ClientAPI, name: str) -> chromadb.Collection | None:
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(name, embedding_function=None)
    except (NotFoundError, ValueError):  # older clients raise ValueError
        return None


def _state(client: chromadb.ClientAPI, collection: chromadb.Collection) -> IndexState | None:
    meta = collection.metadata
    if not meta or "embedding_model" not in meta:
        return None
    return IndexState.from_metadata(meta, catalog_for(client).load(str(collection.id)))


def read_state(client: chromadb.ClientAPI, name: str) -> IndexState | None:
    """The state of collection ``name``, or None when it does not exist."""
    collection = _get(client, name)
    return None if collection is None else _state(client, collection)


def check_model(state: IndexState, settings: Settings) -> None:
    if state.embedding_model != settings.embedding_model:
        raise ModelMismatchError(
            f"De index is gebouwd met embeddingmodel {state.embedding_model!r}, maar "
            f"LEERSTAD_EMBEDDING_MODEL is {settings.embedding_model!r}. Zet de instelling terug, "
            f"of: {REBUILD_HINT}"
        )


# The vector index of every collection. ef_search: the candidates a query visits. With Chroma's
# default (100) a query missed one of the 20 nearest of 328 chunks in some process loads and
# not in others, so one question got other passages (and another answer) in two eval runs.
# At 100k chunks (`python -m bench.hnsw`, docs/benchmarks.md) recall@20 was 0.69 at 100, 0.81
# at 400 and 0.89 at 800, with the query's p50 within 0.4 ms of each other.
HNSW: dict[str, str | int] = {"space": "cosine", "ef_search": 800}


def vector_store(
    client: chromadb.ClientAPI, name: str, embeddings: Embeddings, create: bool = False
) -> Chroma:
    from langchain_chroma import Chroma

    return Chroma(
        client=client,
        collection_name=name,
        embedding_function=embeddings,
        collection_configuration={"hnsw": HNSW},
        create_collection_if_not_exists=create,
    )


@dataclass
class Index:
    """One opened index: the client, its collection, the state read with it, and views on it."""

    settings: Settings
    client: chromadb.ClientAPI
    collection: chromadb.Collection
    state: IndexState
    _vectors: Chroma | None = field(default=None, repr=False)

    @property
    def revision(self) -> int:
        return self.state.revision

    @property
    def vectors(self) -> Chroma:
        """The collection as a LangChain vector store, with the configured embedding model."""
        if self._vectors is None:
            embeddings = build_embeddings(self.settings)
            self._vectors = vector_store(self.client, self.collection.name, embeddings)
        return self._vectors

    def keyword(self) -> KeywordIndex:
        """The BM25 index of this revision (from memory, from disk, or built)."""
        from assistant.retrieval.keyword import KeywordIndex

        return KeywordIndex.for_collection(self.collection, self.settings, self.state.revision)

    def is_current(self) -> bool:
        """Whether this is still what would be served (no writer has changed the index since).

        One small metadata read; over HTTP that is one round trip.
        """
        served = _served(self.client, self.settings)
        meta = served.metadata if served is not None else None
        return (
            served is not None
            and served.id == self.collection.id
            and meta is not None
            and int(meta.get("revision", -1)) == self.state.revision
        )

    def fresh(self) -> Index:
        """This index when it is current, else the index as it is now (reopened)."""
        if self.is_current():
            return self
        if store_kind(self.settings) == "persistent":
            reset_client_cache()  # an embedded client caches vectors it has loaded
        return open_index(self.settings)


def _served(client: chromadb.ClientAPI, settings: Settings) -> chromadb.Collection | None:
    """The collection readers use: the index, or a complete rebuild caught mid-swap."""
    main = _get(client, settings.collection)
    if main is not None and (main.metadata or {}).get("complete", True):
        return main
    staged = _get(client, staging_name(settings))
    if staged is not None and (staged.metadata or {}).get("complete") is True:
        return staged
    return None


def open_index(settings: Settings) -> Index:
    """Open the index for reading, checking that it is complete and matches the model."""
    client = open_client(settings)
    collection = _served(client, settings)
    state = _state(client, collection) if collection is not None else None
    if collection is None or state is None:
        if _get(client, staging_name(settings)) is not None:
            raise IndexIncompleteError(
                f"De index in {_where(settings)} is nog niet af: het opbouwen loopt nog of is "
                "onderbroken. Wacht tot het klaar is, of maak hem af met: leerstad ingest"
            )
        raise IndexMissingError(
            f"Er is nog geen index (collectie {settings.collection!r} in {_where(settings)}). "
            "Bouw hem met: leerstad ingest"
        )
    check_model(state, settings)
    return Index(settings, client, collection, state)


def warm_up(settings: Settings) -> Index:
    """Load the embedding model, the index and its keyword index, so the first answer is fast."""
    index = open_index(settings)
    index.vectors.embeddings.embed_query("opwarmen")  # type: ignore[union-attr]
    index.keyword()
    return index


def _where(settings: Settings) -> str:
    return str(settings.chroma_dir) if settings.chroma == "persistent" else settings.chroma


# -- writing: only ingest calls these, under its write lock --------------------------------------


def open_for_write(settings: Settings, rebuild: bool = False) -> Index:
    """The index to write to: the served one, or a new staging collection for a first build or
    ``rebuild`` (continuing the old revisions, so readers notice the swap).

    Finishes or removes what an interrupted writer left behind first (see ``recover``).
    """
    client = open_client(settings)
    recover(client, settings)
    main = _get(client, settings.collection)
    previous = _state(client, main) if main is not None else None
    if main is not None and previous is not None and not rebuild:
        check_model(previous, settings)
        _search_as_configured(main)
        return Index(settings, client, main, previous)
    # The vector size is not known yet: learning it here would load the model in this process
    # too, beside the worker process a large ingest encodes in (``commit`` reads it).
    start = previous.revision if previous else 0
    state = IndexState(settings.embedding_model, 0, start, {}, complete=False)
    staged = client.create_collection(
        staging_name(settings),
        metadata={**state.to_metadata(), **_build_marks()},
        configuration={"hnsw": HNSW},
        embedding_function=None,
    )
    return Index(settings, client, staged, state)


def _search_as_configured(collection: chromadb.Collection) -> None:
    """An index built before HNSW's ef_search was set searches with it from its next ingest."""
    ef = HNSW["ef_search"]
    if (collection.configuration_json or {}).get("hnsw", {}).get("ef_search") != ef:
        collection.modify(configuration={"hnsw": {"ef_search": ef}})


# A build on a Chroma server that showed no progress for this long was abandoned by its writer.
STALE_BUILD_S = 600


def heartbeat(index: Index) -> None:
    """Show that the build of a staging collection is still going (see ``recover``)."""
    if not index.state.complete:
        index.collection.modify(metadata={**index.state.to_metadata(), **_build_marks()})


def _build_marks() -> dict[str, Any]:
    """What a staging collection says about its build: when it last progressed, and who
    (host and process) builds it."""
    return {"heartbeat": time.time(), "owner": f"{socket.gethostname()}:{os.getpid()}"}


def _owner_is_gone(owner: object) -> bool:
    """Whether the build's writer is a process of this host that no longer runs."""
    host, _, pid = str(owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's writer: only its heartbeat can tell
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def mark_pending(index: Index) -> None:
    """Note on the served index that a writer is changing it, so a writer that is killed before
    ``commit`` still gets its revision moved on by the next one."""
    index.collection.modify(metadata={**index.state.to_metadata(), "pending": True})


def was_pending(index: Index) -> bool:
    return bool((index.collection.metadata or {}).get("pending"))


def commit(
    index: Index, records: dict[str, dict[str, Any]], removed: list[str], revision: int
) -> Index:
    """Record the documents, mark the index complete at ``revision`` and, for a staging
    collection, swap it in. Returns the index as readers now see it."""
    catalog = catalog_for(index.client)
    collection_id = str(index.collection.id)
    catalog.delete(collection_id, removed)
    catalog.put(collection_id, records)
    documents = {k: v for k, v in index.state.documents.items() if k not in removed}
    documents.update(records)
    dimension = index.state.embedding_dim or stored_dimension(index.collection)
    state = replace(
        index.state,
        embedding_dim=dimension,
        revision=revision,
        documents=documents,
        complete=True,
    )
    index.collection.modify(metadata=state.to_metadata())
    if index.collection.name == staging_name(index.settings):
        _publish(index.client, index.settings, index.collection)
    return Index(index.settings, index.client, index.collection, state)


def stored_dimension(collection: chromadb.Collection) -> int:
    """The size of the vectors in ``collection`` (0 while it holds none)."""
    got = collection.get(limit=1, include=["embeddings"])["embeddings"]
    return 0 if got is None or len(got) == 0 else len(got[0])


def _publish(client: chromadb.ClientAPI, settings: Settings, staged: chromadb.Collection) -> None:
    """The swap: the old index goes, the complete staging collection takes its name. Between
    the two steps readers are served the staging collection (see ``_served``)."""
    old = _get(client, settings.collection)
    if old is not None:
        _drop(client, old)
    staged.modify(name=settings.collection)


def _drop(client: chromadb.ClientAPI, collection: chromadb.Collection) -> None:
    client.delete_collection(collection.name)
    catalog_for(client).drop(str(collection.id))


def recover(client: chromadb.ClientAPI, settings: Settings) -> None:
    """Finish a swap that was interrupted, or drop a build that never completed."""
    staged = _get(client, staging_name(settings))
    if staged is None:
        return
    if (staged.metadata or {}).get("complete") is True:
        log.warning("finishing an interrupted swap of %s", staging_name(settings))
        _publish(client, settings, staged)
    else:
        # Embedded, the write lock proves its writer is gone. A server has no such lock: a
        # build that still shows progress belongs to another writer (e.g. another replica).
        # So is one whose writer was a process of this host that has ended.
        marks = staged.metadata or {}
        age = time.time() - float(marks.get("heartbeat", 0))
        alive = not _owner_is_gone(marks.get("owner"))
        if store_kind(settings) != "persistent" and age < STALE_BUILD_S and alive:
            raise IndexLockedError(
                f"Een ander proces bouwt de index op {settings.chroma} op (laatste voortgang "
                f"{age:.0f} s geleden). Wacht tot dat klaar is en probeer het opnieuw; een "
                f"afgebroken opbouw wordt na {STALE_BUILD_S // 60} minuten opgeruimd."
            )
        log.warning("dropping %s: its build was interrupted", staging_name(settings))
        _drop(client, staged)
