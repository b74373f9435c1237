"""Answer backends: the request they get, the protocol they follow, and the registry by name."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from assistant.errors import UnknownBackendError
from assistant.records import Answer, Passage, Turn
from assistant.settings import Settings


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


class Backend(Protocol):
    """Turns retrieved passages into an answer.

    ``stream`` yields partial answers whose ``text`` grows; the last one yielded is final and
    carries the numbered sources, ``abstained``, ``notices`` and ``edits``.
    """

    name: str

    def stream(self, request: Request) -> Iterator[Answer]: ...

    def standalone_question(self, question: str, history: tuple[Turn, ...]) -> str | None:
        """A self-contained rewrite of a follow-up question, or None to use the default method."""
        ...


BackendFactory = Callable[[Settings, str], Backend]
BACKENDS: dict[str, BackendFactory] = {}


def register_backend(name: str, factory: BackendFactory) -> None:
    """Make ``LEERSTAD_LLM=name`` (or ``name:model``) build ``factory(settings, model)``."""
    BACKENDS[name] = factory


def build_backend(settings: Settings) -> Backend:
    name, _, model = settings.llm.partition(":")
    if name not in BACKENDS:
        _load_builtin_backends()
    if name not in BACKENDS:
        known = ", ".join(sorted(BACKENDS))
        raise UnknownBackendError(
            f"Onbekend antwoordmodel LEERSTAD_LLM={settings.llm!r}. Kies uit: {known} "
            "(bijvoorbeeld extractive, ollama:llama3.1 of openai:gpt-4o-mini)."
        )
    return BACKENDS[name](settings, model)


def _load_builtin_backends() -> None:
    # Imported here so the extractive default never pays for the LLM client libraries.
    import assistant.extractive

    try:
        import assistant.llm  # noqa: F401
    except ModuleNotFoundError as e:
        if e.name != "assistant.llm":
            raise
