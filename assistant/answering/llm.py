"""LLM answer backends: LangChain chat models chosen by name, checked against their sources.

``LEERSTAD_LLM=ollama:<model>`` or ``openai:<model>`` (any OpenAI-compatible server) builds an
``LLMBackend``. It numbers the retrieved passages as sources, streams the model's answer
through ``assistant.answering.verify.AnswerChecker`` (so only supported sentences are shown) and
falls back to the extractive answer, with a Dutch notice and one log line, whenever the model fails.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.answering.base import OFFLINE, Backend, Request
from assistant.answering.prompts import answer_messages, parse_rewrite, rewrite_messages
from assistant.answering.verify import FALLBACK, AnswerChecker
from assistant.citations import to_source
from assistant.errors import ConfigError, LLMUnavailableError, UnknownBackendError
from assistant.records import Answer, Passage, Source, Turn
from assistant.settings import PREFIX, Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

log = logging.getLogger(__name__)

NOTICE_UNAVAILABLE = (
    "Het taalmodel is nu niet bereikbaar; dit antwoord bestaat uit letterlijke passages uit de "
    "bronnen."
)
NOTICE_UNSUPPORTED = (
    "Het antwoord van het taalmodel werd niet door de bronnen gesteund; dit antwoord bestaat uit "
    "letterlijke passages uit de bronnen."
)
DEFAULT_BASE_URLS = {"ollama": "http://127.0.0.1:11434", "openai": "https://api.openai.com/v1"}
TEMPERATURE = 0.1
STATUS_TIMEOUT = 3.0  # seconds; the status probe must not hold up the page

ChatModelFactory = Callable[[Settings, str], "BaseChatModel"]
StatusProbe = Callable[[Settings, str], "str | None"]
CHAT_MODELS: dict[str, ChatModelFactory] = {}
STATUS_PROBES: dict[str, StatusProbe] = {}


def register_chat_model(
    name: str, factory: ChatModelFactory, probe: StatusProbe | None = None
) -> None:
    """Make ``LEERSTAD_LLM=name:<model>`` answer with ``factory(settings, model)``.

    ``probe(settings, model)`` checks cheaply whether the model can be reached (see
    ``llm_status``).
    """
    CHAT_MODELS[name] = factory
    if probe is not None:
        STATUS_PROBES[name] = probe


def build_llm_backend(
    settings: Settings, model: str, *, name: str, fallback: Backend
) -> LLMBackend:
    """An ``LLMBackend`` for the chat model ``name:model``, answering with ``fallback`` (the
    extractive backend) whenever the model fails."""
    chat_model = _chat_model(settings, name, model, "llm")
    return LLMBackend(settings, chat_model, fallback, name=f"{name}:{model}")


def build_chat_model(settings: Settings, field: str = "llm") -> BaseChatModel:
    """The plain chat model named by ``settings.<field>`` (``name:model``), for any chat call.

    ``field`` is the setting that names it: ``"llm"`` (``LEERSTAD_LLM``) or another one such as
    ``"judge_llm"``; error messages name its environment variable. Raises ``ConfigError`` for a
    backend without a language model (``extractive``) and ``UnknownBackendError`` for a name
    that is not registered.
    """
    value = str(getattr(settings, field) or "")
    variable = f"{PREFIX}{field.upper()}"
    name, _, model = value.partition(":")
    if name not in CHAT_MODELS:
        known = ", ".join(sorted(CHAT_MODELS))
        if name == OFFLINE:
            raise ConfigError(
                f"{variable}={value!r} is geen taalmodel: dit antwoordmodel werkt zonder LLM. "
                f"Kies een taalmodel ({known}), bijvoorbeeld ollama:llama3.1 of "
                "openai:gpt-4o-mini."
            )
        raise UnknownBackendError(
            f"Onbekend taalmodel {variable}={value!r}. Kies uit: {known} "
            "(bijvoorbeeld ollama:llama3.1 of openai:gpt-4o-mini)."
        )
    return _chat_model(settings, name, model, field)


def _chat_model(settings: Settings, name: str, model: str, field: str) -> BaseChatModel:
    if not model:
        raise ConfigError(
            f"{PREFIX}{field.upper()}={getattr(settings, field)!r} noemt geen model. "
            f"Schrijf {name}:<model>, "
            f"bijvoorbeeld {name}:{'llama3.1' if name == 'ollama' else 'gpt-4o-mini'}."
        )
    return CHAT_MODELS[name](settings, model)


def number_sources(passages: Sequence[Passage]) -> tuple[Source, ...]:
    """The retrieved passages as sources [1..n], in retrieval order."""
    return tuple(to_source(p, n) for n, p in enumerate(passages, start=1))


class LLMBackend:
    """Answers with a chat model from numbered sources; falls back to ``fallback`` on failure."""

    splits_questions = False  # the model answers a message of several questions as a whole
    quotes_only = False

    def __init__(
        self, settings: Settings, chat_model: BaseChatModel, fallback: Backend, name: str
    ) -> None:
        self.settings = settings
        self.chat_model = chat_model
        self.fallback = fallback
        self.name = name
        self.rewrite_failures = 0  # follow-ups rewritten by the default method instead

    def standalone_question(self, question: str, history: tuple[Turn, ...]) -> str | None:
        """The follow-up ``question`` rewritten by the model, or None to use the default."""
        if not history:
            return None
        try:
            reply = self.chat_model.invoke(rewrite_messages(question, history))
        except Exception as e:  # any failure of the model server: the default method takes over
            self.rewrite_failures += 1
            log.warning(
                "%s could not rewrite a follow-up question (%s); used the default method. %s",
                self.name,
                *diagnose(e, self.settings, self.name),
            )
            return None
        rewritten = parse_rewrite(reply.text, question)
        if rewritten is None:
            self.rewrite_failures += 1
            log.warning("%s gave no usable standalone question; used the default method", self.name)
        return rewritten

    def stream(self, request: Request) -> Iterator[Answer]:
        """Partial answers made of checked sentences; the last one is final."""
        sources = number_sources(request.passages)
        if not sources:
            yield from self.fallback.stream(request)  # nothing to answer from: abstain offline
            return
        started = time.perf_counter()
        # The corpus is Dutch; an answer in another language can only be checked on names/numbers.
        checker = AnswerChecker(sources, cross_lingual=request.language != "nl")
        messages = answer_messages(request.question, request.standalone, sources, request.language)
        try:
            for delta in self._deltas(messages):
                if checker.feed(delta):
                    yield self._answer(request, checker.text, checker.sources)
        except LLMUnavailableError as e:
            log.warning(
                "%s failed (%s); answered extractively. %s",
                self.name,
                *diagnose(e.__cause__ or e, self.settings, self.name),
            )
            yield from self._fallback(request, NOTICE_UNAVAILABLE)
            return
        result = checker.finish()
        if result.supported == 0 and not result.abstained:
            log.warning(
                "%s: no sentence of the answer was supported by its sources; answered "
                "extractively (%d edits)",
                self.name,
                len(result.edits),
            )
            edit = f"{FALLBACK}: no supported sentence left; showed the extractive answer"
            yield from self._fallback(request, NOTICE_UNSUPPORTED, (*result.edits, edit))
            return
        yield replace(
            self._answer(request, result.text, () if result.abstained else result.sources),
            abstained=result.abstained,
            edits=result.edits,
            timings_ms={"llm_ms": (time.perf_counter() - started) * 1000},
        )

    def _deltas(self, messages: list[BaseMessage]) -> Iterator[str]:
        """The model's text as it streams; any failure becomes ``LLMUnavailableError``."""
        thinking, received = None, ""  # None: not known yet whether the reply starts thinking
        try:
            for chunk in self.chat_model.stream(messages):
                text = str(chunk.text)
                received += text
                # Reasoning models think aloud in <think>...</think> first; that is not answer.
                if thinking is None and len(received.lstrip()) >= len("<think>"):
                    thinking = received.lstrip().startswith("<think>")
                    text = "" if thinking else received
                if thinking is None:
                    continue
                if thinking:
                    if "</think>" not in received:
                        continue
                    thinking = False
                    text = received.split("</think>", 1)[1]
                if text:
                    yield text
            if thinking is None and received.strip():
                yield received  # a reply shorter than "<think>"
            if not received.strip():
                raise EmptyReplyError("the model returned an empty answer")
        except Exception as e:
            raise LLMUnavailableError(NOTICE_UNAVAILABLE) from e

    def _answer(self, request: Request, text: str, sources: tuple[Source, ...]) -> Answer:
        return Answer(
            text=text,
            sources=sources,
            backend=self.name,
            query=request.standalone,
            language=request.language,
        )

    def _fallback(
        self, request: Request, notice: str, edits: tuple[str, ...] = ()
    ) -> Iterator[Answer]:
        for answer in self.fallback.stream(request):
            yield replace(answer, notices=(*answer.notices, notice), edits=(*answer.edits, *edits))


class EmptyReplyError(ValueError):
    """The model closed its stream without producing any text."""


def diagnose(error: BaseException, settings: Settings, backend: str) -> tuple[str, str]:
    """What went wrong with the model server, and which setting to look at (for the log)."""
    provider, _, model = backend.partition(":")
    url = settings.llm_base_url or DEFAULT_BASE_URLS.get(provider, "the default URL")
    chain = _causes(error)
    names = {cls.__name__ for e in chain for cls in type(e).__mro__}
    status = next((s for e in chain if (s := _status_code(e)) > 0), None)
    # Class names, not classes: the client libraries (openai, ollama) are optional imports.
    if names & {"TimeoutException", "APITimeoutError", "TimeoutError"}:
        return (
            f"no response within {settings.llm_timeout:g}s from {url}",
            "Raise LEERSTAD_LLM_TIMEOUT or choose a smaller model in LEERSTAD_LLM.",
        )
    if status in (401, 403):
        return (
            f"{url} rejected the API key (HTTP {status})",
            "Check LEERSTAD_LLM_API_KEY.",
        )
    if status == 404:
        hint = f"run `ollama pull {model}` or " if provider == "ollama" else ""
        return (
            f"model {model!r} or its API path not found at {url} (HTTP 404)",
            f"Fix the model name in LEERSTAD_LLM ({hint}pick a model the server lists) "
            "or LEERSTAD_LLM_BASE_URL.",
        )
    if status is not None:
        return (f"{url} answered HTTP {status}: {error}", "See the log of the model server.")
    if names & {"ConnectError", "APIConnectionError", "ConnectionError", "NetworkError"}:
        return (
            f"cannot connect to {url}",
            "Start the model server or set LEERSTAD_LLM_BASE_URL to where it runs.",
        )
    if names & {"JSONDecodeError", "ValidationError", "RemoteProtocolError", "DecodingError"}:
        return (
            f"malformed response stream from {url} ({type(chain[-1]).__name__})",
            "Check that LEERSTAD_LLM_BASE_URL points at an Ollama or OpenAI-compatible API.",
        )
    if "EmptyReplyError" in names:
        return (f"empty answer from {url}", "Check the model in LEERSTAD_LLM.")
    last = chain[-1]
    return (f"{type(last).__name__}: {last}", "Check LEERSTAD_LLM and LEERSTAD_LLM_BASE_URL.")


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _status_code(error: BaseException) -> int:
    """The HTTP status of an error from any client library, or 0 (Ollama uses -1 in streams)."""
    response = getattr(error, "response", None)
    code = getattr(error, "status_code", None) or getattr(response, "status_code", None)
    return code if isinstance(code, int) else 0


# -- status --------------------------------------------------------------------------------


def llm_status(settings: Settings) -> str | None:
    """A Dutch notice when the configured language model cannot be reached, else None.

    Cheap (one GET with a short timeout), for the app to show next to the chat.
    """
    name, _, model = settings.llm.partition(":")
    probe = STATUS_PROBES.get(name)
    return probe(settings, model) if probe else None


def _unreachable(settings: Settings, reason: str, fix: str) -> str:
    log.warning("LLM %s is not reachable (%s). %s", settings.llm, reason, fix)
    return (
        f"Het taalmodel ({settings.llm}) is nu niet bereikbaar; antwoorden bestaan uit "
        "letterlijke passages uit de bronnen."
    )


def _probe(settings: Settings, url: str, headers: dict[str, str]) -> tuple[int | None, object]:
    """GET ``url``: (status, json body) or (None, the error)."""
    import httpx

    try:
        response = httpx.get(
            url, headers=headers, timeout=min(settings.llm_timeout, STATUS_TIMEOUT)
        )
        return response.status_code, response.json() if response.is_success else None
    except (httpx.HTTPError, ValueError) as e:
        return None, e


def _probe_ollama(settings: Settings, model: str) -> str | None:
    base = (settings.llm_base_url or DEFAULT_BASE_URLS["ollama"]).rstrip("/")
    status, body = _probe(settings, f"{base}/api/tags", _auth_headers(settings))
    if status is None or not isinstance(body, dict):
        why = f"HTTP {status}" if status else f"{type(body).__name__} at {base}"
        return _unreachable(settings, why, "Start Ollama or fix LEERSTAD_LLM_BASE_URL.")
    names = {m.get("name", "") for m in body.get("models", []) if isinstance(m, dict)}
    if model and not any(n == model or n.startswith(f"{model}:") for n in names):
        log.warning(
            "Ollama at %s has no model %r. Run `ollama pull %s` or fix LEERSTAD_LLM.",
            base,
            model,
            model,
        )
        return (
            f"Het taalmodel {model} is niet geïnstalleerd op de Ollama-server; antwoorden "
            "bestaan uit letterlijke passages uit de bronnen."
        )
    return None


def _probe_openai(settings: Settings, model: str) -> str | None:
    base = (settings.llm_base_url or DEFAULT_BASE_URLS["openai"]).rstrip("/")
    status, body = _probe(settings, f"{base}/models", _auth_headers(settings))
    if status in (401, 403):
        log.warning("%s rejected the API key (HTTP %s). Check LEERSTAD_LLM_API_KEY.", base, status)
        return (
            f"Het taalmodel ({settings.llm}) weigert de API-sleutel; antwoorden bestaan uit "
            "letterlijke passages uit de bronnen."
        )
    if status is None:
        why = f"{type(body).__name__} at {base}"
        return _unreachable(settings, why, "Start the server or fix LEERSTAD_LLM_BASE_URL.")
    return None  # reachable; not every compatible server lists its models, so no model check


def _auth_headers(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}


# -- the built-in chat models ------------------------------------------------------------------


def _ollama(settings: Settings, model: str) -> BaseChatModel:
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=model,
        base_url=settings.llm_base_url or DEFAULT_BASE_URLS["ollama"],
        temperature=TEMPERATURE,
        # Per read: a model that stops sending tokens for this long has failed.
        client_kwargs={"timeout": settings.llm_timeout, "headers": _auth_headers(settings)},
    )


def _openai(settings: Settings, model: str) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    # Reasoning models (o1, o3, ...) accept only their default temperature.
    reasoning = model[:1] == "o" and model[1:2].isdigit()
    return ChatOpenAI(
        model=model,
        base_url=settings.llm_base_url or DEFAULT_BASE_URLS["openai"],
        # Local servers (vLLM, LM Studio, llama.cpp) need no key, but the client requires one.
        api_key=settings.llm_api_key or "not-needed",
        timeout=settings.llm_timeout,
        max_retries=0,  # fail fast to the extractive answer rather than keep the user waiting
        temperature=None if reasoning else TEMPERATURE,
        use_responses_api=False,  # Chat Completions is what compatible servers speak
    )


register_chat_model("ollama", _ollama, _probe_ollama)
register_chat_model("openai", _openai, _probe_openai)
