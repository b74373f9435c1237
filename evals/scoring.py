"""Per-question checks and run-level summaries (overall and per tag) built from the metrics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evals import matching
from evals.dataset import Example
from evals.judge import JudgeResult
from evals.metrics import METRICS, Case, score
from evals.observations import facts_found, sentence_support
from evals.stats import RESAMPLES, SEED

# Headline metrics: the terminal table, the per-tag plots and the report's first table.
HEADLINE = (
    "fact_recall",
    "all_facts",
    "right_doc",
    "evidence_recall",
    "mrr",
    "citation_validity",
    "citation_support",
    "abstain_precision",
    "abstain_recall",
    "abstain_f1",
    "false_abstentions",
    "forbidden_rate",
    "latency_p50_ms",
    "latency_p95_ms",
)


def checks(case: Case) -> dict[str, Any]:
    """What was found and what went wrong for one question, in words for the report."""
    ex = case.example
    in_answer = facts_found(case, [case.answer])
    in_sources = facts_found(case, case.source_texts())
    numbers = {s.get("n") for s in case.sources}
    support = sentence_support(case)
    result = {
        "facts_in_answer": in_answer,
        "facts_in_sources": in_sources,
        "forbidden_found": matching.found_forbidden(case.answer, ex.forbidden),
        "invalid_citations": sorted(
            {n for n in matching.citations(case.answer) if n not in numbers}
        ),
        "unsupported_sentences": [s for s, share in support if share < matching.SUPPORT_THRESHOLD],
    }
    if case.judge is not None:
        result["unsupported_statements"] = list(case.judge.unsupported)
    result["problems"] = problems(case, result)
    return result


def problems(case: Case, found: dict[str, Any]) -> list[str]:
    ex = case.example
    out: list[str] = []
    if not case.answer.strip():
        out.append("leeg antwoord")
    if ex.answerable and case.abstained:
        out.append("onterecht geweigerd")
    if not ex.answerable and not case.abstained:
        out.append("beantwoord terwijl het antwoord niet in de bronnen staat")
    if ex.answerable and not case.abstained:
        for alts, in_answer, in_sources in zip(
            ex.expected_facts, found["facts_in_answer"], found["facts_in_sources"], strict=True
        ):
            if not in_answer:
                where = (
                    "wel in de bronnen (antwoordfout)"
                    if in_sources
                    else ("ook niet in de bronnen (zoekfout)")
                )
                out.append(f"feit ontbreekt: {alts[0]!r}, {where}")
    if (
        ex.answerable
        and ex.expected_sources
        and not set(ex.expected_sources) & set(case.doc_ranking())
    ):
        out.append(f"verwacht document niet bij de bronnen ({', '.join(ex.expected_sources)})")
    if found["forbidden_found"]:
        out.append(f"verboden inhoud: {', '.join(found['forbidden_found'])}")
    if found["invalid_citations"]:
        out.append(f"verwijst naar niet-bestaande bron: {found['invalid_citations']}")
    if found["unsupported_sentences"]:
        out.append(f"{len(found['unsupported_sentences'])} zin(nen) niet gedekt door de bron")
    judge = case.judge
    if judge is not None and judge.score is not None and judge.score < 1:
        statements = "".join(f"; {s!r}" for s in judge.unsupported)
        out.append(
            f"volgens de beoordelaar (LLM) niet geheel gedekt door de bronnen "
            f"(faithfulness_llm {judge.score:.2f}){statements}"
        )
    return out


def case_to_json(case: Case, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """One results.jsonl line: the example, the answer, per-question metrics and checks."""
    ex = case.example.to_json()
    values = {name: m.per_question(case) for name, m in METRICS.items()}
    return {
        "id": ex.pop("id"),
        "question": ex.pop("question"),
        "answer": case.answer,
        "abstained": case.abstained,
        "sources": list(case.sources),
        "latency_ms": None if case.latency_ms is None else round(case.latency_ms, 1),
        **(extra or {}),
        **ex,
        **({"judge": case.judge.to_json()} if case.judge is not None else {}),
        "metrics": {k: round(v, 4) for k, v in values.items() if v is not None},
        "checks": checks(case),
    }


def case_from_json(data: dict[str, Any]) -> Case:
    """Rebuild a case from a results.jsonl line (raises ValueError/KeyError when malformed)."""
    example = Example.from_json(data)
    return Case(
        example=example,
        answer=str(data.get("answer") or ""),
        abstained=bool(data.get("abstained", False)),
        sources=tuple(data.get("sources") or ()),
        latency_ms=data.get("latency_ms"),
        judge=JudgeResult.from_json(data["judge"]) if data.get("judge") else None,
    )


def summarise(
    cases: Sequence[Case], seed: int = SEED, resamples: int = RESAMPLES
) -> dict[str, Any]:
    """All metrics over all cases and per tag value, each with n and a 95% bootstrap CI."""
    overall = {name: score(m, cases, seed, resamples).to_json() for name, m in METRICS.items()}
    breakdown: dict[str, dict[str, Any]] = {}
    for tag in sorted({k for c in cases for k in c.example.tags}):
        groups: dict[str, list[Case]] = {}
        for case in cases:
            if tag in case.example.tags:
                groups.setdefault(case.example.tags[tag], []).append(case)
        breakdown[tag] = {
            value: {
                "questions": len(group),
                "metrics": {
                    name: score(m, group, seed, resamples).to_json() for name, m in METRICS.items()
                },
            }
            for value, group in sorted(groups.items())
        }
    return {"questions": len(cases), "metrics": overall, "breakdown": breakdown}
