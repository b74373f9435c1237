"""The running app (python app.py) over HTTP: /healthz, /api/ask, sessions, admin guard, uploads.

One real app process for the module, with a real index of corpus/ built on first start in a
temporary data dir, the bundled embedding model and the extractive backend.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys
import time
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


def test_healthz_reports_the_store_and_the_models(url: str) -> None:
    response = httpx.get(url + "/healthz")
    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "ok"
    assert health["store"] == {"kind": "persistent", "ok": True}
    assert health["models"]["llm"] == "extractive"
    assert health["models"]["loaded"] is True  # warmed up before it reports ok


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
        "confidence",
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
        ({"question": "x" * 2001}, 400, "'question' is te lang (2.001 tekens; maximaal 2.000)"),
        ({"question": "x", "history": ["v"] * 51}, 413, "maximaal 50 beurten van 2.000 tekens"),
        ({"question": "x", "history": ["v" * 2001]}, 413, "'history[0]' is te lang"),
        (
            {"question": "x", "history": [{"question": "v", "answer": "a" * 2001}]},
            413,
            "'history[0].answer' is te lang",
        ),
        ({"question": "wat is \ud800 een IKC"}, 400, "losse surrogaat"),
        ({"question": "x", "history": ["\udfff"]}, 400, "'history[0]' bevat een ongeldig teken"),
    ],
)
def test_bad_input_gets_a_dutch_message_without_stack_trace(
    url: str, body: object, status: int, message: str
) -> None:
    raw = json.dumps(body)  # ASCII escapes, so lone surrogates travel as JSON allows
    headers = {"content-type": "application/json"}
    response = httpx.post(url + "/api/ask", content=raw, headers=headers, timeout=60)
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


@pytest.mark.parametrize(
    ("raw", "status", "message"),
    [
        (b'{"question": "caf\xe9?"}', 400, "geen geldige UTF-8-tekst"),  # Latin-1, not UTF-8
        (b'{"question": "x", "history": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400, "genest"),
    ],
)
def test_bodies_that_are_not_utf8_or_too_deep_get_a_dutch_message(
    url: str, raw: bytes, status: int, message: str
) -> None:
    response = httpx.post(
        url + "/api/ask", content=raw, headers={"content-type": "application/json"}, timeout=30
    )
    assert response.status_code == status
    assert message in response.json()["error"]


def test_a_two_megabyte_history_is_refused_with_the_limits(url: str) -> None:
    body = {"question": "Wat is een IKC?", "history": ["a" * 1_000_000, "b" * 1_000_000]}
    response = httpx.post(url + "/api/ask", json=body, timeout=30)
    assert response.status_code == 413
    data = response.json()
    assert "maximaal 50 beurten van 2.000 tekens" in data["error"]
    assert data["limits"]["history_turns"] == 50


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("GET", "/api/bestaat-niet", 404, "bestaat niet"),
        ("POST", "/api/vraag", 404, "POST /api/ask"),
        ("GET", "/api/ask", 405, "Gebruik POST"),
    ],
)
def test_unknown_api_paths_and_methods_get_dutch_json(
    url: str, method: str, path: str, status: int, message: str
) -> None:
    response = httpx.request(method, url + path)
    assert response.status_code == status
    assert message in response.json()["error"]
    assert "detail" not in response.json()


def test_openapi_and_the_api_docs_work(url: str) -> None:
    spec = httpx.get(url + "/api/openapi.json")
    assert spec.status_code == 200
    assert "/api/ask" in spec.json()["paths"]
    assert httpx.get(url + "/api/docs").status_code == 200


def test_help_prints_usage_without_starting_a_server() -> None:
    done = subprocess.run(
        [sys.executable, str(harness.ROOT / "app.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=harness.ROOT,
    )
    assert done.returncode == 0
    assert "--port" in done.stdout and "usage" in done.stdout
    assert "draait op" not in done.stdout


def test_a_port_in_use_gets_a_dutch_message_and_exit_code_2(url: str, workdir: Path) -> None:
    port = url.rsplit(":", 1)[1]
    done = subprocess.run(
        [sys.executable, str(harness.ROOT / "app.py"), "--port", port],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=workdir,
        env=harness.app_env(workdir, int(port)),
    )
    assert done.returncode == 2
    assert f"Poort {port}" in done.stderr and "al in gebruik" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


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


def _bot_text(messages: list[dict[str, object]]) -> str:
    """The newest answer's text in a chat value (Gradio's message dicts)."""
    return "".join(part.get("text", "") for part in messages[-1]["content"])  # type: ignore[index]


def streamed_answer(sent: list[dict[str, object]]) -> list[str]:
    """The answer's text after each streamed update, rebuilt from Gradio's updates and diffs."""
    text, snapshots = "", []
    for message in sent:
        if message.get("msg") != "process_generating":
            continue
        chat = message["output"]["data"][0]  # type: ignore[index]
        if isinstance(chat, dict):  # a full update (the first one)
            text = _bot_text(chat["value"])
        for op, path, value in chat if isinstance(chat, list) else []:  # diffs
            if op == "replace" and path == []:
                text = _bot_text(value)
            elif op == "append" and path[-1] == "text":
                text += value
            elif op == "replace" and path[-1] == "text":
                text = value
        snapshots.append(text)
    return snapshots


def test_the_answer_is_streamed_after_a_busy_message(url: str) -> None:
    """What the page receives: the busy text, then the answer growing sentence by sentence."""
    sent = session(url, "frank-session").messages(
        "question", "submit", ["Wat is een integraal kindcentrum?", None, "nl"]
    )  # an answer of several sentences
    final = _bot_text(sent[-1]["output"]["data"][0])  # type: ignore[index]
    snapshots = streamed_answer(sent)
    assert snapshots[0] == "_Bezig met zoeken in de bronnen…_"
    partial = [t for t in snapshots[1:] if t != final]
    assert partial and all(final.startswith(t) for t in partial), snapshots
    assert "#bron-1" in final


def test_new_conversation_forgets_the_history(url: str) -> None:
    carol = session(url, "carol-session")
    carol.call("question", "submit", ["Wat is een integraal kindcentrum?", None, "nl"])
    reset = carol.call("new-chat", "click", ["nl"])
    assert reset["output"]["data"][0]["value"] == []  # type: ignore[index]
    after = carol.call("question", "submit", ["Wie moet de aanvraag steunen?", None, "nl"])
    assert len(_chat_texts(after)) == 2


def test_feedback_is_stored_for_the_sessions_own_answer(url: str, workdir: Path) -> None:
    dave = session(url, "dave-session")
    dave.call("question", "submit", ["Wie moet de aanvraag steunen?", None, "nl"])
    rated = dave.call("thumbs-down", "click", [None, "nl"])
    up, down, thanks = rated["output"]["data"][1:]  # type: ignore[index]
    assert "U koos: Nee, niet nuttig" in thanks
    assert down["value"].startswith("✓") and down["variant"] == "primary"  # the chosen thumb
    assert not up["value"].startswith("✓")
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
    assert "nog geen antwoord" in nothing["output"]["data"][3]  # type: ignore[index]


# --- admin guard --------------------------------------------------------------------------------


ADMIN_EVENTS = [
    ("admin-add", [[], [], [], None, "nl"]),
    ("admin-del", [[], None, "nl"]),  # a doc id would already fail choice validation
    ("admin-rebuild", [None, "nl"]),
    ("admin-rebuild-yes", [None, "nl"]),
    ("admin-report", [None, "nl"]),
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


def test_wrong_password_does_not_unlock_and_login_is_per_session(url: str, workdir: Path) -> None:
    intruder = session(url, "intruder-password")
    refused = intruder.call("admin-password", "submit", ["raden-123", "nl"])
    assert "Onjuist wachtwoord" in str(refused["output"])
    still_locked = intruder.call("admin-report", "click", [None, "nl"])
    assert still_locked["success"] is False
    log = (workdir / "app.log").read_text()
    assert "failed admin login" in log and "raden-123" not in log  # logged, without the guess

    admin = logged_in(url, "admin-session")
    report = admin.call("admin-report", "click", [None, "nl"])
    assert report["success"] is True
    assert "nog geen evaluatierapport" in report["output"]["data"][0]  # type: ignore[index]
    # Another session is not logged in by the admin's login.
    assert intruder.call("admin-report", "click", [None, "nl"])["success"] is False


def logged_in(url: str, name: str) -> harness.RawGradioSession:
    admin = session(url, name)
    accepted = admin.call("admin-password", "submit", [harness.ADMIN_PASSWORD, "nl"])
    assert accepted["success"] and "Onjuist" not in str(accepted["output"])
    return admin


def test_an_admin_cannot_add_a_server_file_outside_the_upload_folder(
    url: str, workdir: Path
) -> None:
    secret = workdir / "kluis.txt"
    secret.write_text("Het kluiswachtwoord is zeppelin-42.", encoding="utf-8")
    admin = logged_in(url, "admin-foreign-file")
    forged = {"path": str(secret), "orig_name": "kluis.txt", "meta": {"_type": "gradio.FileData"}}
    admin.call("admin-upload", "upload", [[forged], [], None, "nl"])
    result = admin.call("admin-add", "click", [[forged], [], [], None, "nl"])
    if result["success"]:  # refused by the app (Gradio itself may refuse the path earlier)
        assert "niet in deze sessie geüpload" in result["output"]["data"][0]  # type: ignore[index]
    answer = httpx.post(url + "/api/ask", json={"question": "Wat is het kluiswachtwoord?"})
    assert "zeppelin" not in answer.text
    assert not (workdir / "data" / "uploads").exists() or not any(
        "kluis" in p.name for p in (workdir / "data" / "uploads").iterdir()
    )


def test_an_upload_gets_its_own_namespace_and_replacing_needs_a_confirmation(
    url: str, workdir: Path, tmp_path: Path
) -> None:
    same_name = tmp_path / "integrale-kindcentra.txt"
    same_name.write_text("Een integraal kindcentrum kost 5000 euro per maand.", encoding="utf-8")
    admin = logged_in(url, "admin-upload")

    def add(replace: list[str]) -> str:
        file = admin.upload(same_name)
        admin.call("admin-upload", "upload", [[file], [], None, "nl"])
        result = admin.call("admin-add", "click", [[file], replace, [], None, "nl"])
        assert result["success"], result
        return str(result["output"]["data"][0])  # type: ignore[index]

    first = add([])
    assert "1 toegevoegd" in first
    docs = httpx.post(url + "/api/ask", json={"question": "Welke documenten ken je?"}).text
    assert "upload-integrale-kindcentra" in docs
    assert '"integrale-kindcentra"' in docs  # the curated document is still there

    again = add([])
    assert "(upload-integrale-kindcentra) staat al in de index" in again
    assert "toegevoegd" not in again
    confirmed = add(["upload-integrale-kindcentra"])
    assert "Klaar" in confirmed and "staat al in de index" not in confirmed


# --- Chroma outage --------------------------------------------------------------------------------


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A `chroma run` server on a free port; the test may kill it."""
    port = harness.free_port()
    chroma = Path(sys.executable).parent / "chroma"
    log = (tmp_path / "chroma.log").open("wb")
    command = [str(chroma), "run", "--path", str(tmp_path / "db"), "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1"], stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(url + "/api/v2/heartbeat", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url, server
    finally:
        server.kill()
        server.wait()
        log.close()


@pytest.mark.server
def test_a_chroma_outage_is_a_503_with_the_reason_and_healthz_says_so(
    chroma_server: tuple[str, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from assistant.settings import Settings
    from ingest import ingest_paths
    from web.api import build_api
    from web.service import Service

    url, server = chroma_server
    settings = Settings(data_dir=tmp_path / "data", chroma=url, corpus_dir=harness.ROOT / "corpus")
    ingest_paths([settings.corpus_dir], settings, progress=False)
    service = Service(settings)
    client = TestClient(build_api(service))
    assert client.get("/healthz").json()["status"] == "loading"  # not ready before warm-up
    service.warm_up()
    assert client.get("/healthz").status_code == 200
    question = {"question": "Wat is een integraal kindcentrum?"}
    assert client.post("/api/ask", json=question).status_code == 200

    server.kill()
    server.wait()
    answer = client.post("/api/ask", json=question)
    assert answer.status_code == 503
    assert "Chroma-server" in answer.json()["error"] and "niet bereikbaar" in answer.json()["error"]
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["status"] == "unavailable"
    assert health.json()["store"]["ok"] is False
