"""The naive LangChain baseline as a row of `leerstad eval`, on a real index with a distractor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_evals_e2e import tiny_eval

from evals import main
from evals.baseline import TOP_K, indexed_documents, parse_names
from evals.curve import NO_CONFIDENCE
from evals.errors import EvalError


@pytest.mark.slow
def test_naive_baseline_is_a_row_beside_leerstad_and_survives_rescoring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset, extra = tiny_eval(tmp_path, monkeypatch)
    out = tmp_path / "run"

    args = ["--dataset", str(dataset), "--out", str(out), "--extra-corpus", str(extra)]
    assert main([*args, "--baseline", "naive", "--no-progress"]) == 0

    summary = json.loads((out / "summary.json").read_text())
    entry = summary["baseline"]["baselines"]["naive"]
    assert entry["recipe"]["documents"] == 3  # corpus (2) + the distractor
    assert entry["recipe"]["k"] == TOP_K and entry["recipe"]["chunk_size"] == 1000
    evidence = entry["metrics"]["evidence_recall"]
    assert 0 <= evidence["value"] <= 1 and evidence["n"] == 3
    assert entry["metrics"]["latency_p50_ms"]["value"] > 0
    assert entry["latency_p50_ratio"] > 0
    diff = entry["leerstad_minus_baseline"]["evidence_recall"]
    assert diff["wins"] + diff["ties"] + diff["losses"] == 3
    assert summary["baseline"]["leerstad"]["metrics"]["evidence_recall"]["n"] == 3

    rows = {
        r["id"]: r for r in map(json.loads, (out / "baseline-naive.jsonl").read_text().splitlines())
    }
    assert set(rows) == {"ages", "cost", "mail", "weather"}
    assert all(len(r["sources"]) == TOP_K and r["latency_ms"] > 0 for r in rows.values())
    # The fact is in the corpus, in a short document: the recipe's 4 chunks hold it.
    assert rows["ages"]["metrics"] == {"evidence_recall": 1.0, "right_doc": 1.0, "mrr": 1.0}
    by_category = summary["baseline"]["by_category"]
    assert set(by_category) == {"ages", "costs", "followup", "unanswerable_out_of_domain"}
    assert by_category["ages"]["naive"]["evidence_recall"] == {"value": 1.0, "n": 1}
    unanswerable = by_category["unanswerable_out_of_domain"]
    assert unanswerable["leerstad"]["evidence_recall"]["value"] is None
    report = (out / "report.md").read_text()
    assert "## Baseline" in report and "| ages | 1 | " in report
    assert "<h2>Baseline</h2>" in (out / "report.html").read_text()
    # Each answer's confidence is stored; the curve has a point per distinct value, or is
    # skipped with a note while the backend gives none.
    results = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    confidences = {r["confidence"] for r in results if r["confidence"] is not None}
    assert len(summary["abstention_curve"]) == len(confidences)
    if not confidences:
        assert summary["abstention_tradeoff"]["note"] == NO_CONFIDENCE

    # Re-scoring reads the baseline back from its file instead of dropping it.
    assert main(["report", str(out)]) == 0
    again = json.loads((out / "summary.json").read_text())["baseline"]["baselines"]["naive"]
    assert again["recipe"] == entry["recipe"]
    assert again["leerstad_minus_baseline"] == entry["leerstad_minus_baseline"]
    p50 = entry["metrics"]["latency_p50_ms"]["value"]  # results keep latencies to 0.1 ms
    assert again["metrics"]["latency_p50_ms"]["value"] == pytest.approx(p50, abs=0.1)


@pytest.mark.parametrize(
    ("values", "names"),
    [
        (["naive"], ["naive"]),
        (["naive,naive-use"], ["naive", "naive-use"]),
        (["naive-use", "naive, naive-use"], ["naive-use", "naive"]),
    ],
)
def test_baseline_names_repeat_or_come_as_a_comma_list(values: list[str], names: list[str]) -> None:
    assert parse_names(values) == names


def test_an_unknown_baseline_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(EvalError, match="Kies uit: naive, naive-use"):
        parse_names(["naive,bm25"])
    code = main(
        ["--dataset", str(tmp_path / "none.jsonl"), "--out", str(tmp_path), "--baseline", "bm25"]
    )
    assert code == 2
    assert "--baseline bm25: onbekende baseline" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("index", "message"),
    [
        ({"error": "geen index gevonden"}, "De baseline kan niet draaien: geen index gevonden"),
        ({"documents": {}}, "de index heeft geen documenten"),
        ({"documents": {"weg": {"path": "/nergens/weg.md"}}}, "document 'weg' uit de index"),
        ({"documents": {"doc": {"path": "DOC", "doc_hash": "0000"}}}, "is gewijzigd sinds"),
    ],
)
def test_the_baseline_refuses_documents_other_than_the_indexed_ones(
    tmp_path: Path, index: dict[str, Any], message: str
) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("# Titel\n\nTekst van het document.\n", encoding="utf-8")
    for info in index.get("documents", {}).values():
        info["path"] = info["path"].replace("DOC", str(doc))
    with pytest.raises(EvalError, match=message) as error:
        indexed_documents(index)
    assert "leerstad ingest --rebuild" in str(error.value)


def test_the_baseline_reads_the_indexed_files_again(tmp_path: Path) -> None:
    from ingest.load import load_document

    doc = tmp_path / "doc.md"
    doc.write_text("# Titel\n\nTekst van het document.\n", encoding="utf-8")
    fresh = load_document(doc)
    index = {"documents": {"doc": {"path": str(doc), "doc_hash": fresh.doc_hash[:16]}}}
    [loaded] = indexed_documents(index)
    assert (loaded.doc_id, loaded.text) == ("doc", fresh.text)
