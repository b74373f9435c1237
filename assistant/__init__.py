"""Leerstad's assistant: retrieves passages from the index and answers with citations."""

from assistant.assistant import Assistant
from assistant.errors import LeerstadError
from assistant.records import Answer, Chunk, Passage, Source, Turn
from assistant.settings import Settings

__all__ = ["Answer", "Assistant", "Chunk", "LeerstadError", "Passage", "Settings", "Source", "Turn"]
