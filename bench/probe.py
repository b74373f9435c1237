"""What the benchmark runs in a fresh process: an ingest, the passage enrichment after it, a cold
start to the first answer, or the warm answers of a question set (beside the naive pipeline's
index when one is given).

Settings come from the LEERSTAD_* environment, as in production. Prints one JSON line.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType

STARTED = time.perf_counter()


def ingest(paths: list[str]) -> dict[str, object]:
    from assistant.settings import Settings
    from assistant.store import open_index
    from ingest import ingest_paths

    settings = Settings.from_env()
    summary = ingest_paths([Path(p) for p in paths], settings, progress=False)
    keyword = open_index(settings).keyword()
    return {
        "seconds": summary.seconds,
        "chunks": summary.chunks,
        "embedded": summary.embedded,
        "computed": summary.computed,
        "encode_s": round(summary.encode_seconds, 2),
        "unchanged": len(summary.unchanged),
        "changed": len(summary.added) + len(summary.updated),
        "keyword_build_s": round(keyword.build_seconds, 2),
        "encoder_timeline": {k: round(v, 2) for k, v in summary.encoder_timeline().items()},
    }


def enrich() -> dict[str, object]:
    """What ``leerstad ingest`` does once the index is usable (LEERSTAD_SENTENCE_VECTORS=after)."""
    from assistant.settings import Settings
    from ingest import enrich

    summary = enrich(Settings.from_env(), progress=False)
    return {
        "seconds": summary.seconds,
        "chunks": summary.chunks,
        "split": summary.split,
        "vectors": summary.vectors,
        "encode_s": round(summary.encode_seconds, 2),
    }


def first_answer(question: str) -> dict[str, object]:
    from assistant import Assistant

    answer = Assistant().answer(question)
    return {"answered_s": time.perf_counter() - STARTED, "abstained": answer.abstained}


def warm_answers(questions: str, naive_dir: str = "") -> dict[str, object]:
    """``bench.answers.answers`` on these questions; the naive pipeline's index in
    ``naive_dir`` (built by ``bench.naive.build_naive``) is searched after each question, in
    its own process.

    The loop and the naive pipeline are this file's checkout's (``bench.fresh.answer_rounds``
    runs this file with another checkout's code first on the path), so two codes are measured
    the same way."""
    import assistant
    from assistant.settings import Settings
    from evals.dataset import load_dataset

    loop, naive_module = _here("answers"), _here("naive")
    naive = naive_module.NaiveProcess(Path(naive_dir)) if naive_dir else None
    try:
        result = loop.answers(Settings.from_env(), load_dataset(Path(questions)), naive)
    finally:
        if naive is not None:
            naive.close()
    return {**result, "code": str(Path(assistant.__file__).resolve().parents[1])}


def _here(name: str) -> ModuleType:
    """The module ``name`` of this file's folder, whichever ``bench`` package is on the path."""
    path = Path(__file__).resolve().with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_bench_here_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> None:
    from bench.measure import children_peak_rss_mb, peak_rss_mb

    kind, *rest = argv
    if kind == "ingest":
        result = ingest(rest)
    elif kind == "enrich":
        result = enrich()
    elif kind == "answers":
        result = warm_answers(*rest)
    else:
        result = first_answer(rest[0])
    memory = {"peak_rss_mb": peak_rss_mb(), "children_peak_rss_mb": children_peak_rss_mb()}
    print(json.dumps({**result, **memory}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
