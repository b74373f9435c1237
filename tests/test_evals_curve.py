"""Abstention as a trade-off: precision and recall of 'abstain when confidence < t' over t."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import main
from evals.curve import NO_CONFIDENCE, NO_UNANSWERABLE, curve, tradeoff
from evals.dataset import Example
from evals.metrics import Case
from evals.runfiles import write_run
from evals.scoring import summarise

# (id, answerable, confidence, abstained by the run)
HAND_MADE = [
    ("a", True, 0.9, False),
    ("b", True, 0.4, False),
    ("c", False, 0.1, True),
    ("d", False, 0.5, False),
    ("e", True, 0.2, True),
    ("f", False, None, True),  # no confidence: left out of the curve
]


def cases_and_confidences(
    rows: list[tuple[str, bool, float | None, bool]],
) -> tuple[list[Case], list[float | None]]:
    cases = [
        Case(Example(id, f"vraag {id}?", answerable), "antwoord", abstained)
        for id, answerable, _, abstained in rows
    ]
    return cases, [confidence for _, _, confidence, _ in rows]


def test_each_distinct_confidence_is_a_threshold_with_exact_precision_and_recall() -> None:
    points = {p.threshold: p for p in curve(*cases_and_confidences(HAND_MADE))}

    assert sorted(points) == [0.1, 0.2, 0.4, 0.5, 0.9]
    # t = 0.1: nothing is below it, so nothing is abstained on: precision undefined.
    assert points[0.1].precision is None and points[0.1].recall == 0
    # t = 0.2: abstain on c only (TP 1, FP 0, FN 1).
    assert (points[0.2].precision, points[0.2].recall) == (1.0, 0.5)
    assert points[0.2].f1 == pytest.approx(2 / 3) and points[0.2].false_abstention_rate == 0
    # t = 0.5: c, e and b (TP 1, FP 2, FN 1); 2 of the 3 answerable questions refused.
    assert points[0.5].precision == pytest.approx(1 / 3) and points[0.5].recall == 0.5
    assert points[0.5].f1 == pytest.approx(0.4)
    assert points[0.5].false_abstention_rate == pytest.approx(2 / 3)
    # t = 0.9: every question with confidence below 0.9 (TP 2, FP 2, FN 0).
    assert (points[0.9].precision, points[0.9].recall) == (0.5, 1.0)


def test_summary_has_best_f1_with_fewer_false_abstentions_on_a_tie_and_the_runs_own_point() -> None:
    result = tradeoff(*cases_and_confidences(HAND_MADE))

    assert [p["threshold"] for p in result["abstention_curve"]] == [0.1, 0.2, 0.4, 0.5, 0.9]
    summary = result["abstention_tradeoff"]
    # 0.2 and 0.9 both reach F1 2/3; 0.2 refuses no answerable question.
    assert summary["best_f1"] == {
        "threshold": 0.2,
        "precision": 1.0,
        "recall": 0.5,
        "f1": 0.6667,
        "false_abstention_rate": 0.0,
    }
    # The run abstained on c and e (f has no confidence and is left out): TP 1, FP 1, FN 1.
    assert summary["operating_point"] == {
        "threshold": None,
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "false_abstention_rate": 0.3333,
    }
    assert (summary["questions"], summary["without_confidence"], summary["note"]) == (5, 1, None)


@pytest.mark.parametrize(
    ("rows", "note"),
    [
        ([("a", True, None, False), ("c", False, None, True)], NO_CONFIDENCE),
        ([("a", True, 0.8, False), ("b", True, 0.3, True)], NO_UNANSWERABLE),
    ],
)
def test_without_confidences_or_unanswerable_questions_the_curve_is_skipped_with_a_note(
    rows: list[tuple[str, bool, float | None, bool]], note: str
) -> None:
    result = tradeoff(*cases_and_confidences(rows))
    assert result["abstention_curve"] == []
    assert result["abstention_tradeoff"]["best_f1"] is None
    assert result["abstention_tradeoff"]["note"] == note


def test_rescoring_a_run_with_confidences_writes_the_curve_and_plots_it(tmp_path: Path) -> None:
    cases, confidences = cases_and_confidences(HAND_MADE)
    summary = {"metadata": {"n": len(cases)}, **summarise(cases, resamples=50)}
    answers = [{"backend": "extractive", "confidence": c} for c in confidences]
    write_run(tmp_path, summary, cases, answers, [])

    assert main(["report", str(tmp_path)]) == 0

    rows = [json.loads(x) for x in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert [r["confidence"] for r in rows] == confidences
    written = json.loads((tmp_path / "summary.json").read_text())
    assert written["abstention_tradeoff"]["best_f1"]["threshold"] == 0.2
    assert len(written["abstention_curve"]) == 5
    page = (tmp_path / "report.html").read_text()
    assert "alt='afwegingscurve weigeren' src='data:image/png;base64," in page
    assert (
        "| beste F1 (conf < drempel: weigeren) | 0.2000 | 1.000 | 0.500 | 0.667 | 0.000 |"
        in (tmp_path / "report.md").read_text()
    )
