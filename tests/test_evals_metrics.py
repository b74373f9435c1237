"""Evaluation metrics on hand-made cases whose right values are known, incl. edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from evals import matching
from evals.dataset import Example
from evals.metrics import METRICS, Case, score
from evals.scoring import case_from_json, case_to_json, checks, summarise
from evals.stats import bootstrap_ci, paired_bootstrap_ci

U, IKC = "unesco-learning-cities", "integrale-kindcentra"
COST_TEXT = "Een financiële contributie is niet vereist."


def example(**kw: object) -> Example:
    data: dict[str, object] = {"id": "q", "question": "vraag?", "answerable": True}
    data.update(kw)
    return Example.from_json(data)


def source(n: int, doc_id: str, text: str = "tekst") -> dict[str, object]:
    return {
        "n": n,
        "doc_id": doc_id,
        "title": doc_id,
        "section": None,
        "url": None,
        "text": text,
        "score": 0.5,
        "chunk_id": f"{doc_id}-{n}",
        "quote": None,
    }


def case(
    answer: str = "",
    abstained: bool = False,
    sources=(),
    latency: float | None = 100.0,
    **kw: object,
) -> Case:
    return Case(example(**kw), answer, abstained, tuple(sources), latency)


def value(name: str, cases: list[Case]) -> float | None:
    return score(METRICS[name], cases).value


# --- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle", "found"),
    [
        ("Het is GRATIS.", "gratis", True),
        ("een  financiële\ncontributie", "Financiële contributie", True),
        ("‘UNESCO Learning City’", "'unesco learning city'", True),
        ("0–12 jaar", "0-12 jaar", True),  # en dash in the text
        ("Global Goal 110", "Goal 11", False),  # not inside a longer number
        ("lidmaatschap", "lid", False),  # not inside a longer word
        ("mail mbontenbal@unesco.nl.", "mbontenbal@unesco.nl", True),
    ],
)
def test_contains_normalises_and_respects_word_edges(text: str, needle: str, found: bool) -> None:
    assert matching.contains(text, needle) is found


def test_citation_markers_never_count_as_facts_or_forbidden_content() -> None:
    assert not matching.fact_found("Er zijn twee steden [2].", ["2"])
    assert matching.found_forbidden("Het kost niets [5000].", ["5000"]) == []
    assert matching.found_forbidden("Het kost 5000 euro [1].", ["5000", "gratis"]) == ["5000"]


def test_citations_and_cited_sentences() -> None:
    text = "Het is gratis. [1] Aanmelden kan [2, 3]. Zonder bron. Zie [4][5]"
    assert matching.citations(text) == [1, 2, 3, 4, 5]
    assert matching.cited_sentences(text) == [
        ("Het is gratis. [1]", [1]),
        ("Aanmelden kan [2, 3].", [2, 3]),
        ("Zie [4][5]", [4, 5]),
    ]


def test_support_ignores_stopwords_and_markers() -> None:
    assert matching.support("De contributie is niet vereist [1].", [COST_TEXT]) == 1.0
    # content tokens: contributie, 5000, euro -> 1 of 3 in the passage
    assert matching.support("De contributie is 5000 euro [1].", [COST_TEXT]) == pytest.approx(1 / 3)
    assert matching.support("[1]", [COST_TEXT]) is None


# --- retrieval metrics ------------------------------------------------------------------------


def test_retrieval_metrics_on_a_known_ranking() -> None:
    # doc ranking: x, y, U (U repeated later), relevant: U and I
    sources = [source(1, "x"), source(2, "y"), source(3, U), source(4, U), source(5, "z")]
    c = case(sources=sources, expected_sources=[U, IKC])
    assert value("hit_at_3", [c]) == 1.0
    assert value("recall_at_3", [c]) == 0.5
    assert value("mrr", [c]) == pytest.approx(1 / 3)
    ideal = 1 + 1 / math.log2(3)
    assert value("ndcg_at_10", [c]) == pytest.approx((1 / math.log2(4)) / ideal)
    assert value("right_doc", [c]) == 1.0


def test_relevant_doc_beyond_k_is_a_miss_for_hit_but_not_for_right_doc() -> None:
    sources = [source(1, "a"), source(2, "b"), source(3, "c"), source(4, U)]
    c = case(sources=sources, expected_sources=[U])
    assert value("hit_at_3", [c]) == 0.0
    assert value("right_doc", [c]) == 1.0
    assert value("mrr", [c]) == 0.25


def test_no_sources_scores_zero_not_undefined() -> None:
    c = case(
        answer="Dat weet ik niet.", sources=[], expected_sources=[U], expected_facts=[["gratis"]]
    )
    for name in ("hit_at_3", "recall_at_3", "mrr", "ndcg_at_10", "right_doc", "evidence_recall"):
        assert value(name, [c]) == 0.0, name
    assert score(METRICS["citation_validity"], [c]).n == 0


def test_evidence_recall_separates_retrieval_from_answering() -> None:
    c = case(
        answer="Ik weet het niet precies.",
        sources=[source(1, U, COST_TEXT)],
        expected_sources=[U],
        expected_facts=[["niet vereist", "gratis"], ["gemeentebestuur"]],
    )
    assert value("evidence_recall", [c]) == 0.5
    assert value("fact_recall", [c]) == 0.0
    problems = checks(c)["problems"]
    assert "feit ontbreekt: 'niet vereist', wel in de bronnen (antwoordfout)" in problems
    assert "feit ontbreekt: 'gemeentebestuur', ook niet in de bronnen (zoekfout)" in problems


# --- answer metrics ---------------------------------------------------------------------------


def test_fact_recall_and_all_facts_average_per_question() -> None:
    facts = [["niet vereist", "gratis"], ["gemeentebestuur"]]
    full = case(answer="Het is gratis; het gemeentebestuur steunt.", expected_facts=facts)
    half = case(answer="Het is gratis.", expected_facts=facts)
    unanswerable = case(answer="x", answerable=False, expected_facts=[])
    assert value("fact_recall", [full, half, unanswerable]) == 0.75
    assert value("all_facts", [full, half, unanswerable]) == 0.5
    assert score(METRICS["fact_recall"], [full, half, unanswerable]).n == 2


def test_empty_answer_finds_nothing_and_is_reported() -> None:
    c = case(answer="", expected_facts=[["gratis"]], forbidden=["5000"])
    assert value("fact_recall", [c]) == 0.0
    assert value("forbidden_rate", [c]) == 0.0
    assert "leeg antwoord" in checks(c)["problems"]


def test_forbidden_rate_counts_questions_with_forbidden_content() -> None:
    bad = case(answer="Het kost 5000 euro.", forbidden=["5000"])
    good = case(answer="Het is gratis.", forbidden=["5000"])
    no_list = case(answer="5000", forbidden=[])
    assert value("forbidden_rate", [bad, good, no_list]) == 0.5
    assert METRICS["forbidden_rate"].higher_is_better is False


def test_citation_validity_flags_numbers_without_a_source() -> None:
    valid = case(answer="Gratis [1].", sources=[source(1, U, COST_TEXT)])
    invalid = case(answer="Gratis [1][3].", sources=[source(1, U, COST_TEXT)])
    uncited = case(answer="Gratis.", sources=[source(1, U, COST_TEXT)])
    assert value("citation_validity", [valid, invalid, uncited]) == 0.5
    assert checks(invalid)["invalid_citations"] == [3]


def test_citation_support_uses_only_the_cited_passages() -> None:
    sources = [source(1, U, COST_TEXT), source(2, IKC, "Kinderen van 0-12 jaar.")]
    supported = case(answer="Een financiële contributie is niet vereist [1].", sources=sources)
    wrong_source = case(answer="Een financiële contributie is niet vereist [2].", sources=sources)
    mixed = case(
        answer="Een financiële contributie is niet vereist [1]. Het netwerk kost 5000 euro [1].",
        sources=sources,
    )
    assert value("citation_support", [supported]) == 1.0
    assert value("citation_support", [wrong_source]) == 0.0
    assert value("citation_support", [mixed]) == 0.5
    assert checks(mixed)["unsupported_sentences"] == ["Het netwerk kost 5000 euro [1]."]


def test_answered_with_sources_ignores_abstentions() -> None:
    cases = [
        case(answer="a", sources=[source(1, U)]),
        case(answer="b", sources=[]),
        case(answer="weet ik niet", abstained=True),
    ]
    assert value("answered_with_sources", cases) == 0.5


# --- abstention -------------------------------------------------------------------------------


def test_abstention_precision_recall_f1_and_false_abstentions() -> None:
    cases = [
        case(abstained=True, answerable=False),  # TP
        case(abstained=False, answerable=False),  # FN
        case(abstained=True, answerable=True),  # FP, false abstention
        case(abstained=False, answerable=True),  # TN
        case(abstained=True, answerable=False),  # TP
    ]
    assert value("abstain_precision", cases) == pytest.approx(2 / 3)
    assert value("abstain_recall", cases) == pytest.approx(2 / 3)
    assert value("abstain_f1", cases) == pytest.approx(2 / 3)
    assert value("false_abstentions", cases) == 1.0
    assert score(METRICS["abstain_recall"], cases).n == 3  # unanswerable questions
    assert score(METRICS["abstain_precision"], cases).n == 3  # abstentions


def test_no_unanswerable_questions_makes_recall_and_f1_null_with_a_note() -> None:
    cases = [case(abstained=True), case(abstained=False)]
    for name in ("abstain_recall", "abstain_f1"):
        result = score(METRICS[name], cases)
        assert result.value is None and result.ci_low is None
        assert result.note == "niet gedefinieerd: geen onbeantwoordbare vragen in de set"
    assert value("abstain_precision", cases) == 0.0


def test_all_abstained() -> None:
    cases = [
        case(abstained=True, answerable=False),
        case(abstained=True, answerable=True, expected_facts=[["gratis"]]),
    ]
    assert value("abstain_recall", cases) == 1.0
    assert value("abstain_precision", cases) == 0.5
    assert value("false_abstentions", cases) == 1.0
    assert score(METRICS["answered_with_sources"], cases).value is None
    assert score(METRICS["citation_support"], cases).value is None


def test_latency_percentiles() -> None:
    cases = [case(latency=float(ms)) for ms in range(1, 101)]
    assert value("latency_p50_ms", cases) == pytest.approx(50.5)
    assert value("latency_p95_ms", cases) == pytest.approx(95.05)


# --- bootstrap --------------------------------------------------------------------------------


def test_bootstrap_ci_contains_estimate_and_is_deterministic() -> None:
    rng = np.random.default_rng(1)
    obs = rng.integers(0, 2, size=(60, 1)).astype(float)
    reduce = METRICS["fact_recall"].reduce
    first, second = bootstrap_ci(obs, reduce, seed=7), bootstrap_ci(obs, reduce, seed=7)
    assert first == second
    low, high = first
    assert low is not None and high is not None
    assert low <= float(obs.mean()) <= high
    assert high - low > 0.05  # 60 coin flips are not that certain
    assert bootstrap_ci(obs, reduce, seed=8) != first


def test_bootstrap_ci_of_constant_values_is_a_point() -> None:
    cases = [case(answer="gratis", expected_facts=[["gratis"]]) for _ in range(10)]
    result = score(METRICS["fact_recall"], cases)
    assert (result.value, result.ci_low, result.ci_high) == (1.0, 1.0, 1.0)


def test_paired_bootstrap_of_identical_runs_is_zero() -> None:
    obs = np.array([[1.0], [0.0], [1.0], [np.nan]])
    assert paired_bootstrap_ci(obs, obs, METRICS["fact_recall"].reduce) == (0.0, 0.0)
    low, high = paired_bootstrap_ci(obs, np.ones_like(obs), METRICS["fact_recall"].reduce)
    assert low is not None and high is not None and 0 <= low <= high <= 1


# --- summaries and results lines ---------------------------------------------------------------


def test_summary_breaks_down_by_every_tag_with_n() -> None:
    cases = [
        case(answer="gratis", expected_facts=[["gratis"]], tags={"category": "costs"}),
        case(answer="nee", expected_facts=[["gratis"]], tags={"category": "costs"}),
        case(
            answer="weet niet",
            abstained=True,
            answerable=False,
            tags={"category": "unanswerable_in_domain", "turns": "standalone"},
        ),
    ]
    summary = summarise(cases, resamples=200)
    assert summary["questions"] == 3
    assert set(summary["breakdown"]) == {"answerable", "category", "turns"}
    costs = summary["breakdown"]["category"]["costs"]
    assert costs["questions"] == 2
    assert costs["metrics"]["fact_recall"] == {
        **costs["metrics"]["fact_recall"],
        "value": 0.5,
        "n": 2,
    }
    assert summary["breakdown"]["answerable"]["false"]["metrics"]["abstain_recall"]["value"] == 1


def test_results_line_round_trips_and_carries_per_question_metrics() -> None:
    c = case(
        answer="Gratis [1].",
        sources=[source(1, U, COST_TEXT)],
        expected_sources=[U],
        expected_facts=[["gratis"]],
        tags={"category": "costs"},
    )
    line = case_to_json(c, {"backend": "extractive"})
    assert line["backend"] == "extractive"
    assert line["metrics"]["fact_recall"] == 1.0 and line["metrics"]["right_doc"] == 1.0
    assert "latency_p50_ms" not in line["metrics"]
    assert case_from_json(line) == c
