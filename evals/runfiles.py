"""A run directory on disk: results.jsonl, summary.json, reports; written and read back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals import report
from evals.errors import RunFileError
from evals.export import write_ragas
from evals.metrics import Case
from evals.scoring import case_from_json, case_to_json

# Fields of a results line that come from the answer rather than the dataset or the scoring.
ANSWER_FIELDS = (
    "backend",
    "notices",
    "query",
    "language",
    "edits",
    "timings_ms",
    "confidence",
    "error",
)


@dataclass(frozen=True)
class Run:
    """A finished run read back from its directory."""

    path: Path
    summary: dict[str, Any]
    rows: list[dict[str, Any]]
    cases: list[Case]

    def answer_fields(self) -> list[dict[str, Any]]:
        return [{k: row[k] for k in ANSWER_FIELDS if k in row} for row in self.rows]


def load_run(path: Path) -> Run:
    results, summary_file = path / "results.jsonl", path / "summary.json"
    for f in (results, summary_file):
        if not f.is_file():
            raise RunFileError(
                f"{f} ontbreekt: {path} is geen map van een evaluatierun. Geef de map op die "
                "'leerstad eval --out' heeft gemaakt."
            )
    try:
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise RunFileError(f"{summary_file} is geen geldige JSON ({e.msg}).") from e
    rows, cases = [], []
    for number, line in enumerate(results.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            cases.append(case_from_json(row))
        except (ValueError, TypeError, KeyError) as e:
            raise RunFileError(
                f"{results}, regel {number}: geen geldige resultaatregel ({e})."
            ) from e
        rows.append(row)
    return Run(path, summary, rows, cases)


def write_run(
    out: Path,
    summary: dict[str, Any],
    cases: list[Case],
    answer_fields: list[dict[str, Any]],
    exports: list[str],
) -> list[dict[str, Any]]:
    """Write results.jsonl, summary.json, report.md, report.html (and exports); return the rows."""
    rows = [case_to_json(c, a) for c, a in zip(cases, answer_fields, strict=True)]
    out.mkdir(parents=True, exist_ok=True)
    with (out / "results.jsonl").open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    (out / "summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    report.write_markdown(out / "report.md", summary, rows)
    report.write_html(out / "report.html", summary, rows)
    if "ragas" in exports:
        write_ragas(out / "ragas.jsonl", rows)
    return rows
