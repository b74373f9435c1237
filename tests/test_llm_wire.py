"""The real ChatOllama / ChatOpenAI clients against a local server speaking their wire formats."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from llm_fixtures import GOOD_ANSWER, KINDCENTRA, request
from llm_server import (
    LLMServer,
    Reply,
    closed_port,
    error,
    malformed_ollama,
    malformed_openai,
    ollama_stream,
    openai_completion,
    openai_stream,
)

from assistant.answering.extractive import ExtractiveBackend
from assistant.answering.factory import build_backend
from assistant.answering.llm import NOTICE_UNAVAILABLE, LLMBackend, llm_status
from assistant.records import Answer, Turn
from assistant.settings import Settings

TIMEOUT = 0.5  # seconds; the "slow" replies wait longer than this
CHAT = {"ollama": "/api/chat", "openai": "/v1/chat/completions"}
MODEL = {"ollama": "llama3.1", "openai": "gpt-4o-mini"}


@pytest.fixture
def server() -> Iterator[LLMServer]:
    with LLMServer() as running:
        yield running


def settings_for(provider: str, url: str, **changes: object) -> Settings:
    base = url + ("/v1" if provider == "openai" else "")
    return Settings(
        llm=f"{provider}:{MODEL[provider]}", llm_base_url=base, llm_timeout=TIMEOUT
    ).with_(**changes)


def stream_reply(provider: str, tokens: list[str]) -> Reply:
    return ollama_stream(tokens) if provider == "ollama" else openai_stream(tokens)


def tokens(text: str) -> list[str]:
    return [text[i : i + 5] for i in range(0, len(text), 5)]


def answers(settings: Settings, **kwargs: object) -> list[Answer]:
    backend = build_backend(settings)
    assert isinstance(backend, LLMBackend)
    return list(backend.stream(request(**kwargs)))


@pytest.mark.parametrize("provider", ["ollama", "openai"])
def test_a_streamed_answer_end_to_end(server: LLMServer, provider: str) -> None:
    server.reply(CHAT[provider], stream_reply(provider, tokens(GOOD_ANSWER + " Zie [9].")))
    settings = settings_for(provider, server.url, llm_api_key="sk-test")
    result = answers(settings)
    final = result[-1]
    assert len(result) >= 2 and result[0].text != final.text
    assert final.text == GOOD_ANSWER
    assert final.backend == f"{provider}:{MODEL[provider]}"
    assert [s.chunk_id for s in final.sources] == [
        "integrale-kindcentra#0001",
        "integrale-kindcentra#0002",
    ]
    assert final.notices == ()
    assert final.edits == (
        "invalid_citation: removed [9] (there is no source 9)",
        "unsupported_sentence: removed «Zie.» (no citation)",
    )
    [body] = server.posted(CHAT[provider])
    assert body["model"] == MODEL[provider] and body["stream"] is True
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    user = body["messages"][1]["content"]
    assert '<source n="1" title="Integrale Kindcentra">\n' + KINDCENTRA in user
    assert '<source n="3" title="UNESCO Learning Cities">' in user
    assert "<question>\nWat is een integraal kindcentrum?\n</question>" in user
    [sent] = [r for r in server.requests if r.path == CHAT[provider]]
    assert sent.headers["authorization"] == "Bearer sk-test"


def test_openai_rewrites_a_follow_up_without_streaming(server: LLMServer) -> None:
    server.reply(CHAT["openai"], openai_completion("Hoe wordt een gemeente lid van het netwerk?"))
    backend = build_backend(settings_for("openai", server.url))
    history = (Turn("Wat is het UNESCO-netwerk van lerende steden?", "Een netwerk [1]."),)
    rewritten = backend.standalone_question("Hoe word je lid?", history)
    assert rewritten == "Hoe wordt een gemeente lid van het netwerk?"
    [body] = server.posted(CHAT["openai"])
    assert body["stream"] is False and body["model"] == "gpt-4o-mini"
    assert "User: Wat is het UNESCO-netwerk van lerende steden?" in body["messages"][1]["content"]


def test_ollama_rewrites_a_follow_up(server: LLMServer) -> None:
    server.reply(CHAT["ollama"], ollama_stream(["Hoe wordt een gemeente ", "lid van het netwerk?"]))
    backend = build_backend(settings_for("ollama", server.url))
    history = (Turn("Wat is het UNESCO-netwerk van lerende steden?"),)
    assert backend.standalone_question("Hoe word je lid?", history) == (
        "Hoe wordt een gemeente lid van het netwerk?"
    )


FAILURES = {
    "401": (lambda p: error(401, {"error": {"message": "Incorrect API key"}}), "API key"),
    "404": (
        lambda p: error(404, {"error": f'model "{MODEL[p]}" not found, try pulling it first'}),
        "LEERSTAD_LLM (",
    ),
    "timeout": (lambda p: Reply(delay=3 * TIMEOUT, lines=()), "LEERSTAD_LLM_TIMEOUT"),
    "malformed": (
        lambda p: malformed_ollama() if p == "ollama" else malformed_openai(),
        "malformed response stream",
    ),
    "refused": (None, "LEERSTAD_LLM_BASE_URL"),
}


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("provider", ["ollama", "openai"])
def test_a_failing_server_gives_the_extractive_answer_with_a_notice(
    server: LLMServer, provider: str, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    make_reply, fix = FAILURES[failure]
    if make_reply is None:
        url = f"http://127.0.0.1:{closed_port()}"
    else:
        url = server.url
        server.reply(CHAT[provider], make_reply(provider))
    settings = settings_for(provider, url)
    with caplog.at_level(logging.WARNING):
        final = answers(settings)[-1]
    assert final.backend == "extractive"
    assert final.text == ExtractiveBackend(settings).answer(request()).text
    assert final.notices == (NOTICE_UNAVAILABLE,)
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert line.startswith(f"{provider}:{MODEL[provider]} failed (")
    assert fix in line
    if failure == "401":
        assert "LEERSTAD_LLM_API_KEY" in line


def test_a_stream_that_breaks_after_shown_text_ends_extractive(server: LLMServer) -> None:
    good = ollama_stream(tokens(GOOD_ANSWER)).lines[:-1]  # no "done" line
    server.reply(CHAT["ollama"], Reply(lines=(*good, b"{broken\n")))
    result = answers(settings_for("ollama", server.url))
    assert any(a.backend == "ollama:llama3.1" and "[1]" in a.text for a in result[:-1])
    assert result[-1].backend == "extractive"
    assert result[-1].notices == (NOTICE_UNAVAILABLE,)


def test_status_of_ollama(server: LLMServer) -> None:
    tags = {"models": [{"name": "llama3.1:latest"}, {"name": "qwen2.5:7b"}]}
    server.reply("/api/tags", Reply(lines=(json.dumps(tags).encode(),)))
    server.reply("/api/tags", Reply(lines=(json.dumps(tags).encode(),)))
    assert llm_status(settings_for("ollama", server.url)) is None
    missing = llm_status(settings_for("ollama", server.url, llm="ollama:gemma3"))
    assert missing is not None and "gemma3 is niet geïnstalleerd" in missing
    down = llm_status(settings_for("ollama", f"http://127.0.0.1:{closed_port()}"))
    assert down is not None and "niet bereikbaar" in down


def test_status_of_an_openai_compatible_server(server: LLMServer) -> None:
    server.reply("/v1/models", Reply(lines=(b'{"object": "list", "data": []}',)))
    server.reply("/v1/models", error(401, {"error": {"message": "bad key"}}))
    settings = settings_for("openai", server.url, llm_api_key="sk-test")
    assert llm_status(settings) is None
    assert "weigert de API-sleutel" in (llm_status(settings) or "")
    assert server.requests[0].headers["authorization"] == "Bearer sk-test"
    down = llm_status(settings_for("openai", f"http://127.0.0.1:{closed_port()}"))
    assert down is not None and "niet bereikbaar" in down
