"""What an ingest changes: which documents are new or changed, and per chunk what to write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from assistant.records import Chunk
from assistant.settings import Settings
from assistant.store import Index
from ingest.load import SourceDocument

# Stored chunks looked up per request when comparing content hashes.
LOOKUP = 1024


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
    # Wall clock (time.time()): the run, and the first and last moment the model worked.
    started_at: float = 0.0
    ended_at: float = 0.0
    encode_from: float = 0.0
    encode_until: float = 0.0

    def encoded(self, started: float, ended: float) -> None:
        """Note one batch the model worked on from ``started`` to ``ended``."""
        self.encode_seconds += ended - started
        self.encode_from = min(self.encode_from or started, started)
        self.encode_until = max(self.encode_until, ended)

    def encoder_timeline(self) -> dict[str, float]:
        """Where the run's time went around the encoder: before its first batch, between its
        batches (waiting for chunks), in it, and after its last batch."""
        if not self.encode_seconds:
            return {}
        return {
            "before_s": self.encode_from - self.started_at,
            "between_s": self.encode_until - self.encode_from - self.encode_seconds,
            "encoding_s": self.encode_seconds,
            "after_s": self.ended_at - self.encode_until,
        }

    def line(self) -> str:
        """The one-line summary printed at the end of an ingest."""
        return (
            f"{len(self.added)} toegevoegd, {len(self.updated)} bijgewerkt, "
            f"{len(self.removed)} verwijderd, {len(self.unchanged)} ongewijzigd, "
            f"{len(self.skipped)} overgeslagen; {self.chunks} stukken in de index "
            f"({self.embedded} nieuw ingebed) in {self.seconds:.1f} s"
        )


@dataclass
class Plan:
    """What an ingest writes after the new text: gathered while the documents are chunked."""

    same: list[Chunk] = field(default_factory=list)  # same text: refresh metadata only
    stale: list[str] = field(default_factory=list)  # chunk ids to delete
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # documents to record
    tokens: dict[str, list[str]] = field(default_factory=dict)  # keyword tokens of new chunks

    def __bool__(self) -> bool:
        return bool(self.same or self.stale or self.records)


def changed_documents(
    index: Index,
    docs: list[SourceDocument],
    settings: Settings,
    summary: IngestSummary,
    on_document: Callable[[int, int], None] | None,
) -> list[SourceDocument]:
    """The documents whose text or chunking settings differ from their record; the others are
    noted as unchanged and not even chunked, so an unchanged re-ingest costs little more than
    reading the files."""
    known = index.state.documents
    chunking = chunking_of(settings)
    changed: list[SourceDocument] = []
    for doc in docs:
        info = known.get(doc.doc_id)
        if info and info["doc_hash"] == doc.doc_hash[:16] and info.get("chunking") == chunking:
            summary.unchanged.append(doc.doc_id)
            if on_document:
                on_document(len(summary.unchanged), len(docs))
        else:
            changed.append(doc)
    return changed


def plan_document(
    index: Index,
    doc: SourceDocument,
    chunks: list[Chunk],
    old: dict[str, str],
    settings: Settings,
    plan: Plan,
    summary: IngestSummary,
) -> list[Chunk]:
    """Record one changed document; returns its chunks that need a vector, and puts the others
    in ``plan`` (metadata to refresh, ids to delete)."""
    info = index.state.documents.get(doc.doc_id)
    chunking = chunking_of(settings)
    if info and info["doc_hash"] == chunks[0].doc_hash and info["chunks"] == len(chunks):
        # Recorded before the chunking settings were: record them, nothing to embed.
        summary.unchanged.append(doc.doc_id)
        plan.records[doc.doc_id] = {**info, "chunking": chunking}
        return []
    (summary.updated if info else summary.added).append(doc.doc_id)
    plan.records[doc.doc_id] = {**record(doc, chunks), "chunking": chunking}
    ids = {c.chunk_id for c in chunks}
    plan.stale += sorted(i for i in old if i.split("#")[0] == doc.doc_id and i not in ids)
    fresh: list[Chunk] = []
    for c in chunks:
        (plan.same if old.get(c.chunk_id) == c.content_hash else fresh).append(c)
    return fresh


def old_hashes(index: Index, docs: list[SourceDocument]) -> dict[str, str]:
    """chunk id -> content hash of what is stored for these documents (by id, in slices).

    Only the recorded chunks are looked up: an orphan beyond them (left by a killed writer) is
    overwritten, or deleted by ``reconcile``.
    """
    known = index.state.documents
    ids = [i for d in docs if d.doc_id in known for i in chunk_ids(d.doc_id, known[d.doc_id])]
    old: dict[str, str] = {}
    for start in range(0, len(ids), LOOKUP):
        got = index.collection.get(ids=ids[start : start + LOOKUP], include=["metadatas"])
        for i, m in zip(got["ids"], got["metadatas"] or [], strict=True):
            old[i] = str((m or {}).get("content_hash"))
    return old


def chunking_of(settings: Settings) -> str:
    """The chunking settings a document's chunks were made with (part of its record)."""
    return f"{settings.chunk_size}/{settings.chunk_min_size}"


def chunk_ids(doc_id: str, info: dict[str, Any]) -> list[str]:
    return [f"{doc_id}#{n:04d}" for n in range(int(info["chunks"]))]


def record(doc: SourceDocument, chunks: list[Chunk]) -> dict[str, Any]:
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
