"""Vectors of a passage's sentences and its text that depend on the passage alone.

Some encoders give a text a slightly different vector in another batch (USE's numpy backend:
up to 3e-7 per component). A passage's sentences and its text are therefore encoded in a batch
of their own, so their vectors are a function of the passage and can be kept in the embedding
cache by its content, computed once in any process (or at ingest:
``LEERSTAD_SENTENCE_VECTORS=ingest``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from assistant.embedding_cache import text_key
from assistant.text.sentences import passage_sentences, splits_version

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from numpy.typing import NDArray

    from assistant.records import Chunk


def batch(chunk: Chunk) -> list[str]:
    """What is encoded together for one passage: its sentences, then its text."""
    return [*passage_sentences(chunk.text, chunk.sentences), chunk.text]


def keys(chunk: Chunk, size: int) -> list[bytes]:
    """The cache keys of a passage's batch of ``size`` texts (apart from any text's own key:
    the same text in another batch has another vector)."""
    prefix = f"passage batch {splits_version()} {size}\n"
    return [text_key(f"{prefix}{i}\n{chunk.text}") for i in range(size)]


def encode(model: Embeddings, batches: Sequence[Sequence[str]]) -> NDArray[np.float32]:
    """Each batch encoded on its own, the rows of all of them in order."""
    array = getattr(model, "embed_array", None)  # USE: without the Python lists
    parts = [
        np.asarray(array(list(b)) if array else model.embed_documents(list(b)), np.float32)
        for b in batches
    ]
    return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)
