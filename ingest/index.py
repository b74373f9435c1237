"""Write chunks into the index: incremental by stable ids, locked, embedded in cached batches."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.embedding_cache import EmbeddingCache, text_key
from assistant.records import Chunk
from assistant.retrieval.keyword import KeywordIndex, chunk_tokens
from assistant.settings import Settings
from assistant.store import (
    Index,
    commit,
    heartbeat,
    mark_pending,
    open_client,
    open_for_write,
    read_state,
    was_pending,
)
from ingest.chunk import chunk_document
from ingest.encoder import Encoded, Encoding, chunks_for, encoding, estimated_chunks, result
from ingest.errors import NoDocumentsError
from ingest.guard import store_errors
from ingest.load import SourceDocument, load_all
from ingest.lock import write_lock
from ingest.passages import encode_sentences, with_splits
from ingest.plan import (
    IngestSummary,
    Plan,
    changed_documents,
    chunk_ids,
    old_hashes,
    plan_document,
)

if TYPE_CHECKING:
    from concurrent.futures import Future

    import chromadb
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

# Chunks embedded and written per step, across documents: large enough for the encoder's own
# batching, far below Chroma's maximum batch size (5461 on chromadb 1.5), and small enough that
# the first batch is chunked, and the last one written, in a fraction of a second.
BATCH = 512
# Batches handed to the encoder and not yet written: one it works on, one that waits for it.
AHEAD = 1
# The last chunks go to the encoder in batches this small, so that what is left to write when
# the encoder is done is small too (upserting 400 chunks took 0.2 s, see docs/benchmarks.md).
TAIL = 128


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
    embedded in large batches across documents, through the embedding cache; a large ingest
    encodes in a process of its own while this one chunks and writes (see ``write_changes``).
    A first build and a ``rebuild`` are written beside the served index and swapped in when
    complete, so an interrupted build is never served (the next writer drops or finishes it).
    ``on_document(done, total)`` is called after each document (the web app's progress).
    """
    started = time.perf_counter()
    summary = IngestSummary(started_at=time.time())
    with write_lock(settings), store_errors(settings), encoding(settings) as encoder:
        if _builds_new(settings, rebuild):
            encoder.start(estimated_chunks(paths, settings))  # loads while files are read
        docs = _load(paths, summary)
        index = open_for_write(settings, rebuild)
        pending = was_pending(index)
        changed = changed_documents(index, docs, settings, summary, on_document)
        roots = [p.resolve() for p in paths]
        present = {d.doc_id for d in docs}
        removed = [
            doc_id
            for doc_id, info in sorted(index.state.documents.items())
            if doc_id not in present and _under(Path(info["path"]), roots)
        ]
        summary.removed = removed
        if (changed or removed) and index.state.complete:
            mark_pending(index)
        encoder.estimated_chunks = chunks_for(sum(len(d.text) for d in changed), settings)
        plan = write_changes(index, changed, settings, summary, encoder, progress, on_document)
        plan.stale += [i for d in removed for i in chunk_ids(d, index.state.documents[d])]
        write_plan(index, plan, settings)
        changed_any = bool(summary.added or summary.updated or removed or pending)
        revision = index.revision + 1 if changed_any or not index.state.complete else index.revision
        index = commit(index, plan.records, removed, revision)
        summary.chunks = reconcile(index)
        KeywordIndex.for_collection(index.collection, settings, index.revision, plan.tokens)
    summary.seconds = time.perf_counter() - started
    summary.ended_at = time.time()
    return summary


def _load(paths: Sequence[Path], summary: IngestSummary) -> list[SourceDocument]:
    """Every readable document under ``paths``; raises NoDocumentsError when there is none."""
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
    return docs


def _builds_new(settings: Settings, rebuild: bool) -> bool:
    """Whether this ingest surely writes a new collection, known without opening Chroma (an
    import of a second) or reading the document record (seconds at 100k documents). Other first
    builds (on a server, or after an interrupted one) start the encoder at their first batch."""
    return rebuild or (settings.chroma == "persistent" and not settings.chroma_dir.exists())


@dataclass
class _Batch:
    """New chunks on their way through the encoder: what the cache had, and what it computes
    (with ``LEERSTAD_SENTENCE_VECTORS=ingest``, also their sentences' vectors)."""

    chunks: list[Chunk]
    keys: list[bytes]
    known: dict[bytes, NDArray[np.float32]]
    missing: list[bytes]
    future: Future[Encoded] | None
    sentence_keys: list[bytes] = field(default_factory=list)
    sentences: Future[Encoded] | None = None


def write_changes(
    index: Index,
    docs: list[SourceDocument],
    settings: Settings,
    summary: IngestSummary,
    encoder: Encoding,
    progress: bool = False,
    on_document: Callable[[int, int], None] | None = None,
) -> Plan:
    """Chunk ``docs`` and upsert their new text; returns what is left to write and record.

    New chunks go to the encoder in batches across documents. While it embeds one batch (in
    its own process, for a large ingest), this thread chunks the next documents and writes the
    batches it has finished: at most ``AHEAD`` wait, so memory stays bounded.
    """
    from tqdm import tqdm

    plan = Plan()
    old = old_hashes(index, docs)
    cache = EmbeddingCache.for_settings(settings)
    skipped = len(summary.unchanged)  # not chunked: already counted as done
    waiting: deque[_Batch] = deque()
    words_sent: set[str] | None = set() if settings.sentence_vectors == "ingest" else None
    fresh: list[Chunk] = []
    # The bar's total grows as documents are chunked: chunking runs ahead of the encoder.
    with tqdm(total=0, desc="inbedden", unit="stuk", disable=not progress or not docs) as bar:
        for done, doc in enumerate(docs, skipped + 1):
            chunks = chunk_document(doc, settings.chunk_size, settings.chunk_min_size)
            new = plan_document(index, doc, chunks, old, settings, plan, summary)
            fresh += new
            bar.total += len(new)
            if bar.total == len(new) > 0:
                bar.refresh()  # the first total: show it now, later ones with the next update
            if on_document:
                on_document(done, skipped + len(docs))
            while len(fresh) >= BATCH:
                waiting.append(_encode(fresh[:BATCH], cache, encoder, words_sent))
                fresh = fresh[BATCH:]
                while waiting and (len(waiting) > AHEAD or _ready(waiting[0])):
                    bar.update(_write(index, waiting.popleft(), cache, summary, plan))
        for start in range(0, len(fresh), TAIL):
            waiting.append(_encode(fresh[start : start + TAIL], cache, encoder, words_sent))
        encoder.finish()
        while waiting:
            bar.update(_write(index, waiting.popleft(), cache, summary, plan))
    return plan


def _encode(
    chunks: list[Chunk], cache: EmbeddingCache, encoder: Encoding, words_sent: set[str] | None
) -> _Batch:
    """Look the batch up in the cache and hand what it lacks to the encoder; with
    ``words_sent`` (``LEERSTAD_SENTENCE_VECTORS=ingest``: the words sent so far) also the
    chunks' sentence and word vectors."""
    texts = [embedding_text(c) for c in chunks]
    keys = [text_key(t) for t in texts]
    known = cache.get_many(keys)
    missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in known}
    future = encoder.submit(list(missing.values())) if missing else None
    batch = _Batch(chunks, keys, known, list(missing), future)
    if words_sent is not None:
        batch.chunks = with_splits(chunks)
        batch.sentence_keys, batch.sentences = encode_sentences(
            batch.chunks, cache, encoder, words_sent
        )
    return batch


def _ready(batch: _Batch) -> bool:
    return batch.future is None or batch.future.done()


def _write(
    index: Index, batch: _Batch, cache: EmbeddingCache, summary: IngestSummary, plan: Plan
) -> int:
    """Analyse the batch for the keyword index, then wait for its vectors, keep them in the
    cache and upsert the batch; returns its size."""
    for c in batch.chunks:
        plan.tokens[c.chunk_id] = chunk_tokens(c.text, c.metadata())
    if batch.future is not None:
        encoded = result(batch.future)
        computed = dict(zip(batch.missing, encoded.vectors, strict=True))
        cache.put_many(computed)  # before the upsert: a killed build resumes from the cache
        batch.known.update(computed)
        summary.computed += len(computed)
        summary.encoded(encoded.started, encoded.ended)
    if batch.sentences is not None:
        encoded = result(batch.sentences)
        cache.put_many(dict(zip(batch.sentence_keys, encoded.vectors, strict=True)))
        summary.encoded(encoded.started, encoded.ended)
    _upsert(index.collection, batch.chunks, np.stack([batch.known[k] for k in batch.keys]))
    heartbeat(index)
    summary.embedded += len(batch.chunks)
    return len(batch.chunks)


def write_plan(index: Index, plan: Plan, settings: Settings) -> None:
    """Refresh the metadata of chunks whose text is unchanged, and delete stale chunks."""
    collection = index.collection
    for start in range(0, len(plan.same), BATCH):
        part = plan.same[start : start + BATCH]
        if settings.sentence_vectors == "ingest":
            part = with_splits(part)
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
    owned = {i for d, info in index.state.documents.items() for i in chunk_ids(d, info)}
    stored = index.collection.get(include=[])["ids"]
    orphans = [i for i in stored if i not in owned]
    log.warning("deleting %d chunks no recorded document owns", len(orphans))
    for start in range(0, len(orphans), BATCH):
        index.collection.delete(ids=orphans[start : start + BATCH])
    return index.collection.count()


def _upsert(
    collection: chromadb.Collection, chunks: list[Chunk], vectors: NDArray[np.float32]
) -> None:
    """Upsert one batch of embedded chunks from any number of documents."""
    collection.upsert(
        ids=[c.chunk_id for c in chunks],
        embeddings=vectors,
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
            stale = [i for d in removed for i in chunk_ids(d, documents[d])]
            for start in range(0, len(stale), BATCH):
                index.collection.delete(ids=stale[start : start + BATCH])
            index = commit(index, {}, removed, index.revision + 1)
            reconcile(index)
            index.keyword()
        return removed


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)
