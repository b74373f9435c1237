"""The feedback store: what is kept (and what not), updates, and export as draft eval cases."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from assistant.feedback import FeedbackError, FeedbackStore, feedback_path, main
from assistant.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def test_feedback_is_stored_in_the_data_dir_without_personal_data(
    settings: Settings,
) -> None:
    store = FeedbackStore.from_settings(settings)
    fid = store.add("Wat is een IKC?", "Een kindcentrum [1].", ["ikc#0"], "down", " te kort ")

    assert feedback_path(settings) == settings.data_dir / "feedback.sqlite3"
    with sqlite3.connect(feedback_path(settings)) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
        row = conn.execute("SELECT question, source_ids, rating, comment FROM feedback").fetchone()
    assert columns == {
        "id",
        "created_at",
        "question",
        "answer",
        "source_ids",
        "rating",
        "comment",
    }
    assert not {"ip", "user_agent", "session"} & columns
    assert row == ("Wat is een IKC?", '["ikc#0"]', "down", "te kort")
    [saved] = store.all()
    assert saved.id == fid
    assert saved.source_ids == ("ikc#0",)
    assert saved.created_at.endswith("+00:00")


def test_update_changes_rating_and_comment(settings: Settings) -> None:
    store = FeedbackStore.from_settings(settings)
    fid = store.add("v", "a", [], "up")
    store.update(fid, rating="down")
    store.update(fid, comment="Het antwoord noemt de verkeerde gemeente.")

    [saved] = store.all()
    assert (saved.rating, saved.comment) == (
        "down",
        "Het antwoord noemt de verkeerde gemeente.",
    )
    assert store.all(rating="up") == []


@pytest.mark.parametrize("rating", ["", "like", "UP"])
def test_unknown_rating_is_refused_with_a_dutch_message(settings: Settings, rating: str) -> None:
    store = FeedbackStore.from_settings(settings)
    with pytest.raises(FeedbackError, match="Onbekende beoordeling"):
        store.add("v", "a", [], rating)


def test_unwritable_data_dir_gives_a_dutch_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    store = FeedbackStore(blocker / "feedback.sqlite3")
    with pytest.raises(FeedbackError, match="Controleer of de datamap schrijfbaar is"):
        store.add("v", "a", [], "up")


def test_export_writes_only_negative_feedback_in_the_eval_format(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = FeedbackStore.from_settings(settings)
    store.add("Goede vraag", "Goed antwoord [1].", ["a#0"], "up")
    bad = store.add("Wie moet de aanvraag steunen?", "Dat weet ik niet.", ["b#1"], "down", "Fout")
    out = tmp_path / "drafts" / "feedback.jsonl"

    assert main(["export", "--out", str(out)], settings=settings) == 0

    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "id": f"feedback-{bad}",
            "question": "Wie moet de aanvraag steunen?",
            "history": [],
            "answerable": True,
            "expected_sources": [],
            "expected_facts": [],
            "forbidden": [],
            "tags": {"source": "feedback"},
            "notes": {
                "answer": "Dat weet ik niet.",
                "comment": "Fout",
                "rating": "down",
            },
        }
    ]
    assert "1 negatieve beoordeling(en) geëxporteerd" in capsys.readouterr().err


def test_export_without_out_writes_json_lines_to_stdout(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    FeedbackStore.from_settings(settings).add("Vraag?", "Antwoord", [], "down")

    assert main(["export"], settings=settings) == 0

    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["question"] == "Vraag?"


def test_feedback_without_a_subcommand_is_a_usage_error(settings: Settings) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([], settings=settings)
    assert exit_info.value.code == 2
