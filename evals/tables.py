"""Cell formatting and the tables the terminal, Markdown and HTML reports share."""

from __future__ import annotations

from typing import Any

from evals.baseline import COMPARED as BASELINE_COMPARED


def fmt(name: str, value: float | None) -> str:
    if value is None:
        return "n.v.t."
    if name.startswith("latency") or name == "false_abstentions":
        return f"{value:.0f}"
    return f"{value:.3f}"


def fmt_ci(name: str, result: dict[str, Any]) -> str:
    low, high = result["ci95"]
    return "" if low is None else f"[{fmt(name, low)}, {fmt(name, high)}]"


def _signed(result: dict[str, Any], with_ci: bool) -> str:
    low, high = result["ci95"]
    ci = "" if low is None or not with_ci else f" [{low:+.3f}, {high:+.3f}]"
    delta = "n.v.t." if result["delta"] is None else f"{result['delta']:+.3f}"
    return f"{delta}{ci} (w/g/v {result['wins']}/{result['ties']}/{result['losses']})"


BASELINE_HEADER = [
    "systeem",
    "embeddingmodel",
    *BASELINE_COMPARED,
    "latentie p50 (ms)",
    "p50-ratio",
]


def baseline_rows(summary: dict[str, Any], with_ci: bool = True) -> list[list[str]]:
    """The Baseline table: Leerstad, each baseline, and each paired difference Leerstad − it
    (``with_ci``: with the 95% intervals; the terminal leaves them out)."""
    entry = summary.get("baseline")
    if not entry:
        return []
    ours = entry["leerstad"]["metrics"]

    def cells(metrics: dict[str, Any]) -> list[str]:
        return [
            f"{fmt(m, metrics[m]['value'])} {fmt_ci(m, metrics[m]) if with_ci else ''}".strip()
            for m in BASELINE_COMPARED
        ]

    model = str(summary.get("metadata", {}).get("embedding_model", ""))
    p50 = "latency_p50_ms"
    rows = [["Leerstad", model, *cells(ours), fmt(p50, ours[p50]["value"]), "1"]]
    for name, run in entry["baselines"].items():
        ratio = run["latency_p50_ratio"]
        rows.append(
            [
                f"{name} (k={run['recipe'].get('k')}, {run['recipe'].get('chunks')} chunks)",
                str(run["recipe"].get("embedding_model", "")),
                *cells(run["metrics"]),
                fmt(p50, run["metrics"][p50]["value"]),
                "n.v.t." if ratio is None else f"{ratio:.2f}",
            ]
        )
    for name, run in entry["baselines"].items():
        diff = run["leerstad_minus_baseline"]
        rows.append(
            [
                f"Leerstad − {name}",
                "",
                *(_signed(diff[m], with_ci) for m in BASELINE_COMPARED),
                "",
                "",
            ]
        )
    return rows


BASELINE_NOTE = (
    "Baseline = het naïeve LangChain-recept op dezelfde documenten en vragen: "
    "RecursiveCharacterTextSplitter(1000, 200), dichte top-4 in een verse Chroma-collectie, "
    "vervolgvragen zonder gesprek. Als bronnen van de baseline tellen zijn 4 chunks. "
    "p50-ratio = p50 van Leerstad (hele antwoord) / p50 van het systeem (alleen zoeken). "
    "w/g/v: vragen waarop Leerstad hoger / gelijk / lager scoort; interval: gepaarde "
    "bootstrap, 95%."
)
TRADEOFF_HEADER = ["", "drempel", "precision", "recall", "F1", "false abstention rate"]


def tradeoff_rows(summary: dict[str, Any]) -> list[list[str]]:
    """The best-F1 threshold and the run's own decisions on the abstention trade-off."""
    entry = summary.get("abstention_tradeoff") or {}
    rows = []
    for label, point in (
        ("beste F1 (conf < drempel: weigeren)", entry.get("best_f1")),
        ("eigen beslissingen van de run", entry.get("operating_point")),
    ):
        if point:
            values = [point[k] for k in ("precision", "recall", "f1", "false_abstention_rate")]
            threshold = point["threshold"]
            rows.append(
                [label, "—" if threshold is None else f"{threshold:.4f}"]
                + ["n.v.t." if v is None else f"{v:.3f}" for v in values]
            )
    return rows


def tradeoff_note(summary: dict[str, Any]) -> str:
    entry = summary.get("abstention_tradeoff") or {}
    if entry.get("note"):
        return str(entry["note"])
    return (
        f"{len(summary.get('abstention_curve') or [])} drempels over {entry.get('questions')} "
        f"vragen met confidence ({entry.get('without_confidence')} zonder); de hele curve staat "
        "in summary.json (abstention_curve)."
    )


def baseline_breakdown(summary: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the Baseline table per category: evidence_recall / right_doc."""
    entry = (summary.get("baseline") or {}).get("by_category") or {}
    systems = ["leerstad", *(summary.get("baseline") or {}).get("baselines", {})]
    header = ["categorie", "vragen", *(s if s != "leerstad" else "Leerstad" for s in systems)]

    def cell(scores: dict[str, Any]) -> str:
        ev, rd = scores["evidence_recall"], scores["right_doc"]
        return f"{fmt('evidence_recall', ev['value'])} / {fmt('right_doc', rd['value'])}"

    rows = [
        [value, str(group["questions"]), *(cell(group[s]) for s in systems)]
        for value, group in entry.items()
    ]
    return header, rows


BREAKDOWN_NOTE = "Per categorie: evidence_recall / right_doc (n.v.t.: geen vragen met feiten)."
