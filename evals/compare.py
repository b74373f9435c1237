"""Compare two runs: paired deltas with bootstrap CIs, win/tie/loss, and what got worse."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.metrics import METRICS
from evals.runfiles import Run
from evals.stats import paired_bootstrap_ci

TIE = 1e-9


@dataclass(frozen=True)
class MetricDelta:
    name: str
    a: float | None
    b: float | None
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    wins: int  # questions where B is better than A
    ties: int
    losses: int
    higher_is_better: bool


@dataclass(frozen=True)
class QuestionChange:
    id: str
    question: str
    worse: list[tuple[str, float, float]]  # (metric, value in A, value in B)
    better: list[tuple[str, float, float]]
    answer_a: str
    answer_b: str


@dataclass(frozen=True)
class Comparison:
    a: Run
    b: Run
    paired: int  # questions in both runs
    deltas: list[MetricDelta]
    changes: list[QuestionChange]  # worse first
    warnings: list[str] = field(default_factory=list)


def _mismatches(a: Run, b: Run) -> list[str]:
    out = []
    meta_a, meta_b = a.summary.get("metadata", {}), b.summary.get("metadata", {})
    sha_a = meta_a.get("dataset", {}).get("sha256")
    sha_b = meta_b.get("dataset", {}).get("sha256")
    if sha_a != sha_b:
        out.append(
            f"Andere dataset: A {meta_a.get('dataset', {}).get('path')} ({str(sha_a)[:12]}), "
            f"B {meta_b.get('dataset', {}).get('path')} ({str(sha_b)[:12]}). "
            "Alleen vragen met hetzelfde id worden vergeleken."
        )
    settings_a, settings_b = meta_a.get("settings", {}), meta_b.get("settings", {})
    for key in sorted(set(settings_a) | set(settings_b)):
        va, vb = settings_a.get(key), settings_b.get(key)
        if va != vb:
            out.append(f"Andere instelling {key}: A {va!r}, B {vb!r}")
    docs_a = set(meta_a.get("corpus", {}).get("index", {}).get("documents") or {})
    docs_b = set(meta_b.get("corpus", {}).get("index", {}).get("documents") or {})
    if docs_a != docs_b:
        out.append(
            f"Andere documenten in de index: alleen in A {sorted(docs_a - docs_b)}, "
            f"alleen in B {sorted(docs_b - docs_a)}"
        )
    ids_a, ids_b = {c.example.id for c in a.cases}, {c.example.id for c in b.cases}
    if ids_a != ids_b:
        out.append(
            f"Andere vragen: {len(ids_a - ids_b)} alleen in A, {len(ids_b - ids_a)} alleen in B; "
            f"vergeleken worden de {len(ids_a & ids_b)} gedeelde vragen."
        )
    return out


def _point(reduce: Any, obs: Any) -> float | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(reduce(obs)) if len(obs) else math.nan
    return None if math.isnan(value) else value


def compare(a: Run, b: Run) -> Comparison:
    """B relative to A on the questions both runs share (paired on question id)."""
    by_id = {c.example.id: c for c in b.cases}
    pairs = [(c, by_id[c.example.id]) for c in a.cases if c.example.id in by_id]
    cases_a, cases_b = [p[0] for p in pairs], [p[1] for p in pairs]
    deltas = []
    per_question: dict[str, tuple[list[Any], list[Any]]] = {c.example.id: ([], []) for c in cases_a}
    for name, metric in METRICS.items():
        obs_a, obs_b = metric.observations(cases_a), metric.observations(cases_b)
        va, vb = _point(metric.reduce, obs_a), _point(metric.reduce, obs_b)
        low, high = paired_bootstrap_ci(obs_a, obs_b, metric.reduce)
        sign = 1 if metric.higher_is_better else -1
        wins = ties = losses = 0
        for ca, cb in pairs:
            qa, qb = metric.per_question(ca), metric.per_question(cb)
            if qa is None or qb is None:
                continue
            diff = sign * (qb - qa)
            if diff > TIE:
                wins += 1
                per_question[ca.example.id][1].append((name, qa, qb))
            elif diff < -TIE:
                losses += 1
                per_question[ca.example.id][0].append((name, qa, qb))
            else:
                ties += 1
        delta = None if va is None or vb is None else vb - va
        deltas.append(
            MetricDelta(
                name,
                va,
                vb,
                delta,
                low if delta is not None else None,
                high if delta is not None else None,
                wins,
                ties,
                losses,
                metric.higher_is_better,
            )
        )
    changes = [
        QuestionChange(
            ca.example.id, ca.example.question, *per_question[ca.example.id], ca.answer, cb.answer
        )
        for ca, cb in pairs
        if any(per_question[ca.example.id])
    ]
    # Worse first: most metrics worse, then fewest better, then id for a stable order.
    changes.sort(key=lambda ch: (-len(ch.worse), len(ch.better), ch.id))
    return Comparison(a, b, len(pairs), deltas, changes, _mismatches(a, b))


def _num(value: float | None) -> str:
    return "n.v.t." if value is None else f"{value:+.3f}" if abs(value) < 10 else f"{value:+.0f}"


def _val(value: float | None) -> str:
    return "n.v.t." if value is None else f"{value:.3f}" if abs(value) < 10 else f"{value:.0f}"


def delta_rows(comparison: Comparison) -> list[list[str]]:
    rows = []
    for d in comparison.deltas:
        ci = "" if d.ci_low is None else f"[{_num(d.ci_low)}, {_num(d.ci_high)}]"
        wtl = f"{d.wins}/{d.ties}/{d.losses}" if d.wins + d.ties + d.losses else "—"
        rows.append(
            [
                d.name,
                _val(d.a),
                _val(d.b),
                _num(d.delta),
                ci,
                wtl,
                "↑" if d.higher_is_better else "↓",
            ]
        )
    return rows


HEADERS = ["metriek", "A", "B", "B − A", "95%-BI (gepaard)", "winst/gelijk/verlies", ""]


def write_markdown(path: Path, comparison: Comparison) -> None:
    c = comparison
    out = [
        "# Vergelijking van twee evaluatieruns",
        "",
        f"- A: `{c.a.path}`",
        f"- B: `{c.b.path}`",
        f"- gedeelde vragen: {c.paired}",
        "",
    ]
    if c.warnings:
        out += ["## Let op", ""] + [f"- {w}" for w in c.warnings] + [""]
    out += [
        "## Metrieken",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    out += ["| " + " | ".join(row) + " |" for row in delta_rows(c)]
    worse = [ch for ch in c.changes if ch.worse]
    better = [ch for ch in c.changes if not ch.worse]
    out += ["", f"## Slechter in B ({len(worse)})", ""]
    for ch in worse:
        out += _change_lines(ch)
    out += ["", f"## Alleen beter in B ({len(better)})", ""]
    for ch in better:
        out += _change_lines(ch)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _change_lines(ch: QuestionChange) -> list[str]:
    def fmt(items: list[tuple[str, float, float]]) -> str:
        return ", ".join(f"{n} {a:g} → {b:g}" for n, a, b in items) or "—"

    return [
        f"### {ch.id}: {ch.question}",
        "",
        f"- slechter: {fmt(ch.worse)}",
        f"- beter: {fmt(ch.better)}",
        "",
        "A:",
        "",
        *(f"> {x}" for x in (ch.answer_a or "(leeg)").splitlines()),
        "",
        "B:",
        "",
        *(f"> {x}" for x in (ch.answer_b or "(leeg)").splitlines()),
        "",
    ]


def print_comparison(comparison: Comparison, console: Any) -> None:
    from rich.table import Table

    for warning in comparison.warnings:
        console.print(f"[bold yellow]Let op:[/] {warning}")
    table = Table(
        title=f"B ten opzichte van A ({comparison.paired} gedeelde vragen)", title_justify="left"
    )
    for i, header in enumerate(HEADERS):
        table.add_column(header, justify="left" if i in (0, 6) else "right")
    for row in delta_rows(comparison):
        table.add_row(*row)
    console.print(table)
    worse = [ch for ch in comparison.changes if ch.worse]
    if worse:
        console.print(
            f"Slechter in B: {len(worse)} vragen, eerst: " + ", ".join(ch.id for ch in worse[:10])
        )
