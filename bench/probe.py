"""What the benchmark runs in a fresh process: an ingest, or a cold start to the first answer.

Settings come from the LEERSTAD_* environment, as in production. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()


def ingest(paths: list[str]) -> dict[str, object]:
    from assistant.settings import Settings
    from assistant.store import open_index
    from ingest import ingest_paths

    settings = Settings.from_env()
    summary = ingest_paths([Path(p) for p in paths], settings, progress=False)
    keyword = open_index(settings).keyword()
    return {
        "seconds": summary.seconds,
        "chunks": summary.chunks,
        "embedded": summary.embedded,
        "computed": summary.computed,
        "encode_s": round(summary.encode_seconds, 2),
        "unchanged": len(summary.unchanged),
        "changed": len(summary.added) + len(summary.updated),
        "keyword_build_s": round(keyword.build_seconds, 2),
        "encoder_timeline": {k: round(v, 2) for k, v in summary.encoder_timeline().items()},
    }


def first_answer(question: str) -> dict[str, object]:
    from assistant import Assistant

    answer = Assistant().answer(question)
    return {"answered_s": time.perf_counter() - STARTED, "abstained": answer.abstained}


def main(argv: list[str]) -> None:
    from bench.measure import children_peak_rss_mb, peak_rss_mb

    kind, *rest = argv
    result = ingest(rest) if kind == "ingest" else first_answer(rest[0])
    memory = {"peak_rss_mb": peak_rss_mb(), "children_peak_rss_mb": children_peak_rss_mb()}
    print(json.dumps({**result, **memory}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
