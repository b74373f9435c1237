"""Writing the index (only ingest calls these, under its write lock): a staging collection for a
first build or a rebuild, the commit that records the documents, the swap, and recovery from a
writer that was interrupted."""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assistant.catalog import catalog_for
from assistant.errors import IndexLockedError
from assistant.settings import Settings
from assistant.store.clients import open_client, store_kind
from assistant.store.index import HNSW, Index, IndexState, _get, _state, check_model, staging_name

if TYPE_CHECKING:
    import chromadb

log = logging.getLogger(__name__)


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
