"""Export a run for RAGAS: single-turn EvaluationDataset rows, without depending on ragas."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def ragas_row(row: dict[str, Any]) -> dict[str, Any]:
    """A SingleTurnSample as JSON: user_input, retrieved_contexts, response, reference.

    ``reference`` joins the first alternative of every expected fact (None when there are none,
    e.g. unanswerable questions); follow-up questions keep only the last user turn, as RAGAS
    single-turn samples have no history.
    """
    facts: Sequence[Sequence[str]] = row.get("expected_facts") or []
    return {
        "user_input": row["question"],
        "retrieved_contexts": [str(s.get("text") or "") for s in row.get("sources") or []],
        "response": row.get("answer") or "",
        "reference": "; ".join(f[0] for f in facts) if facts else None,
    }


def write_ragas(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(ragas_row(row), ensure_ascii=False) + "\n")
