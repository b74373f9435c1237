"""Abstention as a trade-off: precision and recall of 'abstain when confidence < t' over t."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evals.metrics import Case

NO_CONFIDENCE = (
    "geen afwegingscurve: de antwoorden hebben geen confidence (een oudere run, of een "
    "antwoordmodel dat er geen geeft, zoals een taalmodel)"
)
NO_UNANSWERABLE = "geen afwegingscurve: de set heeft geen onbeantwoordbare vragen met confidence"


@dataclass(frozen=True)
class Point:
    """One abstain decision rule scored on the questions: positive = abstain."""

    threshold: float | None  # None: the run's own decisions (its operating point)
    precision: float | None  # None: nothing abstained on
    recall: float
    f1: float
    false_abstention_rate: float | None  # None: no answerable questions

    def to_json(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "threshold": self.threshold,
            "precision": r(self.precision),
            "recall": r(self.recall),
            "f1": r(self.f1),
            "false_abstention_rate": r(self.false_abstention_rate),
        }


def score_decisions(
    unanswerable: Sequence[bool], abstain: Sequence[bool], threshold: float | None = None
) -> Point:
    """Precision, recall and F1 of abstaining (TP = unanswerable question abstained on) and the
    share of answerable questions abstained on."""
    pairs = list(zip(unanswerable, abstain, strict=True))
    tp = sum(u and a for u, a in pairs)
    fp = sum(a and not u for u, a in pairs)
    fn = sum(u and not a for u, a in pairs)
    answerable = sum(not u for u, _ in pairs)
    return Point(
        threshold=threshold,
        precision=tp / (tp + fp) if tp + fp else None,
        recall=tp / (tp + fn) if tp + fn else 0.0,
        f1=2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0,
        false_abstention_rate=fp / answerable if answerable else None,
    )


def curve(cases: Sequence[Case], confidences: Sequence[float | None]) -> list[Point]:
    """One point per distinct confidence value t: abstain on the questions with confidence < t.

    Questions without a confidence are left out. The lowest t abstains on nothing.
    """
    pairs = [(c, x) for c, x in zip(cases, confidences, strict=True) if x is not None]
    unanswerable = [not c.example.answerable for c, _ in pairs]
    return [
        score_decisions(unanswerable, [x < t for _, x in pairs], threshold=t)
        for t in sorted({x for _, x in pairs})
    ]


def best_f1(points: Sequence[Point]) -> Point | None:
    """The point with the highest F1; ties go to fewer false abstentions, then the lower t."""
    if not points:
        return None
    return min(
        points,
        key=lambda p: (-p.f1, p.false_abstention_rate or 0.0, p.threshold or 0.0),
    )


def tradeoff(cases: Sequence[Case], confidences: Sequence[float | None]) -> dict[str, Any]:
    """The summary.json entries: ``abstention_curve`` (the points) and ``abstention_tradeoff``
    (best-F1 point, the run's own operating point on the same questions, counts, note)."""
    scored = [(c, x) for c, x in zip(cases, confidences, strict=True) if x is not None]
    note = None
    if not scored:
        note = NO_CONFIDENCE
    elif all(c.example.answerable for c, _ in scored):
        note = NO_UNANSWERABLE
    points = [] if note else curve(cases, confidences)
    best = best_f1(points)
    own = (
        score_decisions(
            [not c.example.answerable for c, _ in scored], [c.abstained for c, _ in scored]
        )
        if scored and not note
        else None
    )
    return {
        "abstention_curve": [p.to_json() for p in points],
        "abstention_tradeoff": {
            "best_f1": best.to_json() if best else None,
            "operating_point": own.to_json() if own else None,
            "questions": len(scored),
            "without_confidence": len(cases) - len(scored),
            "note": note,
        },
    }
