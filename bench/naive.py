"""The naive LangChain pipeline a user would build in an afternoon, as the peer to compare with:
RecursiveCharacterTextSplitter(1000, 200) + HuggingFaceEmbeddings (MiniLM) + Chroma top 4."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.embedding_cache import CachedEmbeddings, EmbeddingCache, cache_file
from assistant.embeddings import MINILM, minilm_path
from ingest.load import discover, load_document

if TYPE_CHECKING:
    from langchain_chroma import Chroma

K = 4
NAME = "naive"


@dataclass
class Naive:
    store: Chroma
    chunks: int
    build_s: float
    computed: int  # document vectors MiniLM computed (the rest came from the cache)

    def search(self, question: str) -> list[str]:
        return [d.page_content for d in self.store.similarity_search(question, k=K)]


def naive_splits(folders: list[Path]) -> Iterator[tuple[Path, list[str]]]:
    """Each document's chunks as the naive pipeline splits them."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    for path in discover(folders):
        yield path, splitter.split_text(load_document(path).text)


def naive_embeddings(cache_dir: Path) -> CachedEmbeddings:
    """MiniLM as the naive pipeline uses it (raw vectors), behind their own cache file."""
    from langchain_huggingface import HuggingFaceEmbeddings

    model = minilm_path()
    return CachedEmbeddings(
        lambda: HuggingFaceEmbeddings(model_name=model),
        EmbeddingCache(cache_file(cache_dir, f"naive-{MINILM}")),
    )


def build_naive(folders: list[Path], data_dir: Path, cache_dir: Path) -> Naive:
    """Index ``folders`` the naive way, in an empty ``data_dir``. Its document vectors go
    through the benchmark's embedding cache (raw MiniLM vectors, not normalised: their own
    cache file); its query vectors never do, so its search latency is what a user of this
    pipeline gets."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    started = time.perf_counter()
    texts = [t for _, split in naive_splits(folders) for t in split]
    embeddings = naive_embeddings(cache_dir)
    shutil.rmtree(data_dir, ignore_errors=True)
    client = chromadb.PersistentClient(
        path=str(data_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    store = Chroma(client=client, collection_name=NAME, embedding_function=embeddings)
    for start in range(0, len(texts), 1024):
        part = texts[start : start + 1024]
        store.add_texts(part, ids=[f"c{start + i}" for i in range(len(part))])
    return Naive(store, len(texts), time.perf_counter() - started, embeddings.computed)
