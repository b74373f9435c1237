"""What ingest prepares for answers with ``LEERSTAD_SENTENCE_VECTORS=ingest``, besides the chunks'
own vectors: each chunk's sentence splits, and its sentences', text's and words' vectors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant import passage_vectors
from assistant.embedding_cache import EmbeddingCache
from assistant.records import Chunk
from assistant.text.sentences import stored_splits

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ingest.encoder import Encoded, Encoding


def with_splits(chunks: list[Chunk]) -> list[Chunk]:
    """The chunks with their sentence splits, stored with them so an answer need not split
    them (about 1.6 ms a chunk of 270 characters; done while the encoder works on the batch)."""
    return passage_vectors.with_found_splits(chunks, lambda ts: {t: stored_splits(t) for t in ts})


def encode_sentences(
    chunks: list[Chunk], cache: EmbeddingCache, encoder: Encoding, words_sent: set[str]
) -> tuple[list[bytes], Future[Encoded] | None]:
    """Hand the encoder the sentences and text of each chunk whose own batch of them is not in
    the cache, each chunk on its own, and each word not in the cache (nor sent before: added to
    ``words_sent``) on its own; returns the cache keys of the rows to come, and their future."""
    texts = [passage_vectors.batch(c) for c in chunks]
    keys = [passage_vectors.keys(c, len(t)) for c, t in zip(chunks, texts, strict=True)]
    known = cache.get_many([k for ks in keys for k in ks])
    todo = [i for i, ks in enumerate(keys) if any(k not in known for k in ks)]
    batches = [texts[i] for i in todo]
    rows = [k for i in todo for k in keys[i]]
    words = {w for c in chunks for w in passage_vectors.passage_words(c)} - words_sent
    words_sent |= words
    known_words = cache.get_many([passage_vectors.word_key(w) for w in words])
    new_words = sorted(w for w in words if passage_vectors.word_key(w) not in known_words)
    batches += [[w] for w in new_words]
    rows += [passage_vectors.word_key(w) for w in new_words]
    return rows, encoder.submit_each(batches) if batches else None
