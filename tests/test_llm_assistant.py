"""The whole Assistant (real index, real retrieval) answering through the Ollama wire format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from llm_server import LLMServer, error, ollama_stream

from assistant import Assistant, Settings
from assistant.answering.llm import NOTICE_UNAVAILABLE
from ingest import ingest_paths

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def server() -> Iterator[LLMServer]:
    with LLMServer() as running:
        yield running


@pytest.fixture(scope="module")
def assistant(server: LLMServer, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        llm="ollama:qwen2.5:7b",
        llm_base_url=server.url,
        llm_timeout=5,
    )
    ingest_paths([CORPUS], settings, progress=False)
    return Assistant(settings)


def test_a_checked_llm_answer_cites_the_retrieved_document(
    assistant: Assistant, server: LLMServer
) -> None:
    server.reply(
        "/api/chat",
        ollama_stream(
            [
                "Gemeenten kunnen lid worden ",
                "van het netwerk van lerende steden [1]. ",
                "Het is gratis voor iedereen en duurt een dag [2].",
            ]
        ),
    )
    answer = assistant.answer("Hoe wordt een gemeente lid van het netwerk van lerende steden?")
    assert answer.backend == "ollama:qwen2.5:7b"
    assert answer.text == "Gemeenten kunnen lid worden van het netwerk van lerende steden [1]."
    assert [s.doc_id for s in answer.sources] == ["unesco-learning-cities"]
    assert len(answer.edits) == 1 and answer.edits[0].startswith("unsupported_sentence")
    body = server.posted("/api/chat")[-1]
    assert body["model"] == "qwen2.5:7b"
    assert "<source n=" in body["messages"][1]["content"]


def test_a_follow_up_is_rewritten_by_the_model_and_a_server_error_falls_back(
    assistant: Assistant, server: LLMServer
) -> None:
    rewritten = "Hoe kan een gemeente lid worden van het UNESCO-netwerk van lerende steden?"
    server.reply("/api/chat", ollama_stream([rewritten]), error(500, {"error": "out of memory"}))
    answer = assistant.answer("Hoe doe je dat?", ["Wat is het UNESCO-netwerk van lerende steden?"])
    assert answer.backend == "extractive"
    assert NOTICE_UNAVAILABLE in answer.notices
    assert answer.query == rewritten
