"""Check that a retrieval change keeps the rankings (numbers in docs/benchmarks.md).

    PYTHONPATH=. .venv/bin/python scripts/compare_rankings.py dump OUT.json
    PYTHONPATH=. .venv/bin/python scripts/compare_rankings.py compare BEFORE.json AFTER.json

``dump`` writes, for every held-out and dev question, the ranked passages of
``HybridRetriever.search`` (chunk id, score, dense and keyword score) and the full answer's
sources and text, on the index the LEERSTAD_* settings name. Run it with the old code and the
new code on one index; ``compare`` lists the questions whose results differ.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

DATASETS = Path(__file__).resolve().parents[1] / "evals" / "datasets"
SETS = ("holdout", "dev")


def dump(out: Path) -> None:
    from assistant import Assistant
    from evals.dataset import load_dataset

    assistant = Assistant()
    rows: list[dict[str, Any]] = []
    for name in SETS:
        for example in load_dataset(DATASETS / f"{name}.jsonl"):
            passages, _ = assistant.retriever.search(example.question)
            answer = assistant.answer(example.question, list(example.history))
            rows.append(
                {
                    "set": name,
                    "question": example.question,
                    "search": [
                        [p.chunk.chunk_id, round(p.score, 6), p.dense_score, p.keyword_score]
                        for p in passages
                    ],
                    "sources": [s.chunk_id for s in answer.sources],
                    "answer": [answer.text, answer.abstained],
                }
            )
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{len(rows)} questions -> {out}")


def compare(before: Path, after: Path) -> None:
    old = json.loads(before.read_text(encoding="utf-8"))
    new = json.loads(after.read_text(encoding="utf-8"))
    same = {"search": 0, "sources": 0, "answer": 0}
    for a, b in zip(old, new, strict=True):
        for key in same:
            same[key] += a[key] == b[key]
        if a["search"] != b["search"]:
            print(f"[{a['set']}] {a['question'][:80]}")
            print("   before", [(r[0], r[1]) for r in a["search"]])
            print("   after ", [(r[0], r[1]) for r in b["search"]])
    counts = ", ".join(f"{key} {n}" for key, n in same.items())
    print(f"{len(old)} questions; identical: {counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dump").add_argument("out", type=Path)
    pair = sub.add_parser("compare")
    pair.add_argument("before", type=Path)
    pair.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out)
    else:
        compare(args.before, args.after)


if __name__ == "__main__":
    main()
