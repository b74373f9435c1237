"""Write chunks into the index: incremental by stable ids, locked, embedded in cached batches."""

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
from assistant.records import Chunk
from assistant.settings import Settings
from assistant.store import (
    Index,
    cached_embeddings,
    commit,
    heartbeat,
    mark_pending,
    open_client,
    open_for_write,
    read_state,
    was_pending,
)
from ingest.chunk import chunk_document
from ingest.errors import NoDocumentsError
from ingest.guard import store_errors
from ingest.load import SourceDocument, load_all

if TYPE_CHECKING:
    import chromadb

    from assistant.embedding_cache import CachedEmbeddings

log = logging.getLogger(__name__)

# Chunks embedded and written per step, across documents: large enough for the encoder's own
# batching, far below Chroma's maximum batch size (5461 on chromadb 1.5).
BATCH = 1024


@dataclass
class IngestSummary:
    """What one ingest run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    chunks: int = 0  # chunks in the collection afterwards
    embedded: int = 0  # chunks written with a new vector in this run
    computed: int = 0  # of those, vectors the model computed (the rest came from the cache)
    encode_seconds: float = 0.0  # time spent in the embedding model itself
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


@dataclass
class Plan:
    """What one ingest has to write, gathered over all documents before anything is written."""

    fresh: list[Chunk] = field(default_factory=list)  # new text: embed and upsert
    same: list[Chunk] = field(default_factory=list)  # same text: refresh metadata only
    stale: list[str] = field(default_factory=list)  # chunk ids to delete
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # documents to record

    def __bool__(self) -> bool:
        return bool(self.fresh or self.same or self.stale or self.records)


def ingest_paths(
    paths: Sequence[Path],
    settings: Settings,
    rebuild: bool = False,
    progress: bool = True,
    on_document: Callable[[int, int], None] | None = None,
) -> IngestSummary:
    """Bring the index in line with the documents under ``paths``.

    Unchanged documents are skipped, changed ones upserted in place by stable chunk ids,
    and documents that were indexed from under ``paths`` but are gone are deleted. New text is
    embedded in large batches across documents, through the embedding cache.
    A first build and a ``rebuild`` are written beside the served index and swapped in when
    complete, so an interrupted build is never served (the next writer drops or finishes it).
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
        index = open_for_write(settings, rebuild)
        pending = was_pending(index)
        plan = plan_changes(index, docs, settings, summary, on_document)
        roots = [p.resolve() for p in paths]
        present = {d.doc_id for d in docs}
        removed = [
            doc_id
            for doc_id, info in sorted(index.state.documents.items())
            if doc_id not in present and _under(Path(info["path"]), roots)
        ]
        plan.stale += [i for d in removed for i in _chunk_ids(d, index.state.documents[d])]
        summary.removed = removed
        if (plan.fresh or plan.stale or plan.same) and index.state.complete:
            mark_pending(index)
        embeddings = cached_embeddings(settings)
        write_plan(index, plan, embeddings, progress)
        summary.embedded = len(plan.fresh)
        summary.computed = embeddings.computed
        summary.encode_seconds = embeddings.seconds
        changed = bool(summary.added or summary.updated or removed or pending)
        revision = index.revision + 1 if changed or not index.state.complete else index.revision
        index = commit(index, plan.records, removed, revision)
        summary.chunks = reconcile(index)
        index.keyword()
    summary.seconds = time.perf_counter() - started
    return summary


def plan_changes(
    index: Index,
    docs: list[SourceDocument],
    settings: Settings,
    summary: IngestSummary,
    on_document: Callable[[int, int], None] | None = None,
) -> Plan:
    """Chunk the documents that changed and decide, per chunk, whether it needs embedding.

    A document whose text and chunking settings are as recorded is not even chunked, so an
    unchanged re-ingest costs little more than reading the files. ``on_document(done, total)``
    is called as each document is looked at.
    """
    plan = Plan()
    known = index.state.documents
    chunking = _chunking(settings)
    candidates: dict[str, list[Chunk]] = {}
    for done, doc in enumerate(docs, 1):
        if on_document:
            on_document(done, len(docs))
        info = known.get(doc.doc_id)
        if info and info["doc_hash"] == doc.doc_hash[:16] and info.get("chunking") == chunking:
            summary.unchanged.append(doc.doc_id)
            continue
        chunks = chunk_document(doc, settings.chunk_size, settings.chunk_min_size)
        if info and info["doc_hash"] == chunks[0].doc_hash and info["chunks"] == len(chunks):
            # Recorded before the chunking settings were: record them, nothing to embed.
            summary.unchanged.append(doc.doc_id)
            plan.records[doc.doc_id] = {**info, "chunking": chunking}
            continue
        candidates[doc.doc_id] = chunks
        (summary.updated if info else summary.added).append(doc.doc_id)
        plan.records[doc.doc_id] = {**_record(doc, chunks), "chunking": chunking}
    old = _old_hashes(index, candidates)
    for doc_id, chunks in candidates.items():
        for c in chunks:
            (plan.same if old.get(c.chunk_id) == c.content_hash else plan.fresh).append(c)
        ids = {c.chunk_id for c in chunks}
        plan.stale += sorted(i for i in old if i.split("#")[0] == doc_id and i not in ids)
    return plan


def _old_hashes(index: Index, candidates: dict[str, list[Chunk]]) -> dict[str, str]:
    """chunk id -> content hash of what is stored for these documents (by id, in slices)."""
    if index.collection.count() == 0:
        return {}  # a fresh build: nothing to compare with
    known = index.state.documents
    ids = [
        i
        for doc_id, chunks in candidates.items()
        for i in _chunk_ids(
            doc_id, {"chunks": max(len(chunks), known.get(doc_id, {}).get("chunks", 0))}
        )
    ]
    old: dict[str, str] = {}
    for start in range(0, len(ids), BATCH):
        got = index.collection.get(ids=ids[start : start + BATCH], include=["metadatas"])
        for i, m in zip(got["ids"], got["metadatas"] or [], strict=True):
            old[i] = str((m or {}).get("content_hash"))
    return old


def write_plan(index: Index, plan: Plan, embeddings: CachedEmbeddings, progress: bool) -> None:
    """Embed and upsert new text in large batches, refresh metadata, delete stale chunks."""
    from tqdm import tqdm

    collection = index.collection
    with tqdm(
        total=len(plan.fresh), desc="inbedden", unit="stuk", disable=not progress or not plan.fresh
    ) as bar:
        for start in range(0, len(plan.fresh), BATCH):
            part = plan.fresh[start : start + BATCH]
            _upsert(collection, part, embeddings)
            heartbeat(index)
            bar.update(len(part))
    for start in range(0, len(plan.same), BATCH):
        part = plan.same[start : start + BATCH]
        collection.update(ids=[c.chunk_id for c in part], metadatas=[c.metadata() for c in part])
    for start in range(0, len(plan.stale), BATCH):
        collection.delete(ids=plan.stale[start : start + BATCH])


def reconcile(index: Index) -> int:
    """The chunk count, after deleting any chunk no recorded document owns (left by a writer
    that was killed between writing chunks and recording its documents)."""
    count = index.collection.count()
    expected = sum(int(info["chunks"]) for info in index.state.documents.values())
    if count == expected:
        return count
    owned = {i for d, info in index.state.documents.items() for i in _chunk_ids(d, info)}
    stored = index.collection.get(include=[])["ids"]
    orphans = [i for i in stored if i not in owned]
    log.warning("deleting %d chunks no recorded document owns", len(orphans))
    for start in range(0, len(orphans), BATCH):
        index.collection.delete(ids=orphans[start : start + BATCH])
    return index.collection.count()


def _chunking(settings: Settings) -> str:
    """The chunking settings a document's chunks were made with (part of its record)."""
    return f"{settings.chunk_size}/{settings.chunk_min_size}"


def _chunk_ids(doc_id: str, info: dict[str, Any]) -> list[str]:
    return [f"{doc_id}#{n:04d}" for n in range(int(info["chunks"]))]


def _record(doc: SourceDocument, chunks: list[Chunk]) -> dict[str, Any]:
    return {
        "title": doc.title,
        "url": doc.url,
        "path": str(doc.path.resolve()),
        "source": str(doc.path),
        "doc_hash": chunks[0].doc_hash,
        "chunks": len(chunks),
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "contact": str(doc.meta["contact"]) if doc.meta.get("contact") else None,
    }


def _upsert(
    collection: chromadb.Collection, chunks: list[Chunk], embeddings: CachedEmbeddings
) -> None:
    """Embed (through the cache) and upsert one batch of chunks from any number of documents."""
    collection.upsert(
        ids=[c.chunk_id for c in chunks],
        embeddings=embeddings.embed_array([embedding_text(c) for c in chunks]),
        documents=[c.text for c in chunks],
        metadatas=[c.metadata() for c in chunks],
    )


def embedding_text(chunk: Chunk) -> str:
    """What is embedded: the passage with its title and section, so it is found in context."""
    heading = " - ".join(x for x in (chunk.title, chunk.section) if x and x != chunk.title) or ""
    return f"{chunk.title}{' - ' + heading if heading else ''}\n{chunk.text}"


def delete_documents(doc_ids: Sequence[str], settings: Settings) -> list[str]:
    """Remove documents from the index; returns the ids that were there."""
    with write_lock(settings), store_errors(settings):
        client = open_client(settings)
        if read_state(client, settings.collection) is None:
            return []
        index = open_for_write(settings)
        documents = index.state.documents
        removed = [d for d in doc_ids if d in documents]
        if removed:
            mark_pending(index)
            stale = [i for d in removed for i in _chunk_ids(d, documents[d])]
            for start in range(0, len(stale), BATCH):
                index.collection.delete(ids=stale[start : start + BATCH])
            index = commit(index, {}, removed, index.revision + 1)
            reconcile(index)
            index.keyword()
        return removed


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)
