"""The served index: one collection, the state it records and its document record, for reading."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.catalog import catalog_for
from assistant.embedding_models import build_embeddings
from assistant.errors import IndexIncompleteError, IndexMissingError, ModelMismatchError
from assistant.settings import Settings
from assistant.store.clients import open_client, reset_client_cache, store_kind

if TYPE_CHECKING:
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

    from assistant.retrieval.keyword import KeywordIndex

REBUILD_HINT = "Bouw de index opnieuw op met: leerstad ingest --rebuild"


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
