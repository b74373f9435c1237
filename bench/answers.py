"""Answers under measurement: warm latencies and evidence recall, Leerstad's and the naive
pipeline's, asked back to back per question."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from assistant.settings import Settings
from bench.measure import percentile
from evals.dataset import Example
from evals.matching import fact_found

if TYPE_CHECKING:
    from bench.naive import Naive, NaiveProcess


def evidence(texts: Sequence[str], example: Example) -> float:
    found = [any(fact_found(t, f) for t in texts) for f in example.expected_facts]
    return sum(found) / len(found)


def forget_alone(settings: Settings) -> None:
    """Make the answer encode its question itself, as it does when nothing searched it first:
    the model remembers texts it encoded alone (``UniversalSentenceEncoder``; other code and
    other models may not)."""
    from assistant.embedding_models import build_embeddings

    forget = getattr(build_embeddings(settings), "forget_alone", None)
    if forget is not None:
        forget()


def answers(
    settings: Settings, examples: list[Example], naive: Naive | NaiveProcess | None = None
) -> dict[str, Any]:
    """Warm latencies of retrieval alone and of the full default answer, and evidence recall.

    With ``naive``, the naive pipeline answers each question right after Leerstad, so both are
    timed under the same load of the shared machine.
    """
    from assistant import Assistant

    assistant = Assistant(settings)
    assistant.answer(examples[0].question)  # warm: models and indexes loaded
    if naive is not None:
        naive.search(examples[0].question)
    retrieval, full, recall, naive_ms, naive_recall = [], [], [], [], []
    for ex in examples:
        t = time.perf_counter()
        assistant.retriever.search(ex.question)
        retrieval.append((time.perf_counter() - t) * 1000)
        forget_alone(settings)
        t = time.perf_counter()
        answer = assistant.answer(ex.question, list(ex.history))
        full.append((time.perf_counter() - t) * 1000)
        texts: list[str] = []
        if naive is not None:
            texts = naive.search(ex.question)
            naive_ms.append(naive.last_ms)
        if ex.answerable and ex.expected_facts:
            recall.append(evidence([s.text for s in answer.sources], ex))
            naive_recall.append(evidence(texts, ex))
    result: dict[str, Any] = {
        "retrieval_p50_ms": percentile(retrieval, 50),
        "retrieval_p95_ms": percentile(retrieval, 95),
        "answer_p50_ms": percentile(full, 50),
        "answer_p95_ms": percentile(full, 95),
        "evidence_recall": round(sum(recall) / len(recall), 3),
        "questions": len(examples),
    }
    if naive is not None:
        ratios = [n / f for n, f in zip(naive_ms, full, strict=True)]
        result.update(
            naive_chunks=naive.chunks,
            naive_build_s=round(naive.build_s, 1),
            naive_computed=naive.computed,
            naive_p50_ms=percentile(naive_ms, 50),
            naive_p95_ms=percentile(naive_ms, 95),
            naive_evidence_recall=round(sum(naive_recall) / len(naive_recall), 3),
            speedup_vs_naive=round(percentile(naive_ms, 50) / percentile(full, 50), 3),
            # The same ratio per question (naive, then Leerstad, back to back), its median.
            naive_vs_answer_per_question_p50=percentile(ratios, 50),
        )
    return result
