"""The dense search's ef_search against its latency and recall, side by side in one run.

``python -m bench.hnsw DATA_DIR --ef 100 400`` copies the Chroma index of DATA_DIR once per
ef_search value, sets it, and asks the questions of a dataset to every copy in turn (the order
alternating per round), timing each query. Recall@k is the share of the exact k nearest chunks
(cosine over every stored vector) that the search returned. One JSON line per value.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.settings import Settings
from evals.dataset import load_dataset

ROUNDS = 3


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.hnsw", description=__doc__)
    p.add_argument("data_dir", type=Path, help="a Leerstad data dir with a persistent index")
    p.add_argument("--ef", type=int, nargs="+", default=[100, 400])
    p.add_argument("--k", type=int, default=Settings().dense_k)
    p.add_argument("--dataset", type=Path, default=Path("evals/datasets/holdout.jsonl"))
    args = p.parse_args(argv)
    import chromadb

    from assistant.embedding_models import build_embeddings

    settings = Settings(data_dir=args.data_dir)
    embeddings = build_embeddings(settings)
    vectors = [embeddings.embed_query(e.question) for e in load_dataset(args.dataset)]
    with tempfile.TemporaryDirectory(prefix="leerstad-hnsw-") as tmp:
        collections = {}
        for ef in args.ef:
            copy = Path(tmp) / f"ef{ef}"
            shutil.copytree(settings.chroma_dir, copy)
            collection = chromadb.PersistentClient(str(copy)).get_collection(settings.collection)
            collection.modify(configuration={"hnsw": {"ef_search": ef}})
            collection.query(query_embeddings=[vectors[0]], n_results=args.k)  # loads the index
            collections[ef] = collection
        stored = next(iter(collections.values())).get(include=["embeddings"])
        ids = np.array(stored["ids"])
        matrix = np.asarray(stored["embeddings"], dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        times: dict[int, list[float]] = {ef: [] for ef in args.ef}
        recall: dict[int, list[float]] = {ef: [] for ef in args.ef}
        for round_ in range(ROUNDS):
            order = args.ef if round_ % 2 == 0 else args.ef[::-1]
            for vector in vectors:
                query = np.asarray(vector, dtype=np.float32)
                exact = set(ids[np.argsort(-(matrix @ (query / np.linalg.norm(query))))[: args.k]])
                for ef in order:
                    started = time.perf_counter()
                    found = collections[ef].query(query_embeddings=[vector], n_results=args.k)
                    times[ef].append((time.perf_counter() - started) * 1000)
                    recall[ef].append(len(exact & set(found["ids"][0])) / args.k)
    for ef in args.ef:
        print(
            json.dumps(
                {
                    "ef_search": ef,
                    "chunks": len(ids),
                    "queries": len(times[ef]),
                    "p50_ms": round(float(np.median(times[ef])), 2),
                    "p95_ms": round(float(np.percentile(times[ef], 95)), 2),
                    f"recall_at_{args.k}": round(float(np.mean(recall[ef])), 4),
                }
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
