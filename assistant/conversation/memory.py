"""Conversation memory: turns as records, and follow-up questions made self-contained."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.records import Turn
from assistant.vocabulary import Vocabulary

MAX_CONTEXT_TURNS = 2


def as_turns(history: Sequence[Turn | str] | None) -> tuple[Turn, ...]:
    """Accept previous turns or plain previous questions."""
    return tuple(t if isinstance(t, Turn) else Turn(question=str(t)) for t in history or ())


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
