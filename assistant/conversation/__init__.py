"""Conversation memory: earlier turns as records, and follow-ups resolved against them."""

from assistant.conversation.memory import as_turns, resolve_ordinal, standalone_question

__all__ = ["as_turns", "resolve_ordinal", "standalone_question"]
