"""Run directories on synthetic results: reports, RAGAS export, compare, and the CI gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import main
from evals.compare import compare
from evals.dataset import Example
from evals.metrics import METRICS, Case
from evals.runfiles import load_run, write_run
from evals.scoring import summarise

U = "unesco-learning-cities"
COST = "Een financiële contributie is niet vereist."
CONTACT = "Of neem direct contact op met Marike Bontenbal, Nationale UNESCO Commissie."


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # rich wraps at 80 columns otherwise


def example(id: str, answerable: bool = True, **kw: object) -> Example:
    tags = {"category": kw.pop("category", "costs")}
    return Example.from_json(
        {"id": id, "question": f"vraag {id}?", "answerable": answerable, "tags": tags, **kw}
    )


def src(n: int, text: str, doc_id: str = U) -> dict[str, object]:
    return {
        "n": n,
        "doc_id": doc_id,
        "title": "UNESCO Learning Cities",
        "section": "Lid worden",
        "url": None,
        "text": text,
        "score": 0.9,
        "chunk_id": f"c{n}",
        "quote": None,
    }


def baseline_cases() -> list[Case]:
    cost = example(
        "cost", expected_sources=[U], expected_facts=[["niet vereist"]], forbidden=["5000"]
    )
    contact = example(
        "contact", expected_sources=[U], expected_facts=[["Marike Bontenbal"]], category="contact"
    )
    weather = example(
        "weather", answerable=False, forbidden=["graden"], category="unanswerable_out_of_domain"
    )
    return [
        Case(cost, "Een financiële contributie is niet vereist [1].", False, (src(1, COST),), 80.0),
        Case(contact, "Dat staat niet in de bronnen.", True, (), 40.0),
        Case(weather, "Dat staat niet in de bronnen.", True, (), 30.0),
    ]


def candidate_cases() -> list[Case]:
    cost, contact, weather = (c.example for c in baseline_cases())
    return [
        # worse: the injected amount and no expected fact
        Case(cost, "Het lidmaatschap kost 5000 euro [1].", False, (src(1, COST),), 90.0),
        # better: answered with the right contact
        Case(contact, "Neem contact op met Marike Bontenbal [1].", False, (src(1, CONTACT),), 50.0),
        Case(weather, "Dat staat niet in de bronnen.", True, (), 30.0),
    ]


def metadata(sha: str = "abc", llm: str = "extractive") -> dict[str, object]:
    return {
        "dataset": {"path": "set.jsonl", "sha256": sha},
        "settings": {"llm": llm, "top_k": 6},
        "n": 3,
        "backend": [llm],
        "corpus": {"index": {"documents": {U: {}}}},
    }


def make_run(path: Path, cases: list[Case], meta: dict[str, object] | None = None) -> Path:
    summary = {"metadata": meta or metadata(), **summarise(cases, resamples=200)}
    write_run(path, summary, cases, [{"backend": "extractive"}] * len(cases), ["ragas"])
    return path


# --- reports and export -----------------------------------------------------------------------


def test_run_directory_holds_results_summary_and_reports_with_the_failures(tmp_path: Path) -> None:
    run = make_run(tmp_path / "a", baseline_cases())
    rows = [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["cost", "contact", "weather"]
    assert rows[0]["sources"][0]["doc_id"] == U and rows[0]["latency_ms"] == 80.0
    assert rows[1]["checks"]["problems"] == [
        "onterecht geweigerd",
        f"verwacht document niet bij de bronnen ({U})",
    ]
    summary = json.loads((run / "summary.json").read_text())
    assert summary["metrics"]["false_abstentions"]["value"] == 1
    assert summary["breakdown"]["category"]["contact"]["questions"] == 1

    md = (run / "report.md").read_text()
    failures = md.split("## Mislukte vragen (1 van 3)")[1]
    assert "### contact: vraag contact?" in failures and "onterecht geweigerd" in failures
    assert "### cost" not in failures and "### weather" not in failures
    html = (run / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 3  # two tags + latency
    assert "onterecht geweigerd" in html and "Dat staat niet in de bronnen." in html
    assert "<script" not in html


def test_failures_show_answer_and_sources_side_by_side(tmp_path: Path) -> None:
    run = make_run(tmp_path / "b", candidate_cases())
    html = (run / "report.html").read_text()
    row = html.split("<b>cost</b>")[1].split("</tr>")[0]
    assert "verboden inhoud: 5000" in row
    assert "Het lidmaatschap kost 5000 euro [1]." in row
    assert f"[1] {U} — Lid worden: {COST}" in row


def test_ragas_export_has_single_turn_fields(tmp_path: Path) -> None:
    run = make_run(tmp_path / "a", baseline_cases())
    lines = [json.loads(x) for x in (run / "ragas.jsonl").read_text().splitlines()]
    assert lines[0] == {
        "user_input": "vraag cost?",
        "retrieved_contexts": [COST],
        "response": "Een financiële contributie is niet vereist [1].",
        "reference": "niet vereist",
    }
    assert lines[2]["reference"] is None and lines[2]["retrieved_contexts"] == []


# --- compare ----------------------------------------------------------------------------------


def test_compare_pairs_questions_and_lists_the_worse_first(tmp_path: Path) -> None:
    a = load_run(make_run(tmp_path / "a", baseline_cases()))
    b = load_run(make_run(tmp_path / "b", candidate_cases()))
    result = compare(a, b)
    deltas = {d.name: d for d in result.deltas}
    assert result.paired == 3 and result.warnings == []
    assert deltas["forbidden_rate"].delta == pytest.approx(0.5)
    assert (deltas["forbidden_rate"].wins, deltas["forbidden_rate"].losses) == (0, 1)
    fact = deltas["fact_recall"]
    assert (fact.a, fact.b, fact.delta) == (0.5, 0.5, 0.0)
    assert (fact.wins, fact.ties, fact.losses) == (1, 0, 1)
    assert deltas["false_abstentions"].delta == -1
    assert deltas["latency_p50_ms"].wins + deltas["latency_p50_ms"].losses == 0  # not compared
    assert [c.id for c in result.changes] == ["cost", "contact"]
    assert {name for name, _, _ in result.changes[0].worse} >= {"fact_recall", "forbidden_rate"}
    assert result.changes[1].worse == []


def test_compare_of_a_run_with_itself_has_zero_deltas(tmp_path: Path) -> None:
    a = load_run(make_run(tmp_path / "a", baseline_cases()))
    result = compare(a, a)
    assert all(d.delta in (0, None) for d in result.deltas)
    assert all(d.ci_low in (0, None) and d.ci_high in (0, None) for d in result.deltas)
    assert result.changes == []


def test_compare_warns_about_other_dataset_settings_and_questions(tmp_path: Path) -> None:
    a = load_run(make_run(tmp_path / "a", baseline_cases()))
    b = load_run(make_run(tmp_path / "b", candidate_cases()[:2], metadata("def", "ollama:x")))
    result = compare(a, b)
    text = "\n".join(result.warnings)
    assert "Andere dataset" in text and "abc" in text and "def" in text
    assert "Andere instelling llm: A 'extractive', B 'ollama:x'" in text
    assert "1 alleen in A, 0 alleen in B" in text
    assert result.paired == 2


def test_compare_cli_writes_compare_md(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = make_run(tmp_path / "a", baseline_cases())
    b = make_run(tmp_path / "b", candidate_cases())
    assert main(["compare", str(a), str(b)]) == 0
    md = (b / "compare.md").read_text()
    assert md.index("## Slechter in B (1)") < md.index("### cost") < md.index("## Alleen beter")
    assert "| forbidden_rate | 0.000 | 0.500 | +0.500 |" in md
    assert "forbidden_rate" in capsys.readouterr().out


def test_compare_of_a_directory_without_results_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = make_run(tmp_path / "a", baseline_cases())
    assert main(["compare", str(a), str(tmp_path / "leeg")]) == 2
    assert "is geen map van een evaluatierun" in capsys.readouterr().err


# --- the gate ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "code", "message"),
    [
        (["--fail-under", "fact_recall=0.5,right_doc=0.5"], 0, "Alle drempels gehaald"),
        (["--fail-under", "fact_recall=0.9"], 1, "fact_recall = 0.5, eis fact_recall >= 0.9"),
        (["--fail-over", "false_abstentions=0"], 1, "= 1, eis false_abstentions <= 0"),
        (["--fail-over", "forbidden_rate=0", "--fail-under", "abstain_recall=1"], 0, "gehaald"),
    ],
)
def test_gate_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], code: int, message: str
) -> None:
    run = make_run(tmp_path / "a", baseline_cases())
    assert main(["report", str(run), *flags]) == code
    assert message in capsys.readouterr().out
    gate = json.loads((run / "summary.json").read_text())["gate"]
    assert bool(gate["failures"]) is (code == 1)


def test_gate_fails_on_a_metric_that_cannot_be_computed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = make_run(tmp_path / "a", baseline_cases()[:2])  # no unanswerable questions
    assert main(["report", str(run), "--fail-under", "abstain_f1=0.8"]) == 1
    assert "abstain_f1: geen waarde (niet gedefinieerd: geen onbeantwoordbare" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--fail-under", "recall=0.8"], "onbekende metriek 'recall'. Bekende metrieken: hit_at_3"),
        (["--fail-under", "fact_recall"], "verwacht naam=waarde"),
        (["--fail-under", "fact_recall=hoog"], "'hoog' is geen getal"),
        (["--fail-under", "forbidden_rate=0"], "Gebruik --fail-over forbidden_rate=0"),
        (["--fail-over", "fact_recall=0.8"], "Gebruik --fail-under fact_recall=0.8"),
    ],
)
def test_gate_spec_errors_exit_2_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    dataset = tmp_path / "set.jsonl"
    dataset.write_text('{"id": "a", "question": "q?", "answerable": true}\n')
    # No index and no assistant exist here: the error must come before any answering.
    assert main(["--dataset", str(dataset), "--out", str(tmp_path / "out"), *flags]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert not (tmp_path / "out").exists()


def test_unknown_metric_message_lists_every_metric(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = make_run(tmp_path / "a", baseline_cases())
    assert main(["report", str(run), "--fail-under", "nope=1"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert all(name in err for name in METRICS)


def test_bad_dataset_line_exits_2_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = tmp_path / "set.jsonl"
    dataset.write_text('{"id": "a", "question": "q?", "answerable": true}\n{"id": "b",\n')
    assert main(["--dataset", str(dataset), "--out", str(tmp_path / "out")]) == 2
    assert "set.jsonl, regel 2: geen geldige JSON" in " ".join(capsys.readouterr().err.split())


def test_missing_required_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", "x"]) == 2
    assert "--dataset" in capsys.readouterr().err
