"""Citation checking of generated answers: invalid, unsupported and renumbered citations."""

from __future__ import annotations

import itertools

import pytest
from llm_fixtures import GOOD_ANSWER, passages

from assistant.answering.llm import number_sources
from assistant.answering.verify import AnswerChecker, Checked, split_segments


def check(text: str, step: int = 0) -> tuple[Checked, list[str]]:
    """Check ``text`` fed in pieces of ``step`` characters (0: all at once)."""
    checker = AnswerChecker(number_sources(passages()))
    shown = []
    for i in range(0, len(text), step or len(text)):
        if checker.feed(text[i : i + (step or len(text))]):
            shown.append(checker.text)
    return checker.finish(), shown


def test_a_supported_answer_passes_unchanged() -> None:
    result, _ = check(GOOD_ANSWER)
    assert result.text == GOOD_ANSWER
    assert result.edits == ()
    assert [(s.n, s.chunk_id) for s in result.sources] == [
        (1, "integrale-kindcentra#0001"),
        (2, "integrale-kindcentra#0002"),
    ]
    assert result.sources[1].quote is not None and "stappenplan" in result.sources[1].quote
    assert result.supported == 2 and not result.abstained


def test_a_citation_to_no_source_is_removed() -> None:
    result, _ = check("Integrale kindcentra bieden opvang en onderwijs [1][7].")
    assert result.text == "Integrale kindcentra bieden opvang en onderwijs [1]."
    assert result.edits == ("invalid_citation: removed [7] (there is no source 7)",)


def test_a_cited_sentence_the_source_does_not_support_is_removed() -> None:
    result, _ = check(
        GOOD_ANSWER + " Elk kindcentrum krijgt jaarlijks een miljoen euro subsidie [1]."
    )
    assert result.text == GOOD_ANSWER
    assert len(result.edits) == 1
    assert result.edits[0].startswith("unsupported_sentence: removed «Elk kindcentrum krijgt")


def test_an_uncited_sentence_gets_the_supporting_source_or_is_removed() -> None:
    result, _ = check(
        "Gemeenten kunnen lid worden van het netwerk van lerende steden via de Nationale UNESCO "
        "Commissie. Dat kost niets."
    )
    assert result.text == (
        "Gemeenten kunnen lid worden van het netwerk van lerende steden via de Nationale UNESCO "
        "Commissie [1]."
    )
    assert result.sources[0].doc_id == "unesco-learning-cities"
    assert [e.split(":")[0] for e in result.edits] == ["added_citation", "unsupported_sentence"]


def test_citations_are_renumbered_in_order_of_first_use() -> None:
    result, _ = check(
        "De VNG heeft een handreiking met een stappenplan [2]. Gemeenten kunnen lid worden "
        "van het UNESCO-netwerk door een aanvraag in te dienen [3]. Het stappenplan staat in "
        "de handreiking van de VNG [2]."
    )
    assert result.text.count("[1]") == 2 and result.text.count("[2]") == 1
    assert "[3]" not in result.text
    assert [s.doc_id for s in result.sources] == ["integrale-kindcentra", "unesco-learning-cities"]


def test_a_citation_that_shares_nothing_with_its_sentence_is_dropped() -> None:
    result, _ = check("De VNG heeft een handreiking met een stappenplan [2][3].")
    assert result.text == "De VNG heeft een handreiking met een stappenplan [1]."
    assert result.edits[0].startswith("irrelevant_citation: removed [3]")


def test_saying_the_sources_do_not_answer_is_an_abstention() -> None:
    result, _ = check("Dat staat niet in mijn bronnen, dus daar kan ik geen antwoord op geven.")
    assert result.abstained and result.supported == 0 and result.sources == ()


def test_nothing_supported_leaves_no_claims() -> None:
    result, _ = check("Kindcentra zijn in 1850 uitgevonden door Napoleon [1]. Zo is het.")
    assert result.supported == 0 and not result.abstained and result.text == ""


def test_a_lead_in_is_shown_only_before_a_kept_claim() -> None:
    kept, _ = check("Kort gezegd:\n- De VNG heeft een handreiking met een stappenplan [2].")
    assert kept.text == "Kort gezegd:\n- De VNG heeft een handreiking met een stappenplan [1]."
    dropped, _ = check("Kort gezegd:\n- Napoleon bedacht de kindcentra [2].")
    assert dropped.text == ""
    assert dropped.edits[-1] == "dropped_lead_in: removed «Kort gezegd:»"


@pytest.mark.parametrize("step", [1, 3, 10, 40])
def test_streamed_checking_matches_whole_checking_and_only_grows(step: int) -> None:
    text = (
        "Kort gezegd:\n\n1. " + GOOD_ANSWER.replace(". De", ".\n2. De") + " Napoleon bedacht "
        "dit [1]. Zie [9].\n\nDe bronnen zeggen niets over de kosten."
    )
    whole, _ = check(text)
    streamed, shown = check(text, step)
    assert streamed == whole
    assert len(shown) >= 2
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(shown))
    assert whole.text.endswith("[2].\n\nDe bronnen zeggen niets over de kosten.")
    assert "Napoleon" not in "".join(shown)


def test_sentences_split_on_ends_not_on_abbreviations_or_list_numbers() -> None:
    segments = split_segments("Dat is bijv. het geval [1]. Ja. [2] Nee!\n1. Item een\n\n2. Twee")
    assert [(s.text, s.breaks) for s in segments] == [
        ("Dat is bijv. het geval [1].", 0),
        ("Ja. [2]", 0),
        ("Nee!", 0),
        ("1. Item een", 1),
        ("2. Twee", 2),
    ]


def test_an_answer_in_another_language_is_checked_on_names_and_numbers() -> None:
    checker = AnswerChecker(number_sources(passages()), cross_lingual=True)
    checker.feed(
        "Integrated child centres serve all children aged 0-12 [1]. The VNG wrote a guide with "
        "a step-by-step plan [2]. The NHS pays for them [1]. They are popular [2]."
    )
    result = checker.finish()
    assert result.text == (
        "Integrated child centres serve all children aged 0-12 [1]. The VNG wrote a guide with "
        "a step-by-step plan [2]. They are popular [2]."
    )
    assert [e.split(":")[0] for e in result.edits] == ["unsupported_sentence", "unverified"]


def test_the_same_answer_fails_when_it_must_match_dutch_words() -> None:
    checker = AnswerChecker(number_sources(passages()))
    checker.feed("They are popular [2].")
    assert checker.finish().supported == 0
