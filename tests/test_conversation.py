"""Conversation memory: earlier turns are bounded, and follow-ups are read with them."""

from __future__ import annotations

import pytest

from assistant import Turn
from assistant.conversation import as_turns, resolve_ordinal, standalone_question
from assistant.conversation.memory import MAX_CONTEXT_TURNS, moved_on
from assistant.limits import MAX_HISTORY_TURNS, MAX_TURN_CHARS
from assistant.text.vocabulary import load_vocabulary


def test_history_is_bounded_in_turns_and_characters() -> None:
    long = "x" * (MAX_TURN_CHARS * 3)
    history = [Turn(f"vraag {i} {long}", long, ("a#0001",) * 500) for i in range(120)]
    turns = as_turns(history)
    assert len(turns) == MAX_HISTORY_TURNS
    assert turns[-1].question.startswith("vraag 119")  # the latest turns are kept
    assert all(len(t.question) <= MAX_TURN_CHARS and len(t.answer) <= MAX_TURN_CHARS for t in turns)
    assert all(len(t.source_ids) <= 50 for t in turns)
    assert as_turns(["Wie is de contactpersoon?"]) == (Turn("Wie is de contactpersoon?"),)


def test_a_follow_up_is_searched_with_the_earlier_question() -> None:
    vocabulary = load_vocabulary()
    earlier = (Turn("Wie is de contactpersoon bij de Nationale UNESCO Commissie?"),)
    assert standalone_question("hoe bereik ik haar?", earlier, vocabulary) == (
        "Wie is de contactpersoon bij de Nationale UNESCO Commissie? hoe bereik ik haar?"
    )
    # A question that stands on its own is searched as it is.
    own = "Welke Global Goals horen bij de integrale kindcentra?"
    assert standalone_question(own, earlier, vocabulary) == own


def test_a_thread_of_follow_ups_is_searched_back_to_the_question_that_started_it() -> None:
    vocabulary = load_vocabulary()
    started = "Wat kost het lidmaatschap van het netwerk van lerende steden?"
    thread = (Turn(started), Turn("En hoe meld je je aan?"), Turn("En daarna?"))
    assert standalone_question("Wie moet dat steunen?", thread, vocabulary).startswith(started)
    # A question of its own ends the thread before it: the follow-up goes on from that one.
    own = (Turn("Wat is een IKC?"), Turn(started), Turn("En hoe meld je je aan?"))
    assert standalone_question("Wie moet dat steunen?", own, vocabulary) == (
        f"{started} En hoe meld je je aan? Wie moet dat steunen?"
    )
    # However long the thread, a bounded number of questions is searched with it.
    long = (Turn(started), *(Turn(f"En daarna {i}?") for i in range(10)))
    joined = standalone_question("En dan?", long, vocabulary)
    assert started not in joined and joined.count("?") == MAX_CONTEXT_TURNS + 1


NAMES = "Al twee gemeenten zijn lid: Den Bosch en Groningen. [1] Wereldwijd 250 steden. [1]"
LISTED = "Ik ken 3 documenten:\n- Alfa-rapport (https://a.nl/x) [1]\n- Beta-gids [2]\n- Gamma [3]"


@pytest.mark.parametrize(
    ("answer", "question", "resolved"),
    [
        (NAMES, "en waar gaat die tweede over?", "en waar gaat Groningen over?"),
        (NAMES, "Hoeveel inwoners heeft de eerste?", "Hoeveel inwoners heeft Den Bosch?"),
        (NAMES, "What about the second one?", "What about Groningen?"),
        (LISTED, "Waar gaat het laatste over?", "Waar gaat Gamma over?"),
        (LISTED, "En dat tweede?", "En Beta-gids?"),
        (
            "Het draagt bij aan Global Goal 4 (onderwijs) en Global Goal 11 (steden), zo.",
            "Waar gaat de tweede over?",
            "Waar gaat Global Goal 11 (steden) over?",
        ),
        (
            "Het richt zich op onderwijs, duurzaamheid, innovatie en inclusie. [1]",
            "wat was de laatste van dat rijtje?",
            "wat was inclusie van dat rijtje?",
        ),
        (NAMES, "Wat is de eerste stap?", "Wat is de eerste stap?"),  # which step, no item
        (NAMES, "En de vijfde?", "En de vijfde?"),  # only two were listed
        ("Een financiële contributie is niet vereist. [1]", "En die tweede?", "En die tweede?"),
    ],
)
def test_an_ordinal_refers_to_what_the_previous_answer_listed(
    answer: str, question: str, resolved: str
) -> None:
    assert resolve_ordinal(question, (Turn("Welke?", answer),)) == resolved


def test_an_ordinal_without_a_previous_answer_stays() -> None:
    assert resolve_ordinal("En die tweede?", ()) == "En die tweede?"


def test_a_follow_up_naming_another_documents_subject_moves_on() -> None:
    vocabulary = load_vocabulary()
    previous = "Aan welke Global Goals draagt het netwerk van lerende steden bij?"
    titles = {"integrale-kindcentra": "Integrale Kindcentra", "wmo-2015": "Wmo 2015"}
    old = ["UNESCO Learning Cities"]
    searched, documents = moved_on("en de kindcentra?", previous, titles, old, vocabulary) or (
        "",
        frozenset(),
    )
    assert documents == {"integrale-kindcentra"}
    assert searched == "Aan welke Global Goals draagt het netwerk van bij? en de kindcentra?"
    # A follow-up with a question of its own, or naming no other document's subject, stays.
    asks = "En aan welke Global Goals draagt dat netwerk bij?"
    assert moved_on(asks, previous, titles, old, vocabulary) is None
    assert moved_on("en in Utrecht?", previous, titles, old, vocabulary) is None


@pytest.mark.parametrize(
    ("question", "elliptical"),
    [
        ("en bij die kindcentra?", True),
        ("Geldt dat ook voor de kindcentra?", True),  # asks the previous question again
        ("Is dat gratis?", True),
        ("Heeft iemand daar een stappenplan voor gemaakt?", False),  # its own yes/no question
        ("Is er een website?", False),
        ("Can my town join too?", False),
        ("Wie heeft het stappenplan gemaakt?", False),
    ],
)
def test_a_yes_no_question_about_something_of_its_own_is_not_elliptical(
    question: str, elliptical: bool
) -> None:
    assert load_vocabulary().is_elliptical(question) is elliptical


@pytest.mark.parametrize(
    ("earlier", "question", "plain"),
    [
        # "zo'n" refers back to what the conversation is about.
        (
            "Voor welke leeftijd is een integraal kindcentrum?",
            "Bestaat er een handleiding voor gemeenten die zo'n centrum willen beginnen?",
            "Bestaat er een handleiding voor gemeenten die een kindcentrum willen beginnen?",
        ),
        # So does a demonstrative before a thing.
        (
            "Aan welk Global Goal draagt het netwerk bij?",
            "ok maar wat houdt dat doel precies in",
            "wat houdt het doel van onderwijs in",
        ),
        (
            "Aan welk Global Goal draagt het netwerk bij?",
            "wanneer kwam die handreiking voor kindcentra uit",
            "wanneer kwam de handreiking uit",
        ),
        (
            "Aan welk Global Goal draagt het netwerk bij?",
            "what does this goal say about schools",
            "what does the goal say about schools",
        ),
        # A follow-up's start counts after an interjection; the interjection alone does not.
        (
            "Welke Nederlandse steden zijn Learning City?",
            "ok en hoeveel inwoners heeft Groningen volgens het stuk",
            "ok hoeveel inwoners heeft Groningen volgens het stuk",
        ),
    ],
)
def test_words_that_refer_back_make_a_follow_up(earlier: str, question: str, plain: str) -> None:
    vocabulary = load_vocabulary()
    turns = (Turn(earlier),)
    assert standalone_question(question, turns, vocabulary).startswith(earlier)
    assert standalone_question(plain, turns, vocabulary) == plain


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Hallo!", "greeting"),
        ("goedemorgen", "greeting"),
        ("Dank je wel!", "thanks"),
        ("Hartelijk dank", "thanks"),
        ("thank you very much", "thanks"),
        ("ok", "ack"),
        ("Top, duidelijk.", "ack"),
        # Anything asked besides is a question, not small talk.
        ("Hallo, wat kost het lidmaatschap?", None),
        ("bedankt, en wie moet het steunen?", None),
        ("Wat kost het?", None),
    ],
)
def test_small_talk_is_only_a_message_that_says_nothing_else(
    message: str, kind: str | None
) -> None:
    assert load_vocabulary().small_talk(message) == kind
