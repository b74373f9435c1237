"""A question's concepts: which words of a text count as saying what the question names."""

from __future__ import annotations

import pytest

from assistant.text.analysis import stem
from assistant.text.concepts import concepts
from assistant.text.vocabulary import load_vocabulary

# The index's words (stems) with their document counts, as the keyword index gives them.
INDEX = {
    stem(w): 1
    for w in [
        "school",
        "schooldirecteur",
        "directeur",
        "wethouder",
        "implementatie",
        "implementatiehandreiking",
        "handreiking",
        "netwerk",
        "werk",
        "ouders",
        "wethouders",
        "gemeente",
        "gemeentesecretaris",
        "secretaris",
    ]
}


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("Wat zegt de directeur?", "De schooldirecteur vindt het een goed plan."),
        ("Is er een handreiking?", "De implementatiehandreiking staat online."),
        ("Wie is de secretaris?", "De gemeentesecretaris tekent de brief."),
    ],
)
def test_a_compound_with_the_question_s_word_as_its_head_covers_it(
    question: str, text: str
) -> None:
    found = concepts(question, load_vocabulary(), INDEX, 100)
    share, covered = found.coverage(text)
    assert share > 0 and covered, (question, text)


@pytest.mark.parametrize(
    ("question", "text"),
    [
        # "werk" is too short a head: "netwerk" is no kind of work.
        ("Wat voor werk is het?", "Het netwerk van lerende steden."),
        # "weth" is no word of the index: "wethouder" is no compound of "ouder".
        ("Wat doen de ouders?", "De wethouder opent de school."),
    ],
)
def test_a_word_that_only_ends_in_the_question_s_word_does_not_cover_it(
    question: str, text: str
) -> None:
    found = concepts(question, load_vocabulary(), INDEX, 100)
    _, covered = found.coverage(text)
    assert not covered, (question, text, covered)


@pytest.mark.parametrize(
    ("question", "concept", "is_concept"),
    [
        # "staat" asks what a text says ("Wat staat er in ...?"), but with a capital inside the
        # sentence it is part of a name.
        ("Wat zegt de Staat van het Onderwijs?", "staat", True),
        ("Wat staat er in de handreiking?", "staat", False),
        # A verb of saying is the question's frame, not what it asks about.
        ("Wat zegt de handreiking over gemeenten?", "zegt", False),
        ("What does the guide say about municipalities?", "say", False),
        ("Wie heeft de handreiking geschreven?", "geschreven", False),
        # "zoal" ("among other things") stems as "zoals" does: a filler, no concept.
        ("Wat staat er zoal in de handreiking?", "zoal", False),
        # "Wat zit erin?" asks what "Wat staat erin?" does.
        ("Wat zit er in de handreiking?", "zit", False),
        # After a closing bracket a new sentence starts: its first word is no name.
        ("[Antwoord altijd kort.] Vraag van een ouder: hoe oud?", "vraag", False),
    ],
)
def test_question_words_are_no_concepts_unless_they_are_part_of_a_name(
    question: str, concept: str, is_concept: bool
) -> None:
    tokens = load_vocabulary().content_tokens(question)
    assert (stem(concept) in tokens) is is_concept, tokens
