"""Plots of benchmark results for docs/benchmarks.md: `python -m bench.plots RESULT.json... DIR`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def merged(files: list[Path]) -> dict[str, Any]:
    """One result from the runs in ``files``: the first's fields, every run's sizes in order."""
    results = [json.loads(f.read_text(encoding="utf-8")) for f in files]
    return {**results[0], "sizes": [s for r in results for s in r["sizes"]]}


def growth(result: dict[str, Any], out: Path) -> None:
    """Latency and memory per 10x chunks."""
    plt = _pyplot()
    sizes = result["sizes"]
    chunks = [s["chunks"] for s in sizes]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for key, label in [
        ("retrieval_p50_ms", "retrieval p50"),
        ("retrieval_p95_ms", "retrieval p95"),
        ("answer_p50_ms", "full answer p50"),
        ("answer_p95_ms", "full answer p95"),
    ]:
        left.plot(chunks, [s[key] for s in sizes], marker="o", label=label)
    left.set(xscale="log", xlabel="chunks in the index", ylabel="ms", title="Latency (warm)")
    left.legend()
    for key, label in [("ingest_peak_rss_mb", "ingest"), ("serve_peak_rss_mb", "serving")]:
        right.plot(chunks, [s[key] for s in sizes], marker="o", label=label)
    right.set(xscale="log", xlabel="chunks in the index", ylabel="MB", title="Peak memory (RSS)")
    right.legend()
    fig.tight_layout()
    fig.savefig(out / "growth.png", dpi=110)
    plt.close(fig)


def ingest(result: dict[str, Any], out: Path) -> None:
    """Ingest throughput next to the encoder's own, per size."""
    plt = _pyplot()
    sizes = result["sizes"]
    names = [s["size"] for s in sizes]
    x = range(len(names))
    fig, ax = plt.subplots(figsize=(6, 4))
    bars = [("raw_encode_chunks_per_s", "encoder alone"), ("ingest_chunks_per_s", "ingest")]
    if any("baseline_ingest_chunks_per_s" in s for s in sizes):
        bars.append(("baseline_ingest_chunks_per_s", "ingest before (sequential)"))
    width = 0.8 / len(bars)
    for n, (key, label) in enumerate(bars):
        offset = (n - (len(bars) - 1) / 2) * width
        values = [s.get(key) or 0 for s in sizes]
        ax.bar([i + offset for i in x], values, width, label=label)
    ax.set_xticks(list(x), names)
    ax.set(ylabel="chunks per second", title=f"Ingest with {result['embedding_model']}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "ingest.png", dpi=110)
    plt.close(fig)


def naive(result: dict[str, Any], out: Path) -> None:
    """Leerstad beside the naive pipeline: latency and evidence recall."""
    plt = _pyplot()
    sizes = [s for s in result["sizes"] if s.get("naive_p50_ms") is not None]
    if not sizes:
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    _beside(left, sizes, "answer_p50_ms", "naive_p50_ms")
    left.set(ylabel="ms (p50)", title="Full answer vs naive top-4 search")
    _beside(right, sizes, "evidence_recall", "naive_evidence_recall")
    right.set(ylim=(0, 1), ylabel="expected facts shown", title="Evidence recall (holdout)")
    fig.tight_layout()
    fig.savefig(out / "naive.png", dpi=110)
    plt.close(fig)


def _beside(ax: Any, sizes: list[dict[str, Any]], leerstad: str, naive: str) -> None:
    """Leerstad's figure and the naive pipeline's as two bars per size."""
    x = range(len(sizes))
    ax.bar([i - 0.2 for i in x], [s[leerstad] for s in sizes], 0.4, label="Leerstad")
    ax.bar([i + 0.2 for i in x], [s[naive] for s in sizes], 0.4, label="naive")
    ax.set_xticks(list(x), [s["size"] for s in sizes])
    ax.legend()


def main(argv: list[str]) -> None:
    *files, folder = argv
    result = merged([Path(f) for f in files])
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    growth(result, out)
    ingest(result, out)
    naive(result, out)


if __name__ == "__main__":
    main(sys.argv[1:])
