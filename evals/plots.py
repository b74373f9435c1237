"""Report plots rendered with matplotlib's Agg backend and returned as base64 PNG strings."""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from typing import Any

PLOT_METRICS = ("fact_recall", "right_doc", "evidence_recall", "abstain_recall")


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def metrics_by_tag(tag: str, groups: dict[str, Any]) -> str | None:
    """Grouped bars with 95% CI whiskers of the plot metrics for each value of ``tag``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    values = sorted(groups)
    if not values:
        return None
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(values) + 3), 3.6))
    width = 0.8 / len(PLOT_METRICS)
    x = np.arange(len(values))
    for i, name in enumerate(PLOT_METRICS):
        results = [groups[v]["metrics"][name] for v in values]
        heights = [r["value"] if r["value"] is not None else np.nan for r in results]
        low = [_whisker(h, r["ci95"][0]) for h, r in zip(heights, results, strict=True)]
        high = [_whisker(r["ci95"][1], h) for h, r in zip(heights, results, strict=True)]
        ax.bar(
            x + i * width - 0.4 + width / 2, heights, width, yerr=[low, high], capsize=2, label=name
        )
    ax.set_xticks(
        x,
        [f"{v}\n(n={groups[v]['questions']})" for v in values],
        fontsize=8,
        rotation=30 if len(values) > 6 else 0,
        ha="right" if len(values) > 6 else "center",
    )
    ax.set_ylim(0, 1.05)
    ax.set_title(f"Metrieken per {tag} (ontbrekende balk: n.v.t.)")
    ax.legend(fontsize=7, ncols=len(PLOT_METRICS), loc="lower left")
    return _png(fig)


def _whisker(top: float | None, bottom: float | None) -> float:
    if top is None or bottom is None or math.isnan(top) or math.isnan(bottom):
        return 0.0
    return max(0.0, top - bottom)


def latency_histogram(latencies: Sequence[float]) -> str | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    if not latencies:
        return None
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(latencies, bins=min(30, max(5, len(latencies) // 3)), color="#4c72b0")
    for q, style in ((50, "--"), (95, ":")):
        ax.axvline(
            float(np.percentile(latencies, q)), color="black", linestyle=style, label=f"p{q}"
        )
    ax.set_xlabel("latentie (ms)")
    ax.set_ylabel("vragen")
    ax.legend()
    return _png(fig)


def abstention_curve(
    points: Sequence[dict[str, Any]],
    best: dict[str, Any] | None,
    operating_point: dict[str, Any] | None,
) -> str | None:
    """Abstention precision against recall over the confidence threshold (left) and the rates
    against the threshold (right), with the run's own decisions and the best-F1 point marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not points or best is None:
        return None
    fig, (pr, rates) = plt.subplots(1, 2, figsize=(10, 3.8))
    defined = [p for p in points if p["precision"] is not None]
    pr.plot([p["recall"] for p in defined], [p["precision"] for p in defined], "o-", ms=3)
    if best["precision"] is not None:
        pr.plot(
            best["recall"],
            best["precision"],
            "s",
            color="tab:green",
            ms=9,
            label=f"beste F1 {best['f1']:.2f} (drempel {best['threshold']:.3f})",
        )
    if operating_point and operating_point["precision"] is not None:
        pr.plot(
            operating_point["recall"],
            operating_point["precision"],
            "*",
            color="tab:red",
            ms=14,
            label=f"deze run (F1 {operating_point['f1']:.2f})",
        )
    pr.set_xlabel("recall (onbeantwoordbare vragen geweigerd)")
    pr.set_ylabel("precision (weigeringen terecht)")
    pr.set_xlim(-0.02, 1.02)
    pr.set_ylim(-0.02, 1.05)
    pr.set_title("Weigeren als conf < drempel")
    pr.legend(fontsize=7, loc="best")
    thresholds = [p["threshold"] for p in points]
    for key, label, colour in (
        ("precision", "precision", "tab:blue"),
        ("recall", "recall", "tab:orange"),
        ("false_abstention_rate", "onterecht geweigerd (aandeel)", "tab:purple"),
    ):
        values = [math.nan if p[key] is None else p[key] for p in points]
        rates.step(thresholds, values, where="post", label=label, color=colour)
    rates.axvline(best["threshold"], color="tab:green", linestyle="--", linewidth=1)
    rates.set_xlabel("drempel op confidence")
    rates.set_ylim(-0.02, 1.05)
    rates.legend(fontsize=7)
    return _png(fig)
