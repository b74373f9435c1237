"""Leerstad beside the naive baselines: side-by-side scores, paired differences, per category."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from evals.baseline import COMPARED, LATENCY, BaselineRun
from evals.metrics import METRICS, Case, score
from evals.stats import paired_bootstrap_ci

TIE = 1e-9
BREAKDOWN_TAG = "category"  # the tag whose values get a row each in the Baseline breakdown


def summarise(leerstad: Sequence[Case], runs: dict[str, BaselineRun]) -> dict[str, Any] | None:
    """The ``baseline`` entry of summary.json: Leerstad's and each baseline's retrieval scores and
    latency side by side, and per baseline the paired difference Leerstad − baseline."""
    if not runs:
        return None
    names = COMPARED + LATENCY
    return {
        "leerstad": {"metrics": {m: score(METRICS[m], leerstad).to_json() for m in names}},
        "baselines": {name: _versus(leerstad, run) for name, run in runs.items()},
        "by_" + BREAKDOWN_TAG: _breakdown(leerstad, runs),
    }


def _breakdown(leerstad: Sequence[Case], runs: dict[str, BaselineRun]) -> dict[str, Any]:
    """Per value of the breakdown tag: the compared metrics of Leerstad and of each baseline."""
    systems = {"leerstad": list(leerstad)}
    for name, run in runs.items():
        by_id = {c.example.id: c for c in run.cases}
        systems[name] = [by_id[c.example.id] for c in leerstad if c.example.id in by_id]
    values = sorted(
        {c.example.tags[BREAKDOWN_TAG] for c in leerstad if BREAKDOWN_TAG in c.example.tags}
    )
    out: dict[str, Any] = {}
    for value in values:
        entry: dict[str, Any] = {}
        for system, cases in systems.items():
            group = [c for c in cases if c.example.tags.get(BREAKDOWN_TAG) == value]
            entry["questions"] = len(group)
            entry[system] = {m: _value_n(m, group) for m in COMPARED}
        out[value] = entry
    return out


def _value_n(name: str, cases: Sequence[Case]) -> dict[str, Any]:
    result = score(METRICS[name], cases, resamples=0)
    return {"value": None if result.value is None else round(result.value, 4), "n": result.n}


def _versus(leerstad: Sequence[Case], run: BaselineRun) -> dict[str, Any]:
    by_id = {c.example.id: c for c in run.cases}
    pairs = [(c, by_id[c.example.id]) for c in leerstad if c.example.id in by_id]
    ours, theirs = [a for a, _ in pairs], [b for _, b in pairs]
    metrics = {m: score(METRICS[m], theirs).to_json() for m in COMPARED + LATENCY}
    mine = score(METRICS["latency_p50_ms"], ours).value
    theirs_p50 = metrics["latency_p50_ms"]["value"]
    return {
        "recipe": run.info,
        "questions": len(pairs),
        "metrics": metrics,
        "leerstad_minus_baseline": {m: _difference(m, ours, theirs) for m in COMPARED},
        "latency_p50_ratio": round(mine / theirs_p50, 2) if mine and theirs_p50 else None,
        "baseline_more_evidence": [
            a.example.id
            for a, b in pairs
            if (METRICS["evidence_recall"].per_question(b) or 0.0)
            > (METRICS["evidence_recall"].per_question(a) or 0.0) + TIE
        ],
    }


def _difference(name: str, ours: Sequence[Case], theirs: Sequence[Case]) -> dict[str, Any]:
    """Leerstad − baseline on one metric with a paired 95% bootstrap interval and the
    questions where Leerstad scores higher (wins), the same (ties) or lower (losses)."""
    metric = METRICS[name]
    obs_ours, obs_theirs = metric.observations(ours), metric.observations(theirs)
    a, b = score(metric, ours).value, score(metric, theirs).value
    low, high = paired_bootstrap_ci(obs_theirs, obs_ours, metric.reduce)
    wins = ties = losses = 0
    for x, y in zip(ours, theirs, strict=True):
        mine, other = metric.per_question(x), metric.per_question(y)
        if mine is None or other is None or math.isnan(mine) or math.isnan(other):
            continue
        if abs(mine - other) <= TIE:
            ties += 1
        elif mine > other:
            wins += 1
        else:
            losses += 1

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 4)

    return {
        "delta": r(a - b) if a is not None and b is not None else None,
        "ci95": [r(low), r(high)],
        "wins": wins,
        "ties": ties,
        "losses": losses,
    }
