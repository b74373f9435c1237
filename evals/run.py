"""Run a dataset through the assistant, optionally on a throw-away index with extra documents."""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.dataset import Example
from evals.metrics import Case, K
from evals.stats import RESAMPLES, SEED

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from rich.progress import Progress

    from assistant.settings import Settings


@contextmanager
def eval_settings(
    settings: Settings, extra_corpus: Sequence[Path], progress: bool = True
) -> Iterator[Settings]:
    """The settings to evaluate with.

    Without extra corpus dirs: the user's settings and index, read-only. With them: a fresh
    embedded index in a temporary data dir holding the corpus dir plus the extra dirs, deleted
    afterwards; the user's index (embedded or server) is never touched.
    """
    if not extra_corpus:
        yield settings
        return
    from assistant.store import reset_client_cache
    from ingest import enrich_if_asked, ingest_paths

    with tempfile.TemporaryDirectory(prefix="leerstad-eval-", ignore_cleanup_errors=True) as tmp:
        # The user's embedding cache is shared: no text is embedded twice across eval runs.
        scratch = settings.with_(
            data_dir=Path(tmp), chroma="persistent", cache_dir=settings.embedding_cache_dir
        )
        try:
            ingest_paths([settings.corpus_dir, *extra_corpus], scratch, progress=progress)
            enrich_if_asked(scratch, progress=progress)  # as `leerstad ingest` prepares passages
            yield scratch
        finally:
            # Cached embedded clients would otherwise point at the deleted directory.
            reset_client_cache()


def answer_all(
    examples: Sequence[Example], settings: Settings, progress: bool = True
) -> tuple[list[Case], list[dict[str, Any]]]:
    """Ask every question (with its history) and time it; returns cases and per-answer extras."""
    from assistant import Assistant

    assistant = Assistant(settings)
    cases: list[Case] = []
    extras: list[dict[str, Any]] = []
    with progress_bar(progress) as bar:
        task = bar.add_task("Vragen beantwoorden", total=len(examples))
        for example in examples:
            history = play(assistant, example.history)
            start = time.perf_counter()
            answer = assistant.answer(example.question, history)
            latency = (time.perf_counter() - start) * 1000
            cases.append(
                Case(
                    example=example,
                    answer=answer.text,
                    abstained=answer.abstained,
                    sources=tuple(s.to_json() for s in answer.sources),
                    latency_ms=latency,
                )
            )
            extras.append(
                {
                    "backend": answer.backend,
                    "notices": list(answer.notices),
                    "query": answer.query,
                    "language": answer.language,
                    "edits": list(answer.edits),
                    "timings_ms": {k: round(v, 1) for k, v in answer.timings_ms.items()},
                    "confidence": answer.confidence,
                }
            )
            bar.advance(task)
    return cases, extras


def play(assistant: Any, questions: Sequence[str]) -> list[Any]:
    """The conversation before a question as it happened: each earlier question answered by the
    assistant in turn, so a follow-up is resolved against what was really answered."""
    from assistant import Turn

    turns: list[Turn] = []
    for question in questions:
        answer = assistant.answer(question, turns)
        turns.append(Turn(question, answer.text, tuple(s.chunk_id for s in answer.sources)))
    return turns


def progress_bar(enabled: bool) -> Progress:
    """A progress bar with the count done and the time left."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    return Progress(*columns, disable=not enabled, transient=False)


def judge_all(
    chat_model: BaseChatModel, cases: Sequence[Case], progress: bool = True
) -> list[Case]:
    """The cases with the LLM judge's faithfulness verdict on each answer."""
    from evals.judge import judge_faithfulness

    judged: list[Case] = []
    with progress_bar(progress) as bar:
        task = bar.add_task("Antwoorden beoordelen", total=len(cases))
        for case in cases:
            verdict = judge_faithfulness(
                chat_model,
                case.example.question,
                case.answer,
                case.sources,
                abstained=case.abstained,
            )
            judged.append(replace(case, judge=verdict))
            bar.advance(task)
    return judged


def judge_metadata(settings: Settings) -> dict[str, Any]:
    """Which model judged with which prompt (scores of other judges are not comparable)."""
    from evals.judge import PROMPT_SHA256, judge_name

    return {
        "llm": judge_name(settings),
        "own_answers": not settings.judge_llm or settings.judge_llm == settings.llm,
        "prompt_sha256": PROMPT_SHA256,
    }


def index_state(settings: Settings) -> dict[str, Any]:
    """Documents (ids and content hashes) and revision of the index that was evaluated."""
    from assistant.errors import LeerstadError
    from assistant.store import open_client, read_state

    try:
        state = read_state(open_client(settings), settings.collection)
    except LeerstadError as e:
        return {"error": str(e)}
    if state is None:
        return {"error": "geen index gevonden"}
    return {
        "embedding_model": state.embedding_model,
        "embedding_dim": state.embedding_dim,
        "revision": state.revision,
        "documents": state.documents,
    }


def git_commit() -> dict[str, Any] | None:
    """HEAD commit of the checkout and whether it has uncommitted changes; None without git."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head, "dirty": bool(status.strip())}


def run_metadata(
    settings: Settings,
    cases: Sequence[Case],
    extras: Sequence[dict[str, Any]],
    dataset: Path,
    dataset_sha256: str,
    extra_corpus: Sequence[Path],
) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "n": len(cases),
        "dataset": {"path": str(dataset), "sha256": dataset_sha256},
        "settings": settings.describe(),
        "backend": sorted({e["backend"] for e in extras}) or [settings.llm],
        "embedding_model": settings.embedding_model,
        "corpus": {
            "corpus_dir": str(settings.corpus_dir),
            "extra_corpus": [str(p) for p in extra_corpus],
            "index": index_state(settings),
        },
        "git": git_commit(),
        "retrieval_k": K,
        "bootstrap": {"resamples": RESAMPLES, "seed": SEED, "interval": "percentile, 95%"},
    }
