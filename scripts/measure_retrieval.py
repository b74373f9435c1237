"""Warm retrieval and answer latency with a per-stage breakdown (numbers in docs/benchmarks.md).

    LEERSTAD_DATA_DIR=... PYTHONPATH=CHECKOUT .venv/bin/python scripts/measure_retrieval.py

Runs the benchmark's own loop (``bench.run.answers``: the 45 held-out questions, warm, each
searched and then answered) on the index the LEERSTAD_* settings name, then searches every
question once more in a new assistant and reports each stage's median. Prints one JSON line.
Run it from checkouts of the old and the new code in alternating processes to compare them;
it also reads the stage timings of the code before "Retrieval at 100k" (``--no-chunk-cache``
turns the retriever's chunk cache off).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any


def _timed(spent: list[float], call: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            spent[-1] += (time.perf_counter() - started) * 1000

    return wrapper


def stages(questions: list[str]) -> dict[str, Any]:
    """Median time of each stage of ``HybridRetriever.search`` over ``questions``, in ms."""
    from assistant import Assistant

    retriever = Assistant().retriever
    retriever.search(questions[0])
    embed: list[float] = [0.0]
    fetch: list[float] = [0.0]
    retriever.store.embeddings.embed_query = _timed(embed, retriever.store.embeddings.embed_query)
    old = not hasattr(retriever, "_chunks")
    if old:  # the old code read the keyword hits the dense search missed with store.get
        retriever.store.get = _timed(fetch, retriever.store.get)
    per: dict[str, list[float]] = {}
    total: list[float] = []
    for question in questions:
        embed.append(0.0)
        fetch.append(0.0)
        started = time.perf_counter()
        _, timings = retriever.search(question)
        total.append((time.perf_counter() - started) * 1000)
        if old:  # its dense_ms held the query embedding and the texts of the dense hits
            timings.update(
                dense_ms=timings["dense_ms"] - embed[-1], embed_ms=embed[-1], fetch_ms=fetch[-1]
            )
        for name, ms in timings.items():
            per.setdefault(name, []).append(ms)
    return {
        "search_p50_ms": round(statistics.median(total), 2),
        "stages_p50_ms": {k: round(statistics.median(v), 2) for k, v in per.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-chunk-cache", action="store_true")
    args = parser.parse_args()
    if args.no_chunk_cache:
        import assistant.retrieval.hybrid

        assistant.retrieval.hybrid.CHUNK_CACHE = 0
    from assistant.settings import Settings
    from bench.run import QUESTIONS, answers
    from evals.dataset import load_dataset

    examples = load_dataset(QUESTIONS)
    result = answers(Settings.from_env(), examples)
    result.update(stages([e.question for e in examples]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
