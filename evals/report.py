"""Run reports: the terminal table, report.md and a self-contained report.html."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals import plots
from evals.metrics import METRICS
from evals.tables import (
    BASELINE_HEADER,
    BASELINE_NOTE,
    BREAKDOWN_NOTE,
    TRADEOFF_HEADER,
    baseline_breakdown,
    baseline_rows,
    fmt,
    fmt_ci,
    tradeoff_note,
    tradeoff_rows,
)

TAG_COLUMNS = (
    "fact_recall",
    "all_facts",
    "right_doc",
    "evidence_recall",
    "abstain_recall",
    "forbidden_rate",
    "citation_support",
)
SNIPPET = 400


def failures(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r.get("checks", {}).get("problems")]


def print_summary(summary: dict[str, Any], console: Any) -> None:
    """The readable table at the end of a run (rich)."""
    from rich.table import Table

    table = Table(title=f"Evaluatie: {summary['questions']} vragen", title_justify="left")
    for col, justify in (
        ("metriek", "left"),
        ("waarde", "right"),
        ("95%-BI", "right"),
        ("n", "right"),
        ("", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for name, result in summary["metrics"].items():
        arrow = "↑" if result["higher_is_better"] else "↓"
        table.add_row(
            name,
            fmt(name, result["value"]),
            fmt_ci(name, result),
            str(result["n"]),
            arrow if result["value"] is not None else (result["note"] or ""),
        )
    console.print(table)
    category = summary["breakdown"].get("category", {})
    if category:
        per = Table(title="Per categorie", title_justify="left")
        per.add_column("categorie")
        per.add_column("vragen", justify="right")
        for name in TAG_COLUMNS:
            per.add_column(name, justify="right")
        for value, group in category.items():
            per.add_row(
                value,
                str(group["questions"]),
                *(fmt(n, group["metrics"][n]["value"]) for n in TAG_COLUMNS),
            )
        console.print(per)
    rows = baseline_rows(summary, with_ci=False)
    if rows:
        base = Table(title="Baseline (naïef LangChain-recept)", title_justify="left")
        for col in BASELINE_HEADER:
            base.add_column(col)
        for row in rows:
            base.add_row(*row)
        console.print(base)


def _meta_lines(meta: dict[str, Any]) -> list[tuple[str, str]]:
    git = meta.get("git") or {}
    index = meta.get("corpus", {}).get("index", {})
    docs = index.get("documents") or {}
    judged = meta.get("judge") or {}
    judge = (
        [("beoordelaar", f"{judged.get('llm')} (prompt {judged.get('prompt_sha256')})")]
        if judged
        else []
    )
    return [
        ("datum", str(meta.get("date", ""))),
        (
            "dataset",
            f"{meta.get('dataset', {}).get('path')} "
            f"(sha256 {str(meta.get('dataset', {}).get('sha256', ''))[:12]})",
        ),
        ("vragen", str(meta.get("n", ""))),
        ("antwoordmodel", ", ".join(meta.get("backend", []))),
        ("embeddingmodel", str(meta.get("embedding_model", ""))),
        *judge,
        ("git", f"{git.get('commit', 'onbekend')}{' (gewijzigd)' if git.get('dirty') else ''}"),
        (
            "index",
            f"{len(docs)} documenten, revisie {index.get('revision', '?')}"
            + (
                f"; extra corpus: {', '.join(meta['corpus']['extra_corpus'])}"
                if meta.get("corpus", {}).get("extra_corpus")
                else ""
            ),
        ),
    ]


def _source_line(source: dict[str, Any]) -> str:
    where = " — ".join(str(x) for x in (source.get("doc_id"), source.get("section")) if x)
    text = " ".join(str(source.get("text") or "").split())
    return f"[{source.get('n')}] {where}: {text[:SNIPPET]}{'…' if len(text) > SNIPPET else ''}"


def write_markdown(path: Path, summary: dict[str, Any], rows: Sequence[dict[str, Any]]) -> None:
    out = ["# Evaluatierapport Leerstad", ""]
    out += [f"- **{k}**: {v}" for k, v in _meta_lines(summary.get("metadata", {}))]
    out += [
        "",
        "## Metrieken",
        "",
        "| metriek | waarde | 95%-BI | n | opmerking |",
        "|---|---:|---:|---:|---|",
    ]
    for name, r in summary["metrics"].items():
        remark = r["note"] or ("hoger is beter" if r["higher_is_better"] else "lager is beter")
        out.append(
            f"| {name} | {fmt(name, r['value'])} | {fmt_ci(name, r)} | {r['n']} | {remark} |"
        )
    for tag, groups in summary["breakdown"].items():
        out += [
            "",
            f"## Per {tag}",
            "",
            f"| {tag} | vragen | " + " | ".join(TAG_COLUMNS) + " |",
            "|---|---:|" + "---:|" * len(TAG_COLUMNS),
        ]
        for value, group in groups.items():
            cells = [
                f"{fmt(n, group['metrics'][n]['value'])} (n={group['metrics'][n]['n']})"
                for n in TAG_COLUMNS
            ]
            out.append(f"| {value} | {group['questions']} | " + " | ".join(cells) + " |")
    if summary.get("baseline"):
        out += _markdown_table("Baseline", BASELINE_NOTE, BASELINE_HEADER, baseline_rows(summary))
        out += _markdown_table(
            "Baseline per categorie", BREAKDOWN_NOTE, *baseline_breakdown(summary)
        )
    out += _markdown_table(
        "Weigeren: afweging over de drempel",
        tradeoff_note(summary),
        TRADEOFF_HEADER,
        tradeoff_rows(summary),
    )
    failed = failures(rows)
    out += ["", f"## Mislukte vragen ({len(failed)} van {len(rows)})", ""]
    for row in failed:
        out += [f"### {row['id']}: {row['question']}", ""]
        if row.get("history"):
            out.append(f"- eerdere vragen: {' / '.join(row['history'])}")
        out.append(f"- problemen: {'; '.join(row['checks']['problems'])}")
        if row.get("expected_facts"):
            out.append(
                "- verwachte feiten: " + "; ".join(" | ".join(f) for f in row["expected_facts"])
            )
        out += ["", "Antwoord" + (" (geweigerd)" if row.get("abstained") else "") + ":", ""]
        out += ["> " + line for line in (row.get("answer") or "(leeg)").splitlines()]
        out += ["", "Bronnen:", ""]
        out += [f"- {_source_line(s)}" for s in row.get("sources") or []] or ["- (geen)"]
        out.append("")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _markdown_table(title: str, note: str, header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["", f"## {title}", "", note, ""]
    if rows:
        out += ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
        out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _html_table(title: str, note: str, header: list[str], rows: list[list[str]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows)
    table = f"<table><tr>{head}</tr>{body}</table>" if rows else ""
    return f"<h2>{e(title)}</h2><p>{e(note)}</p>{table}"


CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;
vertical-align:top;text-align:left}th{background:#f3f3f3}.num{text-align:right}
.fail td{width:33%}.answer{white-space:pre-wrap}.problems{color:#a00}.src{font-size:90%;
margin-bottom:.5em}img{max-width:100%}
"""


def write_html(path: Path, summary: dict[str, Any], rows: Sequence[dict[str, Any]]) -> None:
    e = html.escape
    parts = [
        f"<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        f"<title>Evaluatierapport Leerstad</title><style>{CSS}</style></head><body>",
        "<h1>Evaluatierapport Leerstad</h1><table>",
    ]
    parts += [
        f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>"
        for k, v in _meta_lines(summary.get("metadata", {}))
    ]
    parts.append(
        "</table><h2>Metrieken</h2><table><tr><th>metriek</th><th>waarde</th>"
        "<th>95%-BI</th><th>n</th><th>betekenis</th></tr>"
    )
    for name, r in summary["metrics"].items():
        meaning = r["note"] or METRICS[name].description
        parts.append(
            f"<tr><td>{e(name)}</td><td class='num'>{fmt(name, r['value'])}</td>"
            f"<td class='num'>{fmt_ci(name, r)}</td><td class='num'>{r['n']}</td>"
            f"<td>{e(meaning)}</td></tr>"
        )
    parts.append("</table>")
    for tag, groups in summary["breakdown"].items():
        parts.append(f"<h2>Per {e(tag)}</h2>")
        image = plots.metrics_by_tag(tag, groups)
        if image:
            parts.append(f"<img alt='metrieken per {e(tag)}' src='data:image/png;base64,{image}'>")
    latencies = [float(r["latency_ms"]) for r in rows if r.get("latency_ms") is not None]
    image = plots.latency_histogram(latencies)
    if image:
        parts.append(f"<h2>Latentie</h2><img alt='latentie' src='data:image/png;base64,{image}'>")
    if summary.get("baseline"):
        parts.append(
            _html_table("Baseline", BASELINE_NOTE, BASELINE_HEADER, baseline_rows(summary))
        )
        parts.append(
            _html_table("Baseline per categorie", BREAKDOWN_NOTE, *baseline_breakdown(summary))
        )
    parts.append(
        _html_table(
            "Weigeren: afweging over de drempel",
            tradeoff_note(summary),
            TRADEOFF_HEADER,
            tradeoff_rows(summary),
        )
    )
    tradeoff = summary.get("abstention_tradeoff") or {}
    image = plots.abstention_curve(
        summary.get("abstention_curve") or [],
        tradeoff.get("best_f1"),
        tradeoff.get("operating_point"),
    )
    if image:
        parts.append(f"<img alt='afwegingscurve weigeren' src='data:image/png;base64,{image}'>")
    failed = failures(rows)
    parts.append(
        f"<h2>Mislukte vragen ({len(failed)} van {len(rows)})</h2>"
        "<table class='fail'><tr><th>vraag</th><th>antwoord</th><th>bronnen</th></tr>"
    )
    for row in failed:
        history = "".join(f"<div>↳ eerder: {e(h)}</div>" for h in row.get("history") or [])
        facts = "; ".join(" | ".join(f) for f in row.get("expected_facts") or [])
        problems = "".join(f"<li>{e(p)}</li>" for p in row["checks"]["problems"])
        sources = (
            "".join(
                f"<div class='src'>{e(_source_line(s))}</div>" for s in row.get("sources") or []
            )
            or "(geen)"
        )
        status = " <em>(geweigerd)</em>" if row.get("abstained") else ""
        parts.append(
            f"<tr><td><b>{e(row['id'])}</b>{history}<div>{e(row['question'])}</div>"
            f"<ul class='problems'>{problems}</ul><div>verwacht: {e(facts) or '—'}</div></td>"
            f"<td class='answer'>{e(row.get('answer') or '(leeg)')}{status}</td>"
            f"<td>{sources}</td></tr>"
        )
    parts.append("</table></body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
