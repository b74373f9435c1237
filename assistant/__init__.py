"""Leerstad's assistant: retrieves passages from the index and answers with citations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.lazy import lazy_exports

if TYPE_CHECKING:
    from assistant.assistant import Assistant
    from assistant.errors import LeerstadError
    from assistant.records import Answer, Chunk, Passage, Source, Turn
    from assistant.settings import Settings

__all__ = ["Answer", "Assistant", "Chunk", "LeerstadError", "Passage", "Settings", "Source", "Turn"]

# The module each public name comes from, imported when the name is first asked for (PEP 562):
# `Assistant` brings LangChain's retrievers (about 0.2-0.5 s), which the ingest's encoder worker
# and most CLI commands never use.
_HOMES = {
    "Answer": "assistant.records",
    "Assistant": "assistant.assistant",
    "Chunk": "assistant.records",
    "LeerstadError": "assistant.errors",
    "Passage": "assistant.records",
    "Settings": "assistant.settings",
    "Source": "assistant.records",
    "Turn": "assistant.records",
}


# Type checkers see only the imports above, so a name that is not there is still an error.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _HOMES, __all__)
