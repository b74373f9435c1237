"""Measurements in fresh processes: their LEERSTAD_* environment, the probe that runs them
(``bench.probe``), progress notes, and the warm answers of two checkouts side by side."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from bench.cachestate import forget_since

ROOT = Path(__file__).resolve().parents[1]

_T0 = time.perf_counter()


def note(message: str) -> None:
    """Progress on stderr, so --json output stays one object."""
    print(f"[{time.perf_counter() - _T0:6.1f} s] {message}", file=sys.stderr, flush=True)


def env_for(settings: Settings) -> dict[str, str]:
    """The LEERSTAD_* environment that makes a child process use ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEERSTAD_")}
    env.update(
        LEERSTAD_DATA_DIR=str(settings.data_dir),
        LEERSTAD_CACHE_DIR=str(settings.embedding_cache_dir),
        LEERSTAD_EMBEDDING_MODEL=settings.embedding_model,
        LEERSTAD_CHROMA=settings.chroma,
        LEERSTAD_COLLECTION=settings.collection,
        LEERSTAD_LOG_LEVEL="ERROR",
        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    )
    env["LEERSTAD_SENTENCE_VECTORS"] = settings.sentence_vectors
    return env


PROBE = Path(__file__).with_name("probe.py")


def probe(
    settings: Settings, *args: str, code: Path | None = None, own_probe: bool = False
) -> dict[str, Any]:
    """Run ``bench.probe`` in a fresh process; its JSON line plus the wall time in seconds.

    ``code``: run it with another checkout's code (from that folder: ``python -m`` puts the
    working directory first on the path). ``own_probe``: this checkout's probe.py even then
    (for kinds the other checkout's probe does not have), with the other code imported.
    """
    env = env_for(settings)
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code), env["PYTHONPATH"]])
        del env["LEERSTAD_SENTENCE_VECTORS"]  # the baseline as it ships (older code: unknown)
    launch = ["-m", "bench.probe"]
    if own_probe:
        launch = ["-c", f"import runpy; runpy.run_path({str(PROBE)!r}, run_name='__main__')"]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *launch, *args],
        env=env,
        cwd=code,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"bench.probe {args[0]} failed:\n{done.stderr[-3000:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "wall_s": round(wall, 2)}


# The answer timings a run reports (bench.run.TOP_LEVEL has them too).
ANSWER_TIMES = (
    "retrieval_p50_ms",
    "retrieval_p95_ms",
    "answer_p50_ms",
    "answer_p95_ms",
    "naive_p50_ms",
    "speedup_vs_naive",
)
# What answer_rounds compares of the two codes' runs (medians over the rounds).
ANSWER_FIGURES = (*ANSWER_TIMES, "naive_vs_answer_per_question_p50", "evidence_recall")


def answer_rounds(
    settings: Settings,
    baseline: Path,
    rounds: int,
    questions: Path,
    naive_dir: Path | None,
    ingested: set[bytes] | None = None,
) -> dict[str, Any]:
    """The warm answers of this code and of the ``baseline`` checkout's to ``questions`` on the
    index of ``settings``, each in a fresh process, ``rounds`` times alternating (the order
    flipped every round), so both are measured under the same load; the naive pipeline's index
    in ``naive_dir`` answers each question in both.

    ``ingested``: the embedding cache's keys as the ingest left them. Each run of this code
    then starts from that cache ("new": every passage seen for the first time since the
    ingest), and is followed by one with the vectors its answers kept ("new_seen": passages
    an earlier process answered from)."""
    runs: dict[str, list[dict[str, Any]]] = {"new": [], "baseline": []}
    if ingested is not None:
        runs["new_seen"] = []
    for n in range(rounds):
        order = [("new", None), ("baseline", baseline)]
        for label, code in order if n % 2 == 0 else order[::-1]:
            if label == "new" and ingested is not None:
                forget_since(settings, ingested)
            note(f"answers of the {label} code ({n + 1}/{rounds})")
            args = ["answers", str(questions), str(naive_dir or "")]
            runs[label].append(probe(settings, *args, code=code, own_probe=True))
            if label == "new" and ingested is not None:
                note(f"answers of the new code, passages seen before ({n + 1}/{rounds})")
                runs["new_seen"].append(probe(settings, *args, own_probe=True))
    medians = {
        label: {k: _median([r.get(k) for r in rows]) for k in ANSWER_FIGURES}
        for label, rows in runs.items()
    }
    ratios = [
        round(new["answer_p50_ms"] / old["answer_p50_ms"], 3)
        for new, old in zip(runs["new"], runs["baseline"], strict=True)
    ]
    return {
        "rounds": rounds,
        "baseline_code": str(baseline),
        **medians,
        "new_vs_baseline_answer_p50_per_round": ratios,
        "runs": runs,
    }


def _median(values: list[Any]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 3) if known else None
