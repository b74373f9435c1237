"""Answer backends: the request they get and the protocol they follow (no backend imports)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from assistant.records import Answer, Passage, Turn
from assistant.settings import Settings

# The backend that answers without a language model (the offline default).
OFFLINE = "extractive"


@dataclass(frozen=True)
class Request:
    """Everything a backend needs to answer one question."""

    question: str  # as the user typed it
    standalone: str  # the question made self-contained with the conversation (what was searched)
    history: tuple[Turn, ...]
    passages: tuple[Passage, ...]  # retrieved, best first
    language: str  # "nl" or "en"
    # Term statistics of the index (stem -> number of chunks containing it), to weigh words.
    doc_freq: Mapping[str, int] = field(default_factory=dict)
    corpus_size: int = 1
    topic: frozenset[str] = frozenset()  # for a follow-up: the documents talked about so far
    context: str = ""  # what the conversation so far is about (earlier questions and answers)


class Backend(Protocol):
    """Turns retrieved passages into an answer.

    ``stream`` yields partial answers whose ``text`` grows; the last one yielded is final and
    carries the numbered sources, ``abstained``, ``notices`` and ``edits``.
    """

    name: str
    splits_questions: bool  # a message with several questions is answered part by part
    quotes_only: bool  # says nothing but source sentences (so instructions cannot steer it)

    def stream(self, request: Request) -> Iterator[Answer]: ...

    def standalone_question(self, question: str, history: tuple[Turn, ...]) -> str | None:
        """A self-contained rewrite of a follow-up question, or None to use the default method."""
        ...


BackendFactory = Callable[[Settings, str], Backend]
