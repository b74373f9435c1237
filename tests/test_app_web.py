"""The web layer without a server: streaming, login limits, uploads, rebuilds, request checks."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from assistant.limits import MAX_BODY_BYTES, MAX_JSON_DEPTH
from assistant.settings import Settings
from web.admin import RebuildPlan, newest_report, received_here, safe_filename, upload_folder
from web.api import ApiError, check_body, json_depth
from web.chat import answers, sentence_prefixes
from web.login import LoginGuard, password_matches
from web.service import Service
from web.state import Conversation
from web.texts import EN, NL


def test_sentence_prefixes_grow_one_sentence_at_a_time_with_their_citations() -> None:
    text = "Ja. Gemeenten kunnen lid worden. [1] De aanvraag wordt gesteund door het bestuur. [2]"
    assert sentence_prefixes(text) == [
        "Ja.",
        "Ja. Gemeenten kunnen lid worden. [1]",
        text,
    ]
    assert sentence_prefixes("Eén zin zonder punt") == ["Eén zin zonder punt"]
    lines = "Ik ken 2 documenten:\n- A [1]\n- B [2]"
    assert sentence_prefixes(lines)[:2] == ["Ik ken 2 documenten:", "Ik ken 2 documenten:\n- A [1]"]


def test_an_answer_given_in_one_piece_is_revealed_sentence_by_sentence(
    corpus_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.chat.REVEAL_PAUSE_S", 0)
    service = Service(corpus_settings)
    # An answer of several sentences (the test needs one to see it grow).
    steps = list(answers(service, "Wat is een integraal kindcentrum?", Conversation()))
    *partials, (final, done) = steps
    assert done and all(not d for _, d in partials)
    assert final.sources and "[1]" in final.text
    assert partials, "the extractive answer should be shown in more than one step"
    texts = [a.text for a, _ in partials]
    assert all(final.text.startswith(t) and len(t) < len(final.text) for t in texts)
    assert texts == sorted(texts, key=len)  # the text only grows


def test_password_compare_is_exact() -> None:
    assert password_matches("geheim", "geheim")
    assert not password_matches("geheim ", "geheim")
    assert not password_matches("", "geheim")
    assert not password_matches("geheim", None)  # no password set: nobody logs in
    assert not password_matches("\ud800", "geheim")  # a lone surrogate is just wrong


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_login_guard_delays_each_failure_and_locks_out_per_client_then_overall() -> None:
    clock = FakeClock()
    guard = LoginGuard(per_client=3, overall=5, window_s=600, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        assert guard.attempt("10.0.0.1", "fout", "geheim") is False
    assert clock.slept == [guard.delay_s] * 3
    # Locked out, even with the right password, until the window has passed.
    assert guard.attempt("10.0.0.1", "geheim", "geheim") is None
    assert guard.locked_for("10.0.0.1") == pytest.approx(600)
    assert guard.attempt("10.0.0.2", "geheim", "geheim") is True  # another client is not
    # Failures from many clients lock everyone out (a distributed guess).
    assert guard.attempt("10.0.0.3", "fout", "geheim") is False
    assert guard.attempt("10.0.0.4", "fout", "geheim") is False
    assert guard.attempt("10.0.0.5", "geheim", "geheim") is None
    clock.now += 601
    assert guard.attempt("10.0.0.1", "geheim", "geheim") is True


def test_failed_logins_are_logged_without_the_password(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    guard = LoginGuard(clock=clock, sleep=clock.sleep)
    with caplog.at_level("INFO", logger="leerstad.web.admin"):
        guard.attempt("10.0.0.9", "mijn-geheime-gok", "geheim")
    assert "failed admin login" in caplog.text and "10.0.0.9" in caplog.text
    assert "mijn-geheime-gok" not in caplog.text


def test_uploads_get_their_own_namespace_and_a_plain_name() -> None:
    assert safe_filename("integrale-kindcentra.txt") == "upload-integrale-kindcentra.txt"
    assert safe_filename("../../etc/Pass wd.MD") == "upload-Pass-wd.md"
    assert safe_filename("upload-x.pdf") == "upload-x.pdf"
    assert safe_filename("....pdf") == "upload-document.pdf"


def test_only_files_gradio_received_in_this_session_are_accepted(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("geheim", encoding="utf-8")
    assert not received_here(outside, [str(outside)], [str(outside)])  # outside the folder
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    inside = folder / f"leerstad-test-{os.getpid()}.txt"
    inside.write_text("tekst", encoding="utf-8")
    try:
        assert received_here(inside, [str(inside)], [str(inside)])
        assert not received_here(inside, [], [str(inside)])  # another session's upload
        assert not received_here(inside, [str(inside)], [])  # copied there, not uploaded
        link = folder / f"leerstad-link-{os.getpid()}.txt"
        link.symlink_to(outside)
        try:  # a link inside the folder that points outside it resolves outside
            assert not received_here(link, [str(link)], [str(link)])
        finally:
            link.unlink()
    finally:
        inside.unlink()


def test_rebuild_plan_reads_every_known_source_and_names_what_it_drops(tmp_path: Path) -> None:
    corpus, extra = tmp_path / "corpus", tmp_path / "extra"
    corpus.mkdir()
    extra.mkdir()
    (corpus / "a.md").write_text("A", encoding="utf-8")
    (extra / "b.txt").write_text("B", encoding="utf-8")
    documents = {
        "a": {"title": "Document A", "path": str(corpus / "a.md")},
        "b": {"title": "Document B", "path": str(extra / "b.txt")},
        "weg": {"title": "Verdwenen document", "path": str(tmp_path / "weg.md")},
    }
    plan = RebuildPlan.of(documents)
    assert set(plan.paths) == {corpus / "a.md", extra / "b.txt"}
    text = plan.describe(NL)
    assert "alle 2 documenten" in text and str(corpus) in text and str(extra) in text
    assert "Verdwenen document (weg)" in text and "verdwijnen" in text
    assert "Er verdwijnt geen document" in RebuildPlan.of({"a": documents["a"]}).describe(NL)
    assert "no document leaves" in RebuildPlan.of({"a": documents["a"]}).describe(EN).lower()


def test_newest_report_is_found_at_any_depth(tmp_path: Path) -> None:
    assert newest_report(tmp_path / "runs") is None
    old = tmp_path / "runs" / "today" / "report.html"
    new = tmp_path / "runs" / "ci" / "dev" / "report.html"
    for path in (old, new):
        path.parent.mkdir(parents=True)
        path.write_text("<html></html>", encoding="utf-8")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert newest_report(tmp_path / "runs") == new


@pytest.mark.parametrize(
    ("raw", "status", "message"),
    [
        (b'{"question": "\xff"}', 400, "geen geldige UTF-8"),
        (b'{"history": ' + b"[" * 50 + b"]" * 50 + b"}", 400, "te diep genest"),
        (b'{"question": "' + b"x" * MAX_BODY_BYTES + b'"}', 413, "maximaal 50 beurten van 2.000"),
    ],
)
def test_request_bodies_are_checked_before_parsing(raw: bytes, status: int, message: str) -> None:
    with pytest.raises(ApiError) as caught:
        check_body(raw)
    assert caught.value.status == status
    assert message in str(caught.value)


def test_json_depth_ignores_brackets_inside_strings() -> None:
    assert json_depth('{"q": "[[[[[[[[[[[[", "h": [["x"]]}', MAX_JSON_DEPTH) == 3
    assert json_depth('{"q": "\\"[[[[[[[[[[[[[["}', MAX_JSON_DEPTH) == 1


def test_a_language_models_answer_streams_as_its_checked_sentences_arrive(
    corpus_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llm_server import LLMServer, ollama_stream

    monkeypatch.setattr("web.chat.REVEAL_PAUSE_S", 0)
    with LLMServer() as server:
        settings = corpus_settings.with_(
            llm="ollama:qwen2.5:7b", llm_base_url=server.url, llm_timeout=5
        )
        first = "Gemeenten kunnen lid worden door zich bij het netwerk aan te melden [1]. "
        second = "Zowel gemeenten als niet-overheidspartijen kunnen een aanvraag indienen [1]."
        server.reply("/api/chat", ollama_stream([first[:30], first[30:], second]))
        steps = list(
            answers(Service(settings), "Hoe kan onze gemeente lid worden?", Conversation())
        )
    *partials, (final, done) = steps
    assert done and final.backend == "ollama:qwen2.5:7b"
    assert final.text == (first + second).strip()
    assert partials[0][0].text == first.strip()  # shown before the rest arrived
