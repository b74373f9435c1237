"""The naive LangChain pipeline a user would build in an afternoon, as the peer to compare with:
RecursiveCharacterTextSplitter(1000, 200) + HuggingFaceEmbeddings (MiniLM) + Chroma top 4."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Naive:
    store: Chroma
    chunks: int
    build_s: float
    computed: int  # document vectors MiniLM computed (the rest came from the cache)

    last_ms: float = 0.0  # how long the last search took

    def search(self, question: str) -> list[str]:
        started = time.perf_counter()
        texts = [d.page_content for d in self.store.similarity_search(question, k=K)]
        self.last_ms = (time.perf_counter() - started) * 1000
        return texts


class NaiveProcess:
    """The naive pipeline's index (made by ``build_naive``) searched in a process of its own, as
    its users would run it, with one torch thread (see ``serve``): in the benchmark's process,
    torch's two threads shared the two cores with numpy's, and some runs had its searches take
    470 ms instead of 11. ``search`` gives the four texts; ``last_ms`` is the time the search
    took in that process."""

    def __init__(self, data_dir: Path, build_s: float = 0.0, computed: int = 0) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.naive", str(data_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
            env=env,
        )
        self.chunks = int(self._reply()["chunks"])
        self.build_s, self.computed, self.last_ms = build_s, computed, 0.0

    def _reply(self) -> dict[str, object]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the naive pipeline's process ended ({self.process.wait()})")
        return json.loads(line)

    def search(self, question: str) -> list[str]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(question) + "\n")
        self.process.stdin.flush()
        reply = self._reply()
        self.last_ms = float(reply["ms"])  # type: ignore[arg-type]
        return list(reply["texts"])  # type: ignore[call-overload]

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def open_naive(data_dir: Path) -> Naive:
    """The naive pipeline's index in ``data_dir``, its queries embedded by MiniLM (uncached)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings

    client = chromadb.PersistentClient(
        path=str(data_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    model = HuggingFaceEmbeddings(model_name=minilm_path())
    store = Chroma(client=client, collection_name=NAME, embedding_function=model)
    return Naive(store, client.get_collection(NAME).count(), 0.0, 0)


def serve(data_dir: Path) -> None:
    """``NaiveProcess``'s other end: a JSON question per line in, the texts and ms out.

    One torch thread, as Leerstad's encoder has one BLAS thread: with torch's default of two on
    the two shared cores, its searches took 100-500 ms in some runs and 12-14 ms with one
    (2026-11-30, load average 1.7-2.1), so the peer is measured at its best."""
    import torch

    torch.set_num_threads(1)
    naive = open_naive(data_dir)
    naive.search("opwarmen")  # loaded and warm
    print(json.dumps({"chunks": naive.chunks}), flush=True)
    for line in sys.stdin:
        texts = naive.search(json.loads(line))
        print(json.dumps({"ms": naive.last_ms, "texts": texts}), flush=True)


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


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
