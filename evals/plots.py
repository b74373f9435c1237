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
