"""The record of indexed documents (ids, hashes, titles), kept beside the vectors it describes.

Records are keyed by the Chroma collection's id, which survives the rename that swaps a rebuilt
collection in, so a swap never has to move them. Two places, chosen by the kind of client:

- an embedded (persistent) Chroma: a SQLite file inside its folder, one row per document;
- a Chroma server: a small second collection on that server (``CATALOG``), one record per
  document, so every app replica sees the same record without sharing a disk.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import chromadb

CATALOG = "leerstad-catalog"
CATALOG_FILE = "leerstad-catalog.sqlite3"
_PAGE = 5000


class Catalog(Protocol):
    def load(self, collection_id: str) -> dict[str, dict[str, Any]]: ...
    def put(self, collection_id: str, records: dict[str, dict[str, Any]]) -> None: ...
    def delete(self, collection_id: str, doc_ids: list[str]) -> None: ...
    def drop(self, collection_id: str) -> None: ...


class SqliteCatalog:
    """Document records in a SQLite file next to an embedded Chroma."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with closing(self._connect()) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS documents (collection_id TEXT NOT NULL, "
                "doc_id TEXT NOT NULL, info TEXT NOT NULL, PRIMARY KEY (collection_id, doc_id))"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def load(self, collection_id: str) -> dict[str, dict[str, Any]]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT doc_id, info FROM documents WHERE collection_id = ?", (collection_id,)
            )
            return {doc_id: json.loads(info) for doc_id, info in rows}

    def put(self, collection_id: str, records: dict[str, dict[str, Any]]) -> None:
        rows = [(collection_id, d, json.dumps(i, ensure_ascii=False)) for d, i in records.items()]
        with closing(self._connect()) as db, db:
            db.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?, ?)", rows)

    def delete(self, collection_id: str, doc_ids: list[str]) -> None:
        with closing(self._connect()) as db, db:
            db.executemany(
                "DELETE FROM documents WHERE collection_id = ? AND doc_id = ?",
                [(collection_id, d) for d in doc_ids],
            )

    def drop(self, collection_id: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM documents WHERE collection_id = ?", (collection_id,))


class ChromaCatalog:
    """Document records in a second, tiny collection on the Chroma server itself."""

    def __init__(self, client: chromadb.ClientAPI) -> None:
        # Records are fetched by id and metadata, never searched: a one-number vector suffices.
        self.records = client.get_or_create_collection(CATALOG, embedding_function=None)

    def load(self, collection_id: str) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        offset = 0
        while True:
            page = self.records.get(
                where={"collection_id": collection_id},
                include=["documents", "metadatas"],
                limit=_PAGE,
                offset=offset,
            )
            for text, meta in zip(page["documents"] or [], page["metadatas"] or [], strict=True):
                found[str(meta["doc_id"])] = json.loads(text)
            if len(page["ids"]) < _PAGE:
                return found
            offset += _PAGE

    def put(self, collection_id: str, records: dict[str, dict[str, Any]]) -> None:
        items = list(records.items())
        for start in range(0, len(items), _PAGE):
            part = items[start : start + _PAGE]
            self.records.upsert(
                ids=[f"{collection_id}/{d}" for d, _ in part],
                embeddings=[[1.0] for _ in part],
                documents=[json.dumps(i, ensure_ascii=False) for _, i in part],
                metadatas=[{"collection_id": collection_id, "doc_id": d} for d, _ in part],
            )

    def delete(self, collection_id: str, doc_ids: list[str]) -> None:
        if doc_ids:
            self.records.delete(ids=[f"{collection_id}/{d}" for d in doc_ids])

    def drop(self, collection_id: str) -> None:
        self.records.delete(where={"collection_id": collection_id})


def catalog_for(client: chromadb.ClientAPI) -> Catalog:
    """The catalog that lives with this client's collections."""
    chroma = client.get_settings()
    if chroma.is_persistent and chroma.persist_directory:
        return SqliteCatalog(Path(chroma.persist_directory) / CATALOG_FILE)
    return ChromaCatalog(client)
