"""End to end: `leerstad eval` on a tiny dataset against a real index with a distractor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import main

ROOT = Path(__file__).resolve().parents[1]
DATASET = [
    {
        "id": "cost",
        "question": "Kost het lidmaatschap van het Learning Cities netwerk geld?",
        "answerable": True,
        "expected_sources": ["unesco-learning-cities"],
        "expected_facts": [["niet vereist", "gratis"]],
        "forbidden": ["euro"],
        "tags": {"category": "costs"},
    },
    {
        "id": "mail",
        "question": "Wat is haar e-mailadres?",
        "history": ["Wie is de contactpersoon bij de Nationale UNESCO Commissie?"],
        "answerable": True,
        "expected_sources": ["unesco-learning-cities"],
        "expected_facts": [["mbontenbal@unesco.nl"]],
        "tags": {"category": "followup"},
    },
    {
        "id": "ages",
        "question": "Voor welke leeftijd zijn integrale kindcentra bedoeld?",
        "answerable": True,
        "expected_sources": ["integrale-kindcentra"],
        "expected_facts": [["0-12 jaar"]],
        "tags": {"category": "ages"},
    },
    {
        "id": "weather",
        "question": "Wat voor weer wordt het morgen in Groningen?",
        "answerable": False,
        "forbidden": ["graden"],
        "tags": {"category": "unanswerable_out_of_domain"},
    },
]
DISTRACTOR = """---
title: "Speeltuinen"
---

# Speeltuinen

De gemeente onderhoudt speeltuinen in elke wijk. Klachten over speeltoestellen kunt u melden.
"""


def tiny_eval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The tiny dataset and a folder with the distractor; the user's index under tmp_path."""
    monkeypatch.setenv("LEERSTAD_DATA_DIR", str(tmp_path / "user-data"))
    monkeypatch.setenv("LEERSTAD_CORPUS_DIR", str(ROOT / "corpus"))
    monkeypatch.setenv("COLUMNS", "200")
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "speeltuinen.md").write_text(DISTRACTOR, encoding="utf-8")
    dataset = tmp_path / "tiny.jsonl"
    dataset.write_text("\n".join(json.dumps(d) for d in DATASET) + "\n", encoding="utf-8")
    return dataset, extra


@pytest.mark.slow
def test_eval_runs_on_a_throwaway_index_and_leaves_the_users_index_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_data = tmp_path / "user-data"
    dataset, extra = tiny_eval(tmp_path, monkeypatch)
    out = tmp_path / "run"

    code = main(
        [
            "--dataset",
            str(dataset),
            "--out",
            str(out),
            "--extra-corpus",
            str(extra),
            "--export",
            "ragas",
            "--no-progress",
            "--fail-under",
            "fact_recall=0",
        ]
    )

    assert code == 0
    # The throw-away index lived elsewhere; only the shared embedding cache is the user's.
    assert not user_data.exists() or {p.name for p in user_data.iterdir()} == {"cache"}
    rows = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["cost", "mail", "ages", "weather"]
    assert all(r["latency_ms"] > 0 and r["backend"] for r in rows)
    assert all(s["doc_id"] and s["text"] for r in rows for s in r["sources"])
    summary = json.loads((out / "summary.json").read_text())
    meta = summary["metadata"]
    assert meta["n"] == 4 and len(meta["dataset"]["sha256"]) == 64
    assert meta["settings"]["llm"] == "extractive"
    assert set(meta["corpus"]["index"]["documents"]) == {
        "unesco-learning-cities",
        "integrale-kindcentra",
        "speeltuinen",
    }
    assert summary["metrics"]["fact_recall"]["n"] == 3
    assert summary["metrics"]["abstain_recall"]["n"] == 1
    for name in ("report.md", "report.html", "ragas.jsonl"):
        assert (out / name).stat().st_size > 0
