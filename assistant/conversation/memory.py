"""Conversation memory: turns as records, and follow-up questions made self-contained."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.limits import MAX_HISTORY_TURNS, MAX_SOURCE_IDS_PER_TURN, MAX_TURN_CHARS
from assistant.records import Turn
from assistant.text.vocabulary import Vocabulary

MAX_CONTEXT_TURNS = 2


def as_turns(history: Sequence[Turn | str] | None) -> tuple[Turn, ...]:
    """Accept previous turns or plain previous questions; at most the last MAX_HISTORY_TURNS,
    each text at most MAX_TURN_CHARS long, so no history costs more than a bounded amount."""
    turns = [t if isinstance(t, Turn) else Turn(question=str(t)) for t in history or ()]
    return tuple(
        Turn(
            t.question[:MAX_TURN_CHARS],
            t.answer[:MAX_TURN_CHARS],
            t.source_ids[:MAX_SOURCE_IDS_PER_TURN],
        )
        for t in turns[-MAX_HISTORY_TURNS:]
    )


def standalone_question(question: str, history: tuple[Turn, ...], vocabulary: Vocabulary) -> str:
    """The question to search for: a follow-up is joined with the question(s) it follows.

    This is the extractive method (no language model): a question that refers back ("Wat is
    haar e-mailadres?") or starts like a continuation ("En voor kinderen?") is searched together
    with the previous questions of the conversation.
    """
    if not history or not vocabulary.is_followup(question):
        return question
    previous = [t.question for t in history[-MAX_CONTEXT_TURNS:]]
    return " ".join([*previous, question])


def context_of(question: str, standalone: str) -> str:
    """The part of the standalone question that came from earlier turns."""
    return standalone[: -len(question)].strip() if standalone.endswith(question) else ""
