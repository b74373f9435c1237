"""The running app (python app.py) over HTTP: /healthz, /api/ask, session isolation, admin guard.

One real app process for the module, with a real index of corpus/ built on first start in a
temporary data dir, the bundled embedding model and the extractive backend.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest


def _harness() -> ModuleType:
    name = "leerstad_app_harness"
    if name not in sys.modules:
        path = Path(__file__).parent / "browser" / "harness.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


harness = _harness()
ADMIN_ONLY = "Alleen voor beheerders"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("app")


@pytest.fixture(scope="module")
def url(workdir: Path) -> Iterator[str]:
    with harness.running_app(workdir) as base:
        yield base


def session(url: str, name: str) -> harness.RawGradioSession:
    return harness.RawGradioSession(url, session_hash=name)


# --- /healthz and /api/ask ----------------------------------------------------------------------


def test_healthz_reports_ok_and_the_backend(url: str) -> None:
    response = httpx.get(url + "/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "llm": "extractive"}


def test_ask_returns_the_answer_json_with_cited_sources(url: str) -> None:
    body = {"question": "Hoe kan onze gemeente lid worden?", "history": []}
    response = httpx.post(url + "/api/ask", json=body, timeout=120)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {
        "answer",
        "abstained",
        "sources",
        "backend",
        "notices",
        "timings_ms",
        "query",
        "language",
        "edits",
    }
    assert data["sources"], data
    assert "[1]" in data["answer"]
    assert data["sources"][0]["doc_id"] == "unesco-learning-cities"


def test_ask_accepts_history_as_turns_and_as_strings(url: str) -> None:
    body = {
        "question": "Wie moet de aanvraag steunen?",
        "history": [
            "Wat is een UNESCO Learning City?",
            {"question": "Hoe kan onze gemeente lid worden?", "answer": "Door aan te melden."},
        ],
    }
    response = httpx.post(url + "/api/ask", json=body, timeout=120)
    assert response.status_code == 200
    assert response.json()["sources"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 422, "'question' ontbreekt of heeft een verkeerd type"),
        ({"question": 5}, 422, "'question' ontbreekt of heeft een verkeerd type"),
        ({"question": None}, 422, "'question' ontbreekt"),
        ({"question": "x", "history": "nee"}, 422, "'history' ontbreekt of heeft een verkeerd"),
        ({"question": "x", "history": [{"answer": "a"}]}, 422, "'history'"),
        (["Wat is een IKC?"], 422, "'body' ontbreekt of heeft een verkeerd type"),
        ({"question": "   "}, 400, "De vraag is leeg"),
        ({"question": "x" * 2001}, 400, "De vraag is te lang"),
    ],
)
def test_bad_input_gets_a_dutch_message_without_stack_trace(
    url: str, body: object, status: int, message: str
) -> None:
    response = httpx.post(url + "/api/ask", json=body, timeout=60)
    assert response.status_code == status
    error = response.json()["error"]
    assert message in error
    assert "Traceback" not in response.text


def test_body_that_is_not_json_gets_a_dutch_message(url: str) -> None:
    response = httpx.post(
        url + "/api/ask", content=b"{vraag", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "geen geldige JSON" in response.json()["error"]


# --- sessions -----------------------------------------------------------------------------------


def _chat_texts(message: dict[str, object]) -> list[str]:
    """The chat's messages as text (Gradio 6 sends content as a list of typed parts)."""
    chat = message["output"]["data"][0]  # type: ignore[index]
    return ["".join(part.get("text", "") for part in m["content"]) for m in chat]


def test_each_session_has_its_own_conversation(url: str) -> None:
    alice, bob = session(url, "alice-session"), session(url, "bob-session")

    first = alice.call("question", "submit", ["Wat is een integraal kindcentrum?", None, "nl"])
    assert first["success"], first
    alice_chat = _chat_texts(first)
    assert alice_chat[0] == "Wat is een integraal kindcentrum?"

    bob_turn = bob.call("question", "submit", ["Hoe kan onze gemeente lid worden?", None, "nl"])
    bob_chat = _chat_texts(bob_turn)
    assert len(bob_chat) == 2  # only Bob's own question and answer
    assert "kindcentrum" not in bob_chat[0]

    follow_up = alice.call("question", "submit", ["En voor welke leeftijd?", None, "nl"])
    alice_chat = _chat_texts(follow_up)
    assert len(alice_chat) == 4  # Alice's history kept: two questions, two answers
    assert alice_chat[0] == "Wat is een integraal kindcentrum?"
    assert all("lid worden" not in text for text in alice_chat)


def test_new_conversation_forgets_the_history(url: str) -> None:
    carol = session(url, "carol-session")
    carol.call("question", "submit", ["Wat is een integraal kindcentrum?", None, "nl"])
    reset = carol.call("new-chat", "click", ["nl"])
    assert reset["output"]["data"][0] == []  # type: ignore[index]
    after = carol.call("question", "submit", ["Wie moet de aanvraag steunen?", None, "nl"])
    assert len(_chat_texts(after)) == 2


def test_feedback_is_stored_for_the_sessions_own_answer(url: str, workdir: Path) -> None:
    dave = session(url, "dave-session")
    dave.call("question", "submit", ["Wie moet de aanvraag steunen?", None, "nl"])
    rated = dave.call("thumbs-down", "click", [None, "nl"])
    assert "opgeslagen" in rated["output"]["data"][1]  # type: ignore[index]
    commented = dave.call("send-comment", "click", ["Noem het gemeentebestuur.", None, "nl"])
    assert "toelichting is opgeslagen" in commented["output"]["data"][1]  # type: ignore[index]

    with sqlite3.connect(workdir / "data" / "feedback.sqlite3") as conn:
        rows = conn.execute(
            "SELECT question, rating, comment, source_ids FROM feedback WHERE question = ?",
            ("Wie moet de aanvraag steunen?",),
        ).fetchall()
    assert len(rows) == 1
    assert rows[0][1:3] == ("down", "Noem het gemeentebestuur.")
    assert "#" in rows[0][3]  # chunk ids of the cited sources

    eve = session(url, "eve-session")  # no answer in this session: nothing to rate
    nothing = eve.call("thumbs-up", "click", [None, "nl"])
    assert "nog geen antwoord" in nothing["output"]["data"][1]  # type: ignore[index]


# --- admin guard --------------------------------------------------------------------------------


ADMIN_EVENTS = [
    ("admin-add", [[], None]),
    ("admin-del", [[], None]),  # a doc id would already fail choice validation
    ("admin-rebuild", [None]),
    ("admin-report", [None]),
]


@pytest.mark.parametrize(("elem_id", "data"), ADMIN_EVENTS)
def test_admin_events_fail_over_raw_http_without_login(
    url: str, elem_id: str, data: list[object]
) -> None:
    intruder = session(url, f"intruder-{elem_id}")
    result = intruder.call(elem_id, "click", data)
    assert result["success"] is False
    assert ADMIN_ONLY in str(result["output"])
    documents = httpx.post(url + "/api/ask", json={"question": "Welke documenten ken je?"})
    assert "unesco-learning-cities" in documents.text  # nothing was deleted


def test_wrong_password_does_not_unlock_and_login_is_per_session(url: str) -> None:
    intruder = session(url, "intruder-password")
    refused = intruder.call("admin-password", "submit", ["raden", None])
    assert "Onjuist wachtwoord" in str(refused["output"])
    still_locked = intruder.call("admin-report", "click", [None])
    assert still_locked["success"] is False

    admin = session(url, "admin-session")
    accepted = admin.call("admin-password", "submit", [harness.ADMIN_PASSWORD, None])
    assert "Onjuist wachtwoord" not in str(accepted["output"])
    report = admin.call("admin-report", "click", [None])
    assert report["success"] is True
    assert "nog geen evaluatierapport" in report["output"]["data"][0]  # type: ignore[index]
    # Another session is not logged in by the admin's login.
    assert intruder.call("admin-report", "click", [None])["success"] is False


def test_admin_and_chat_events_are_not_in_the_public_api(url: str) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    info = client.view_api(print_info=False, return_format="dict")
    assert info["named_endpoints"] == {}
    assert info["unnamed_endpoints"] == {}
    upload = session(url, "client-probe").fn_index("admin-add", "click")
    with pytest.raises(ValueError, match="Invalid function index"):
        client.predict([], None, fn_index=upload)
    with pytest.raises(ValueError, match="Cannot find a function"):
        client.predict([], None, api_name="/upload")
