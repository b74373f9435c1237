"""The feedback store: what is kept (and what not), masking, retention, purge and export."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.feedback import FeedbackError, FeedbackStore, feedback_path
from assistant.privacy import EMAIL_MASK, PHONE_MASK, loggable_question, mask_personal_data
from assistant.settings import Settings
from leerstad.cli import main


@pytest.fixture
def settings(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> Settings:
    """Settings of this test; the CLI reads the same data directory from the environment."""
    clean_env.setenv("LEERSTAD_DATA_DIR", str(tmp_path / "data"))
    return Settings(data_dir=tmp_path / "data")


def age(settings: Settings, feedback_id: int, days: float) -> None:
    """Make a row ``days`` old, as if it had been given then."""
    when = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with sqlite3.connect(feedback_path(settings)) as conn:
        conn.execute("UPDATE feedback SET created_at = ? WHERE id = ?", (when, feedback_id))


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

    assert main(["feedback", "export", "--out", str(out)]) == 0

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

    assert main(["feedback", "export"]) == 0

    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["question"] == "Vraag?"


def test_feedback_without_a_subcommand_is_a_usage_error(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["feedback"]) == 2
    assert "leerstad feedback: fout: deze argumenten ontbreken: OPDRACHT" in capsys.readouterr().err


# -- privacy: masking, retention, purge -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Mail me: jan.de-vries+leerstad@gemeente.example.nl.", f"Mail me: {EMAIL_MASK}."),
        ("Bel 06-12345678 of 06 1234 5678", f"Bel {PHONE_MASK} of {PHONE_MASK}"),
        ("Tel. (020) 123 45 67, na 17 uur", f"Tel. {PHONE_MASK}, na 17 uur"),
        ("+31 6 12345678 / 0031 (0)20 1234567", f"{PHONE_MASK} / {PHONE_MASK}"),
        ("Belgisch: +32 2 123 45 67", f"Belgisch: {PHONE_MASK}"),
        ("0612345678 0201234567", f"{PHONE_MASK} {PHONE_MASK}"),
    ],
)
def test_personal_data_is_masked(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Het kost 5000 euro per jaar, sinds 2024.",
        "Postcode 1234 AB, op 12-03-2024, van 2018-2024.",
        "1.000.000 inwoners in 12 steden; 0,5 fte",
        "BSN-achtige reeks 123456789 en 12345678901",
    ],
)
def test_numbers_that_are_no_phone_numbers_stay(text: str) -> None:
    assert mask_personal_data(text) == text


def test_comment_and_question_are_stored_masked(settings: Settings) -> None:
    store = FeedbackStore.from_settings(settings)
    fid = store.add(
        "Ik ben bereikbaar op 06-12345678, wat is een IKC?",
        "Een kindcentrum, mail info@ikc.example.nl [1].",
        [],
        "down",
        "Bel me: 0201234567 of mail a.b@example.com",
    )
    store.update(fid, comment="Toch liever mail: piet@example.org")
    with sqlite3.connect(feedback_path(settings)) as conn:
        question, answer, comment = conn.execute(
            "SELECT question, answer, comment FROM feedback"
        ).fetchone()
    assert question == f"Ik ben bereikbaar op {PHONE_MASK}, wat is een IKC?"
    assert comment == f"Toch liever mail: {EMAIL_MASK}"
    # The answer quotes the sources, which are public; it is kept as shown.
    assert answer == "Een kindcentrum, mail info@ikc.example.nl [1]."
    raw = feedback_path(settings).read_bytes()
    for secret in (b"06-12345678", b"0201234567", b"a.b@example.com", b"piet@example.org"):
        assert secret not in raw


def test_retention_deletes_old_rows_on_the_next_use(settings: Settings) -> None:
    store = FeedbackStore.from_settings(settings)
    assert store.retention_days == 180
    old, recent = store.add("oud", "a", [], "down"), store.add("nieuw", "a", [], "down")
    age(settings, old, days=181)
    age(settings, recent, days=179)

    assert [f.question for f in store.all()] == ["nieuw"]


def test_expire_applies_the_retention_without_other_use(settings: Settings) -> None:
    store = FeedbackStore.from_settings(settings.with_(feedback_retention_days=30))
    assert store.expire() == 0 and not store.path.exists()  # no database is created for it
    fid = store.add("v", "a", [], "up")
    age(settings, fid, days=31)
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM feedback").fetchone() == (1,)
    assert store.expire() == 1


def test_purge_command_deletes_rows_older_than_days(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    store = FeedbackStore(feedback_path(settings))  # no retention: only the command deletes
    ids = [store.add(f"vraag {n}", "a", [], "up") for n in range(3)]
    age(settings, ids[0], days=40)
    age(settings, ids[1], days=20)

    assert main(["feedback", "purge", "--older-than", "30"]) == 0
    assert "1 beoordeling(en) ouder dan 30 dagen gewist" in capsys.readouterr().out
    assert [f.question for f in store.all()] == ["vraag 1", "vraag 2"]

    assert main(["feedback", "purge", "--older-than", "0"]) == 0
    assert store.all() == []
    assert b"vraag 2" not in feedback_path(settings).read_bytes()  # overwritten, not just unlinked


def test_purge_command_defaults_to_the_retention_setting(
    settings: Settings, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("LEERSTAD_FEEDBACK_RETENTION_DAYS", "10")
    store = FeedbackStore(feedback_path(settings))
    age(settings, store.add("oud", "a", [], "up"), days=11)
    store.add("nieuw", "a", [], "up")

    assert main(["feedback", "purge"]) == 0
    assert "1 beoordeling(en) ouder dan 10 dagen gewist" in capsys.readouterr().out
    assert [f.question for f in store.all()] == ["nieuw"]


@pytest.mark.parametrize("days", ["-1", "veel", "2.5"])
def test_purge_with_a_bad_number_of_days_is_a_usage_error(
    settings: Settings, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    assert main(["feedback", "purge", "--older-than", days]) == 2
    err = capsys.readouterr().err
    assert f"argument --older-than: {days!r} is geen aantal dagen; geef 0 of meer." in err
    assert not feedback_path(settings).exists()


def test_purge_of_a_negative_age_is_refused_by_the_store(settings: Settings) -> None:
    with pytest.raises(FeedbackError, match="geef 0 of meer dagen"):
        FeedbackStore.from_settings(settings).purge(-1)


def test_question_text_stays_out_of_logs_unless_switched_on() -> None:
    question = "Mijn zoon (06-12345678) zoekt een IKC in Tilburg"
    assert loggable_question(question, Settings()) == (
        f"<question of {len(question)} characters; LEERSTAD_LOG_QUESTIONS=true logs the text>"
    )
    switched_on = Settings.from_env({"LEERSTAD_LOG_QUESTIONS": "true"})
    assert loggable_question(question, switched_on) == repr(question)
