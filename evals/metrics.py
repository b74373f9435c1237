"""The metrics: each is a name, one per-question scoring function, and a typed result.

A metric observes every question (``evals.observations``: a tuple of numbers, or None when it
does not apply) and reduces the observations of a set of questions to one value
(``evals.reducers``), with a bootstrap interval.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evals import observations, reducers
from evals.case import Case, Observation
from evals.observations import K
from evals.stats import RESAMPLES, SEED, Reducer, bootstrap_ci

__all__ = ["METRICS", "Case", "K", "Metric", "MetricResult", "Observation", "score"]


@dataclass(frozen=True)
class Metric:
    """A named metric: ``observe`` scores one question, ``reduce`` aggregates a set of them."""

    name: str
    group: str  # retrieval | answer | abstention | latency
    description: str
    observe: Callable[[Case], Observation]
    reduce: Reducer
    higher_is_better: bool = True
    width: int = 1
    # Per-question value shown in results.jsonl and compared win/tie/loss; None: not compared.
    value: Callable[[Case], float | None] | None = None
    undefined: str = "geen vragen waarop deze metriek van toepassing is"
    # The n reported with the value, when it is not the number of applicable questions
    # (abstention precision: abstentions; recall: unanswerable questions).
    count: Callable[[np.ndarray], int] | None = None
    # A remark on the cases behind the value (e.g. how many could not be judged), or None.
    note: Callable[[Sequence[Case]], str | None] | None = None

    def per_question(self, case: Case) -> float | None:
        if self.value is not None:
            return self.value(case)
        obs = self.observe(case)
        return None if obs is None or self.group == "latency" else float(obs[0])

    def observations(self, cases: Sequence[Case]) -> np.ndarray:
        rows = [self.observe(c) or (math.nan,) * self.width for c in cases]
        return np.array(rows, dtype=float).reshape(len(cases), self.width)


@dataclass(frozen=True)
class MetricResult:
    """A metric's value over a set of questions, with its 95% bootstrap interval."""

    name: str
    value: float | None
    n: int  # questions the metric applies to
    ci_low: float | None
    ci_high: float | None
    higher_is_better: bool
    note: str | None = None  # why value is None, or a remark on the questions behind it

    def to_json(self) -> dict[str, Any]:
        return {
            "value": _round(self.value),
            "n": self.n,
            "ci95": [_round(self.ci_low), _round(self.ci_high)],
            "higher_is_better": self.higher_is_better,
            "note": self.note,
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def score(
    metric: Metric, cases: Sequence[Case], seed: int = SEED, resamples: int = RESAMPLES
) -> MetricResult:
    obs = metric.observations(cases)
    n = metric.count(obs) if metric.count else int((~np.isnan(obs).any(axis=1)).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(metric.reduce(obs)) if len(cases) else math.nan
    remark = metric.note(cases) if metric.note else None
    if math.isnan(value):
        undefined = f"niet gedefinieerd: {metric.undefined}"
        return MetricResult(
            metric.name,
            None,
            n,
            None,
            None,
            metric.higher_is_better,
            f"{undefined}; {remark}" if remark else undefined,
        )
    low, high = bootstrap_ci(obs, metric.reduce, seed, resamples)
    return MetricResult(metric.name, value, n, low, high, metric.higher_is_better, remark)


def _abstention(
    name: str,
    reduce: Reducer,
    description: str,
    undefined: str,
    count: Callable[[np.ndarray], int] | None = None,
) -> Metric:
    return Metric(
        name,
        "abstention",
        description,
        observations.decision,
        reduce,
        width=2,
        value=observations.decision_correct,
        undefined=undefined,
        count=count,
    )


METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        Metric(
            f"hit_at_{K}",
            "retrieval",
            f"an expected doc among the first {K} source docs",
            observations.hit,
            reducers.mean,
        ),
        Metric(
            f"recall_at_{K}",
            "retrieval",
            f"share of expected docs among the first {K} source docs",
            observations.recall_k,
            reducers.mean,
        ),
        Metric(
            "mrr",
            "retrieval",
            "1 / rank of the first expected doc (0 if absent)",
            observations.mrr,
            reducers.mean,
        ),
        Metric(
            "ndcg_at_10",
            "retrieval",
            "binary nDCG of the source doc ranking, cut at 10",
            observations.ndcg10,
            reducers.mean,
        ),
        Metric(
            "evidence_recall",
            "retrieval",
            "share of expected facts present in a returned passage",
            observations.evidence,
            reducers.mean,
        ),
        Metric(
            "right_doc",
            "answer",
            "an expected doc among all sources",
            observations.right_doc,
            reducers.mean,
        ),
        Metric(
            "fact_recall",
            "answer",
            "share of expected facts found in the answer",
            observations.fact_recall,
            reducers.mean,
        ),
        Metric(
            "all_facts",
            "answer",
            "all expected facts found in the answer",
            observations.all_facts,
            reducers.mean,
        ),
        Metric(
            "forbidden_rate",
            "answer",
            "answer contains a forbidden string",
            observations.forbidden,
            reducers.mean,
            higher_is_better=False,
        ),
        Metric(
            "citation_validity",
            "answer",
            "every [n] refers to a returned source",
            observations.citation_validity,
            reducers.mean,
        ),
        Metric(
            "citation_support",
            "answer",
            "share of cited sentences supported by their cited passages",
            observations.citation_support,
            reducers.mean,
        ),
        Metric(
            "faithfulness_llm",
            "answer",
            "share of answer statements an LLM judge finds supported by the sources (--judge)",
            observations.faithfulness_llm,
            reducers.mean,
            undefined="geen beoordeelde antwoorden",
            note=observations.judge_note,
        ),
        Metric(
            "answered_with_sources",
            "answer",
            "a non-abstained answer came with sources",
            observations.with_sources,
            reducers.mean,
        ),
        _abstention(
            "abstain_precision",
            reducers.precision,
            "abstentions that were right",
            "er is nergens geweigerd",
            reducers.abstentions,
        ),
        _abstention(
            "abstain_recall",
            reducers.recall,
            "unanswerable questions abstained on",
            "geen onbeantwoordbare vragen in de set",
            reducers.unanswerable,
        ),
        _abstention(
            "abstain_f1",
            reducers.f1,
            "harmonic mean of abstention precision and recall",
            "geen onbeantwoordbare vragen in de set",
        ),
        Metric(
            "false_abstentions",
            "abstention",
            "answerable questions abstained on (count)",
            observations.false_abstention,
            reducers.count,
            higher_is_better=False,
            undefined="geen beantwoordbare vragen in de set",
        ),
        Metric(
            "latency_p50_ms",
            "latency",
            "median answer latency",
            observations.latency,
            reducers.percentile(50),
            higher_is_better=False,
        ),
        Metric(
            "latency_p95_ms",
            "latency",
            "95th percentile answer latency",
            observations.latency,
            reducers.percentile(95),
            higher_is_better=False,
        ),
    ]
}
