"""Conversation memory: earlier turns are bounded, and follow-ups are read with them."""

from __future__ import annotations

from assistant import Turn
from assistant.conversation import as_turns, standalone_question
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
