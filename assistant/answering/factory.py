"""The table of answer backends by name (``LEERSTAD_LLM``), and the one function that builds one."""

from __future__ import annotations

from assistant.answering.base import OFFLINE, Backend, BackendFactory
from assistant.errors import UnknownBackendError
from assistant.settings import Settings


def _extractive(settings: Settings, _model: str) -> Backend:
    from assistant.answering.extractive import ExtractiveBackend

    return ExtractiveBackend(settings)


def _chat(name: str) -> BackendFactory:
    """A backend answering with the chat model ``name:<model>``, the extractive one as fallback."""

    def build(settings: Settings, model: str) -> Backend:
        from assistant.answering.llm import build_llm_backend

        return build_llm_backend(settings, model, name=name, fallback=_extractive(settings, ""))

    return build


# Imported lazily inside each factory, so the offline default never loads the LLM clients.
BACKENDS: dict[str, BackendFactory] = {
    OFFLINE: _extractive,
    "ollama": _chat("ollama"),
    "openai": _chat("openai"),
}


def build_backend(settings: Settings) -> Backend:
    """The backend ``LEERSTAD_LLM`` names; a chat model registered at run time with
    ``assistant.answering.llm.register_chat_model`` (a test double) is found there."""
    name, _, model = settings.llm.partition(":")
    factory = BACKENDS.get(name)
    if factory is None:
        from assistant.answering.llm import CHAT_MODELS

        factory = _chat(name) if name in CHAT_MODELS else None
    if factory is None:
        from assistant.answering.llm import CHAT_MODELS

        known = ", ".join(sorted(set(BACKENDS) | set(CHAT_MODELS)))
        raise UnknownBackendError(
            f"Onbekend antwoordmodel LEERSTAD_LLM={settings.llm!r}. Kies uit: {known} "
            "(bijvoorbeeld extractive, ollama:llama3.1 of openai:gpt-4o-mini)."
        )
    return factory(settings, model)
