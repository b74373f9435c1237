"""Markdown tables of benchmark results for docs/benchmarks.md: python -m bench.report R.json..."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROWS = [
    ("chunks", "chunks"),
    ("documents", "documents"),
    ("raw_encode_before_chunks_per_s", "encoder alone right before the ingest, chunks/s"),
    ("raw_encode_after_chunks_per_s", "encoder alone right after the ingest, chunks/s"),
    ("ingest_chunks_per_s", "ingest end to end, chunks/s"),
    ("ingest_vs_raw_encode", "ingest / encoder (mean of the two)"),
    ("ingest_encoder_share", "share of ingest time in the encoder"),
    ("enrich_s", "enrichment after the ingest, s"),
    ("enriched_vs_raw_encode", "ingest + enrichment / encoder"),
    ("baseline_ingest_chunks_per_s", "before (sequential ingest), chunks/s"),
    ("baseline_ingest_vs_raw_encode", "before: ingest / encoder (its own two samples)"),
    ("ingest_computed", "vectors the model computed"),
    ("embedding_cache", "embedding cache"),
    ("keyword_build_s", "keyword (BM25) index build, s"),
    ("reingest_unchanged_s", "re-ingest, unchanged, s"),
    ("reingest_1pct_s", "re-ingest, 1% of documents changed, s"),
    ("reingest_1pct_embedded", "  chunks embedded again"),
    ("retrieval_p50_ms", "retrieval p50, ms"),
    ("retrieval_p95_ms", "retrieval p95, ms"),
    ("answer_p50_ms", "full answer p50, ms"),
    ("answer_p95_ms", "full answer p95, ms"),
    ("naive_chunks", "naive pipeline: chunks"),
    ("naive_computed", "  vectors MiniLM computed in the run"),
    ("naive_p50_ms", "naive top-4 p50, ms"),
    ("naive_p95_ms", "naive top-4 p95, ms"),
    ("speedup_vs_naive", "naive p50 / answer p50"),
    ("naive_vs_answer_per_question_p50", "  the same, median per question"),
    ("evidence_recall", "evidence recall, Leerstad"),
    ("naive_evidence_recall", "evidence recall, naive"),
    ("cold_start_s", "cold start to first answer, s"),
    ("ingest_peak_rss_mb", "peak RSS ingest, MB"),
    ("serve_peak_rss_mb", "peak RSS serving, MB"),
    ("index_mb", "index on disk, MB"),
]


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if value < 1:
            return f"{value:.3f}"
        return f"{value:.2f}" if value < 10 else f"{value:,.1f}".replace(",", " ")
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


def sizes_table(result: dict[str, Any]) -> str:
    sizes = result["sizes"]
    lines = [
        "| | " + " | ".join(s["size"] for s in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for key, label in ROWS:
        lines.append(f"| {label} | " + " | ".join(_cell(s.get(key)) for s in sizes) + " |")
    return "\n".join(lines)


def timeline_table(result: dict[str, Any]) -> str:
    """Where each ingest's time went around the encoder, in seconds."""
    lines = ["| | before its first batch | between batches | encoding | after its last |"]
    lines.append("|---|---:|---:|---:|---:|")
    for s in result["sizes"]:
        for prefix, label in (("", "now"), ("baseline_", "before")):
            t = s.get(f"{prefix}ingest_encoder_timeline")
            if t:
                cells = [t["before_s"], t["between_s"], t["encoding_s"], t["after_s"]]
                lines.append(f"| {s['size']} {label} | " + " | ".join(map(_cell, cells)) + " |")
    return "\n".join(lines)


def encoders_table(result: dict[str, Any]) -> str:
    lines = [
        "| encoder | chunks | encoder, chunks/s | retrieval p50 ms | answer p50 ms | "
        "evidence recall |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for e in result.get("encoders", []):
        lines.append(
            f"| {e['model']} | {e['chunks']} | {_cell(e['raw_encode_chunks_per_s'])} | "
            f"{_cell(e['retrieval_p50_ms'])} | {_cell(e['answer_p50_ms'])} | "
            f"{_cell(e['evidence_recall'])} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    from bench.plots import merged

    result = merged([Path(a) for a in argv])
    print(sizes_table(result))
    print()
    print(timeline_table(result))
    print()
    print(encoders_table(result))


if __name__ == "__main__":
    main(sys.argv[1:])
