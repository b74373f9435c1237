"""Per-browser-session state: the conversation so far, kept in gr.State and never shared."""

from __future__ import annotations

from dataclasses import dataclass, replace

from assistant.records import Answer, Turn
from web.render import answer_markdown, escape_markdown


@dataclass(frozen=True)
class Exchange:
    """One question in the chat and what came back: an answer, or an error message."""

    question: str
    answer: Answer | None = None
    error: str | None = None
    feedback_id: int | None = None
    rating: str | None = None  # "up" or "down" once the visitor has rated the answer


@dataclass(frozen=True)
class Conversation:
    """The per-browser-session memory (kept in gr.State, never shared between sessions)."""

    exchanges: tuple[Exchange, ...] = ()
    selected: int | None = None  # the exchange whose sources and feedback are shown

    def history(self) -> list[Turn]:
        return [
            Turn(e.question, e.answer.text, tuple(s.chunk_id for s in e.answer.sources))
            for e in self.exchanges
            if e.answer is not None
        ]

    def messages(self, pending: Exchange | None = None, partial: str = "") -> list[dict[str, str]]:
        """The chat as Gradio messages; ``partial`` is the Markdown of the pending answer."""
        shown = [*self.exchanges, pending] if pending else list(self.exchanges)
        out: list[dict[str, str]] = []
        for e in shown:
            out.append({"role": "user", "content": escape_markdown(e.question)})
            text = answer_markdown(e.answer) if e.answer else e.error or partial
            out.append({"role": "assistant", "content": text})
        return out

    def add(self, exchange: Exchange) -> Conversation:
        return Conversation((*self.exchanges, exchange), selected=len(self.exchanges))

    def current(self) -> Exchange | None:
        return self.exchanges[self.selected] if self.selected is not None else None

    def rated(self, index: int, feedback_id: int, rating: str | None) -> Conversation:
        changed = replace(self.exchanges[index], feedback_id=feedback_id, rating=rating)
        exchanges = (*self.exchanges[:index], changed, *self.exchanges[index + 1 :])
        return replace(self, exchanges=exchanges)
