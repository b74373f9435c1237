"""What each metric observes of one answered question (None when it does not apply)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from evals import matching
from evals.case import Case, Observation
from evals.judge import ABSTAINED

K = 3  # cut-off of hit@k and recall@k


def _flag(x: bool) -> tuple[float]:
    return (1.0 if x else 0.0,)


def _relevant(case: Case) -> set[str] | None:
    ex = case.example
    return set(ex.expected_sources) if ex.answerable and ex.expected_sources else None


def hit(case: Case) -> Observation:
    rel = _relevant(case)
    return None if rel is None else _flag(bool(rel & set(case.doc_ranking()[:K])))


def recall_k(case: Case) -> Observation:
    rel = _relevant(case)
    return None if rel is None else (len(rel & set(case.doc_ranking()[:K])) / len(rel),)


def mrr(case: Case) -> Observation:
    rel = _relevant(case)
    if rel is None:
        return None
    ranks = [i for i, d in enumerate(case.doc_ranking(), start=1) if d in rel]
    return (1.0 / ranks[0] if ranks else 0.0,)


def ndcg10(case: Case) -> Observation:
    rel = _relevant(case)
    if rel is None:
        return None
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(case.doc_ranking()[:10]) if d in rel)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(rel), 10)))
    return (dcg / ideal,)


def right_doc(case: Case) -> Observation:
    rel = _relevant(case)
    return None if rel is None else _flag(bool(rel & set(case.doc_ranking())))


def facts_found(case: Case, texts: Sequence[str]) -> list[bool]:
    return [any(matching.fact_found(t, f) for t in texts) for f in case.example.expected_facts]


def _answer_facts(case: Case) -> list[bool] | None:
    ex = case.example
    return facts_found(case, [case.answer]) if ex.answerable and ex.expected_facts else None


def evidence(case: Case) -> Observation:
    ex = case.example
    if not (ex.answerable and ex.expected_facts):
        return None
    found = facts_found(case, case.source_texts())
    return (sum(found) / len(found),)


def fact_recall(case: Case) -> Observation:
    found = _answer_facts(case)
    return None if found is None else (sum(found) / len(found),)


def all_facts(case: Case) -> Observation:
    found = _answer_facts(case)
    return None if found is None else _flag(all(found))


def forbidden(case: Case) -> Observation:
    forbidden = case.example.forbidden
    return _flag(bool(matching.found_forbidden(case.answer, forbidden))) if forbidden else None


def citation_validity(case: Case) -> Observation:
    cited = matching.citations(case.answer)
    if case.abstained or not cited:
        return None
    numbers = {s.get("n") for s in case.sources}
    return _flag(all(n in numbers for n in cited))


def sentence_support(case: Case) -> list[tuple[str, float]]:
    """Each answer sentence that cites [n], with its support by the cited passages."""
    scored = []
    for sentence, cited in matching.cited_sentences(case.answer):
        share = matching.support(sentence, case.source_texts(set(cited), labelled=True))
        if share is not None:
            scored.append((sentence, share))
    return scored


def citation_support(case: Case) -> Observation:
    if case.abstained:
        return None
    scored = sentence_support(case)
    if not scored:
        return None
    supported = sum(share >= matching.SUPPORT_THRESHOLD for _, share in scored)
    return (supported / len(scored),)


def faithfulness_llm(case: Case) -> Observation:
    score = None if case.judge is None else case.judge.score
    return None if score is None else (score,)


def judge_note(cases: Sequence[Case]) -> str | None:
    verdicts = [c.judge for c in cases if c.judge is not None]
    if not verdicts:
        return "niet beoordeeld: draai leerstad eval met --judge en een taalmodel"
    abstained = sum(v.reason == ABSTAINED for v in verdicts)
    unjudged = sum(v.score is None for v in verdicts) - abstained
    parts = [f"{unjudged} van {len(verdicts)} niet te beoordelen"] if unjudged else []
    if abstained:
        parts.append(f"{abstained} geweigerd (niet beoordeeld)")
    return "; ".join(parts) or None


def decision(case: Case) -> Observation:
    return (0.0 if case.example.answerable else 1.0, 1.0 if case.abstained else 0.0)


def decision_correct(case: Case) -> float:
    return 1.0 if case.abstained != case.example.answerable else 0.0


def false_abstention(case: Case) -> Observation:
    return _flag(case.abstained) if case.example.answerable else None


def with_sources(case: Case) -> Observation:
    return None if case.abstained else _flag(bool(case.sources))


def latency(case: Case) -> Observation:
    return None if case.latency_ms is None else (float(case.latency_ms),)
