"""The one place that opens or creates the Chroma collections (for reading and for ingest):
``clients`` (embedded or a server), ``index`` (the served index, for reading) and ``build``
(writing it, for ingest only)."""

from assistant.store.build import (
    STALE_BUILD_S,
    commit,
    heartbeat,
    mark_pending,
    open_for_write,
    recover,
    stored_dimension,
    was_pending,
)
from assistant.store.clients import open_client, reset_client_cache, store_kind
from assistant.store.index import (
    HNSW,
    REBUILD_HINT,
    Index,
    IndexState,
    check_model,
    open_index,
    read_state,
    staging_name,
    vector_store,
    warm_up,
)

__all__ = [
    "HNSW",
    "REBUILD_HINT",
    "STALE_BUILD_S",
    "Index",
    "IndexState",
    "check_model",
    "commit",
    "heartbeat",
    "mark_pending",
    "open_client",
    "open_for_write",
    "open_index",
    "read_state",
    "recover",
    "reset_client_cache",
    "staging_name",
    "store_kind",
    "stored_dimension",
    "vector_store",
    "warm_up",
    "was_pending",
]
