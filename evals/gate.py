"""The CI gate: --fail-under / --fail-over thresholds checked against a run's summary."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from evals.errors import GateSpecError
from evals.metrics import METRICS


@dataclass(frozen=True)
class Threshold:
    metric: str
    bound: float
    upper: bool  # True: fail when the value is above the bound (--fail-over)

    def describe(self) -> str:
        return f"{self.metric} {'<=' if self.upper else '>='} {self.bound:g}"


def parse_thresholds(specs: Iterable[str], upper: bool) -> list[Threshold]:
    """Parse ``name=value,name=value`` arguments (the flag may be repeated)."""
    flag = "--fail-over" if upper else "--fail-under"
    known = ", ".join(METRICS)
    out: list[Threshold] = []
    for spec in specs:
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, sep, raw = part.partition("=")
            name = name.strip()
            if not sep:
                raise GateSpecError(
                    f"{flag} {part!r}: verwacht naam=waarde, bijvoorbeeld fact_recall=0.85."
                )
            if name not in METRICS:
                raise GateSpecError(
                    f"{flag}: onbekende metriek {name!r}. Bekende metrieken: {known}."
                )
            try:
                bound = float(raw)
            except ValueError as e:
                raise GateSpecError(f"{flag} {part!r}: {raw!r} is geen getal.") from e
            metric = METRICS[name]
            if metric.higher_is_better == upper:
                other = "--fail-under" if upper else "--fail-over"
                direction = "hoger" if metric.higher_is_better else "lager"
                raise GateSpecError(
                    f"{flag} {name}: bij deze metriek is {direction} beter, dus deze grens keurt "
                    f"nooit iets af. Gebruik {other} {name}={raw}."
                )
            out.append(Threshold(name, bound, upper))
    return out


def check(thresholds: Iterable[Threshold], metrics: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Dutch messages for every threshold the run misses; empty when the gate passes.

    A metric that could not be computed (null) fails its threshold: a gate that cannot be
    checked must not pass silently.
    """
    failures = []
    for t in thresholds:
        value = metrics[t.metric]["value"]
        if value is None:
            note = metrics[t.metric].get("note") or "niet te berekenen"
            failures.append(f"{t.metric}: geen waarde ({note}); eis {t.describe()}")
        elif (value > t.bound) if t.upper else (value < t.bound):
            failures.append(f"{t.metric} = {value:g}, eis {t.describe()}")
    return failures
