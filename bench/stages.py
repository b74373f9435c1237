"""Where a warm answer's time goes: each stage of ``Assistant.answer``, timed per question.

    LEERSTAD_DATA_DIR=... python -m bench.stages evals/datasets/dev.jsonl [--cprofile N]

Asks every question of the datasets as the benchmark does (retrieval alone, then the full
answer with its history), after one warm-up question, and reports each stage's total, median
per question and share of the answers' time. Stages are inclusive (``search`` is inside
``prepare``), so the shares of nested stages do not add up. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# (module, object, attribute): what is timed. Missing ones (other code versions) are skipped.
STAGES = (
    ("assistant.assistant", "Assistant", "prepare"),
    ("assistant.retrieval.hybrid", "HybridRetriever", "search"),
    ("assistant.answering.extractive", "ExtractiveBackend", "answer"),
    ("assistant.answering.extractive", "ExtractiveBackend", "analyse"),
    ("assistant.answering.extractive", "ExtractiveBackend", "candidates"),
    ("assistant.answering.features", None, "_sentences"),
    ("assistant.answering.features", "SoftCoverage", "__init__"),
    ("assistant.answering.features", "SoftCoverage", "__call__"),
    ("assistant.answering.features", None, "_passage_values"),
    ("assistant.answering.extractive", "SentenceVectors", "__call__"),
    ("assistant.answering.scorer", "AnswerModel", "probabilities"),
    ("assistant.answering.scorer", "AnswerModel", "confidence"),
    ("assistant.answering.parts", None, "split_parts"),
    ("assistant.text.language", None, "detect_language"),
    ("assistant.text.sentences", None, "split_sentences"),
    ("assistant.text.sentences", None, "passage_sentences"),
    ("assistant.passage_vectors", "PassageVectors", "with_splits"),
    ("assistant.passage_vectors", "PassageVectors", "for_passages"),
    ("assistant.passage_vectors", "PassageVectors", "_word_rows"),
    ("assistant.passage_vectors", "PassageVectors", "_passage_rows"),
    ("assistant.passage_vectors", "PassageVectors", "_split_texts"),
    ("assistant.passage_vectors", None, "encode"),
    ("assistant.embedding_cache", "EmbeddingCache", "get_many"),
    ("assistant.embedding_cache", "EmbeddingCache", "get_splits"),
    ("assistant.embedding_cache", "EmbeddingCache", "put_many"),
)
ENCODE = "model encode (texts not in memory)"
REST = "answer outside prepare and the backend"


_DEPTH: dict[str, int] = {}  # per stage name: calls inside calls of it count once


def _wrap(spent: dict[str, float], name: str, call: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        _DEPTH[name] = _DEPTH.get(name, 0) + 1
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            _DEPTH[name] -= 1
            if not _DEPTH[name]:
                spent[name] = spent.get(name, 0.0) + (time.perf_counter() - started) * 1000

    return timed


def instrument(spent: dict[str, float]) -> None:
    """Wrap every stage in STAGES (and the embedding model's encode) to add its ms to ``spent``."""
    import importlib

    for module_name, owner, attr in STAGES:
        module = importlib.import_module(module_name)
        target = getattr(module, owner) if owner else module
        if not hasattr(target, attr):
            continue
        name = f"{owner}.{attr}" if owner else attr
        setattr(target, attr, _wrap(spent, name, getattr(target, attr)))
        if owner is None:  # also where other modules imported the function by name
            for other in ("assistant.answering.features", "assistant.assistant"):
                imported = importlib.import_module(other)
                if hasattr(imported, attr):
                    setattr(imported, attr, getattr(target, attr))


def run(datasets: list[Path], cprofile: int, passes: int = 1) -> dict[str, Any]:
    from assistant import Assistant
    from assistant.embedding_models import build_embeddings
    from assistant.settings import Settings
    from bench.answers import forget_alone
    from evals.dataset import load_dataset

    examples = [e for path in datasets for e in load_dataset(path)]
    settings = Settings.from_env()
    assistant = Assistant(settings)
    assistant.answer(examples[0].question)  # warm: models and indexes loaded
    per_question: list[dict[str, float]] = []
    spent: dict[str, float] = {}
    instrument(spent)
    model = build_embeddings(settings)
    for method in ("embed_documents", "embed_array"):  # embed_array: USE, since this work
        if hasattr(model, method):
            setattr(model, method, _wrap(spent, ENCODE, getattr(model, method)))
    profiler = cProfile.Profile() if cprofile else None
    for example in [e for _ in range(passes - 1) for e in examples]:
        assistant.answer(example.question, list(example.history))  # earlier passes: untimed
    for example in examples:
        assistant.retriever.search(example.question)
        forget_alone(settings)
        spent.clear()
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        assistant.answer(example.question, list(example.history))
        if profiler:
            profiler.disable()
        spent["answer"] = (time.perf_counter() - started) * 1000
        inside = spent.get("Assistant.prepare", 0.0) + spent.get("ExtractiveBackend.answer", 0.0)
        spent[REST] = spent["answer"] - inside
        per_question.append(dict(spent))
    total = sum(q["answer"] for q in per_question)
    names = sorted({n for q in per_question for n in q}, key=lambda n: -_sum(per_question, n))
    result: dict[str, Any] = {
        "questions": len(examples),
        "answer_p50_ms": round(statistics.median(q["answer"] for q in per_question), 2),
        "stages": {
            n: {
                "total_ms": round(_sum(per_question, n), 1),
                "p50_ms": round(statistics.median(q.get(n, 0.0) for q in per_question), 2),
                "share": round(_sum(per_question, n) / total, 3),
            }
            for n in names
        },
    }
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(cprofile)
        result["cprofile_tottime"] = out.getvalue().splitlines()
    return result


def _sum(rows: list[dict[str, float]], name: str) -> float:
    return sum(r.get(name, 0.0) for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument(
        "--passes", type=int, default=1, help="time the last of N passes (what memory holds)"
    )
    parser.add_argument("--cprofile", type=int, default=0, help="also print the top N functions")
    args = parser.parse_args()
    result = run(args.datasets, args.cprofile, args.passes)
    lines = result.pop("cprofile_tottime", [])
    print(json.dumps(result, indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
