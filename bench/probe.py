"""What the benchmark runs in a fresh process: an ingest, a cold start to the first answer, or
the warm answers of a question set (beside the naive pipeline's index when one is given).

Settings come from the LEERSTAD_* environment, as in production. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

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


def first_answer(question: str) -> dict[str, object]:
    from assistant import Assistant

    answer = Assistant().answer(question)
    return {"answered_s": time.perf_counter() - STARTED, "abstained": answer.abstained}


def warm_answers(questions: str, naive_dir: str = "") -> dict[str, object]:
    """``bench.answers.answers`` on these questions; the naive pipeline's index in
    ``naive_dir`` (built by ``bench.naive.build_naive``) is searched after each question.

    Self-contained beyond ``bench.answers``, so that another checkout's code can be measured
    with this file (``bench.run.answer_rounds``)."""
    from assistant.settings import Settings
    from bench.answers import answers
    from evals.dataset import load_dataset

    naive = None
    if naive_dir:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_huggingface import HuggingFaceEmbeddings

        from assistant.embeddings import minilm_path
        from bench.naive import NAME, Naive

        client = chromadb.PersistentClient(
            path=naive_dir, settings=ChromaSettings(anonymized_telemetry=False)
        )
        model = HuggingFaceEmbeddings(model_name=minilm_path())
        store = Chroma(client=client, collection_name=NAME, embedding_function=model)
        naive = Naive(store, client.get_collection(NAME).count(), 0.0, 0)
    import assistant

    result = answers(Settings.from_env(), load_dataset(Path(questions)), naive)
    return {**result, "code": str(Path(assistant.__file__).resolve().parents[1])}


def main(argv: list[str]) -> None:
    from bench.measure import children_peak_rss_mb, peak_rss_mb

    kind, *rest = argv
    if kind == "ingest":
        result = ingest(rest)
    elif kind == "answers":
        result = warm_answers(*rest)
    else:
        result = first_answer(rest[0])
    memory = {"peak_rss_mb": peak_rss_mb(), "children_peak_rss_mb": children_peak_rss_mb()}
    print(json.dumps({**result, **memory}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
