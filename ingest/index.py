"""Write chunks into the Chroma collection: incremental by stable ids, locked, batched."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import IndexLockedError
from assistant.keyword import KeywordIndex
from assistant.records import Chunk
from assistant.settings import Settings
from assistant.store import (
    IndexState,
    build_embeddings,
    check_model,
    embedding_dimension,
    open_client,
    read_state,
)
from ingest.chunk import chunk_document
from ingest.errors import NoDocumentsError
from ingest.guard import store_errors
from ingest.load import SourceDocument, load_all

if TYPE_CHECKING:
    import chromadb
    from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)


@dataclass
class IngestSummary:
    """What one ingest run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    chunks: int = 0  # chunks in the collection afterwards
    embedded: int = 0  # chunks embedded in this run
    seconds: float = 0.0

    def line(self) -> str:
        """The one-line summary printed at the end of an ingest."""
        return (
            f"{len(self.added)} toegevoegd, {len(self.updated)} bijgewerkt, "
            f"{len(self.removed)} verwijderd, {len(self.unchanged)} ongewijzigd, "
            f"{len(self.skipped)} overgeslagen; {self.chunks} stukken in de index "
            f"({self.embedded} nieuw ingebed) in {self.seconds:.1f} s"
        )


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


def ingest_paths(
    paths: Sequence[Path],
    settings: Settings,
    rebuild: bool = False,
    progress: bool = True,
    on_document: Callable[[int, int], None] | None = None,
) -> IngestSummary:
    """Bring the index in line with the documents under ``paths``.

    Unchanged documents are skipped, changed ones upserted in place by stable chunk ids,
    and documents that were indexed from under ``paths`` but are gone are deleted.
    With ``rebuild`` the collection is rebuilt beside the old one and swapped in at the end,
    so a failed rebuild leaves the previous index usable.
    ``on_document(done, total)`` is called after each document (the web app's progress).
    """
    started = time.perf_counter()
    summary = IngestSummary()
    docs = load_all(paths, summary.skipped)
    if not docs:
        raise NoDocumentsError(
            f"Geen leesbare documenten gevonden in {', '.join(map(str, paths))} "
            "(ondersteund: .md, .txt, .html, .pdf, .docx)."
            + (
                f" Overgeslagen: {'; '.join(r for _, r in summary.skipped)}"
                if summary.skipped
                else ""
            )
        )
    with write_lock(settings), store_errors(settings):
        client = open_client(settings)
        target = settings.collection + "-rebuild" if rebuild else settings.collection
        if rebuild:
            _drop(client, target)
        state = read_state(client, target)
        if state is None:
            # A rebuilt collection continues the old one's revisions, so readers that cache by
            # revision (running assistants, the keyword index on disk) see that it changed.
            previous = read_state(client, settings.collection) if rebuild else None
            start = previous.revision if previous else 0
            dimension = embedding_dimension(build_embeddings(settings))
            state = IndexState(settings.embedding_model, dimension, start, {})
        check_model(state, settings)
        collection = client.get_or_create_collection(
            target, metadata=state.to_metadata(), configuration={"hnsw": {"space": "cosine"}}
        )
        documents = dict(state.documents)
        roots = [p.resolve() for p in paths]
        from tqdm import tqdm

        for done, doc in enumerate(
            tqdm(docs, desc="indexeren", unit="document", disable=not progress), 1
        ):
            _sync_document(collection, doc, documents, settings, summary)
            if on_document:
                on_document(done, len(docs))
        for doc_id, info in sorted(documents.items()):
            if doc_id not in {d.doc_id for d in docs} and _under(Path(info["path"]), roots):
                collection.delete(where={"doc_id": doc_id})
                del documents[doc_id]
                summary.removed.append(doc_id)
        changed = summary.added or summary.updated or summary.removed or rebuild
        revision = state.revision + 1 if changed else state.revision
        new_state = IndexState(state.embedding_model, state.embedding_dim, revision, documents)
        collection.modify(metadata=new_state.to_metadata())
        if rebuild:
            _drop(client, settings.collection)
            collection.modify(name=settings.collection)
        summary.chunks = collection.count()
        KeywordIndex.for_collection(client.get_collection(settings.collection), settings, revision)
    summary.seconds = time.perf_counter() - started
    return summary


def _sync_document(
    collection: chromadb.Collection,
    doc: SourceDocument,
    documents: dict[str, dict[str, Any]],
    settings: Settings,
    summary: IngestSummary,
) -> None:
    known = documents.get(doc.doc_id)
    chunks = chunk_document(doc, settings.chunk_size, settings.chunk_min_size)
    if known and known["doc_hash"] == chunks[0].doc_hash and known["chunks"] == len(chunks):
        summary.unchanged.append(doc.doc_id)
        return
    existing = collection.get(where={"doc_id": doc.doc_id}, include=["metadatas"])
    old_hashes = {
        i: m.get("content_hash")
        for i, m in zip(existing["ids"], existing["metadatas"], strict=True)
    }
    fresh = [c for c in chunks if old_hashes.get(c.chunk_id) != c.content_hash]
    same = [c for c in chunks if old_hashes.get(c.chunk_id) == c.content_hash]
    if fresh:  # the model is only loaded when something needs embedding
        _upsert(collection, fresh, build_embeddings(settings))
    if same:  # text unchanged: keep the vector, refresh metadata (title, url, doc hash)
        collection.update(ids=[c.chunk_id for c in same], metadatas=[c.metadata() for c in same])
    stale = sorted(set(old_hashes) - {c.chunk_id for c in chunks})
    if stale:
        collection.delete(ids=stale)
    summary.embedded += len(fresh)
    (summary.updated if known else summary.added).append(doc.doc_id)
    documents[doc.doc_id] = {
        "title": doc.title,
        "url": doc.url,
        "path": str(doc.path.resolve()),
        "source": str(doc.path),
        "doc_hash": chunks[0].doc_hash,
        "chunks": len(chunks),
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "contact": str(doc.meta["contact"]) if doc.meta.get("contact") else None,
    }


def _upsert(collection: chromadb.Collection, chunks: list[Chunk], embeddings: Embeddings) -> None:
    """Embed and upsert in batches below Chroma's maximum batch size."""
    batch = 256  # far below client.get_max_batch_size() (5461 on chromadb 1.5)
    for i in range(0, len(chunks), batch):
        part = chunks[i : i + batch]
        collection.upsert(
            ids=[c.chunk_id for c in part],
            embeddings=embeddings.embed_documents([embedding_text(c) for c in part]),
            documents=[c.text for c in part],
            metadatas=[c.metadata() for c in part],
        )


def embedding_text(chunk: Chunk) -> str:
    """What is embedded: the passage with its title and section, so it is found in context."""
    heading = " - ".join(x for x in (chunk.title, chunk.section) if x and x != chunk.title) or ""
    return f"{chunk.title}{' - ' + heading if heading else ''}\n{chunk.text}"


def delete_documents(doc_ids: Sequence[str], settings: Settings) -> list[str]:
    """Remove documents from the index; returns the ids that were there."""
    with write_lock(settings), store_errors(settings):
        client = open_client(settings)
        state = read_state(client, settings.collection)
        if state is None:
            return []
        collection = client.get_collection(settings.collection)
        documents = dict(state.documents)
        removed = [d for d in doc_ids if d in documents]
        for doc_id in removed:
            collection.delete(where={"doc_id": doc_id})
            del documents[doc_id]
        if removed:
            revision = state.revision + 1
            new_state = IndexState(state.embedding_model, state.embedding_dim, revision, documents)
            collection.modify(metadata=new_state.to_metadata())
            KeywordIndex.for_collection(collection, settings, revision)
        return removed


def _drop(client: chromadb.ClientAPI, name: str) -> None:
    if name in {c.name for c in client.list_collections()}:
        client.delete_collection(name)


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)
