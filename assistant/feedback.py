"""Feedback on answers: a small SQLite store with retention, and negative feedback as evals."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.errors import LeerstadError
from assistant.privacy import mask_personal_data
from assistant.settings import Settings

FILENAME = "feedback.sqlite3"
RATINGS = ("up", "down")

# Deliberately no IP address, user agent or session id: feedback must not identify people.
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    source_ids TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS feedback_created_at ON feedback (created_at);
"""


class FeedbackError(LeerstadError):
    """Feedback cannot be stored or exported."""


@dataclass(frozen=True)
class Feedback:
    """One rating of one answer."""

    id: int
    created_at: str
    question: str
    answer: str
    source_ids: tuple[str, ...]
    rating: str
    comment: str

    def to_eval_case(self) -> dict[str, object]:
        """A draft line for an eval dataset, for a human to complete and review."""
        return {
            "id": f"feedback-{self.id}",
            "question": self.question,
            "history": [],
            "answerable": True,
            "expected_sources": [],
            "expected_facts": [],
            "forbidden": [],
            "tags": {"source": "feedback"},
            "notes": {
                "answer": self.answer,
                "comment": self.comment,
                "rating": self.rating,
            },
        }


def feedback_path(settings: Settings) -> Path:
    return settings.data_dir / FILENAME


class FeedbackStore:
    """Feedback rows in ``data_dir/feedback.sqlite3``; one short connection per call.

    With ``retention_days``, every call first deletes the rows older than that, so no row
    outlives the retention by more than the time until the store is next used.
    Question and comment are stored with e-mail addresses and phone numbers masked.
    """

    def __init__(self, path: Path, retention_days: int | None = None) -> None:
        self.path = path
        self.retention_days = retention_days

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore:
        return cls(feedback_path(settings), settings.feedback_retention_days)

    @contextmanager
    def _connect(self, apply_retention: bool = True) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # closing() closes the connection; `conn` as context manager commits or rolls back.
            with closing(sqlite3.connect(self.path, timeout=10)) as conn, conn:
                # Deleted rows are overwritten, not left readable in the file's free pages.
                conn.execute("PRAGMA secure_delete = ON")
                conn.executescript(SCHEMA)
                if apply_retention and self.retention_days is not None:
                    _delete_older_than(conn, self.retention_days)
                yield conn
        except (sqlite3.Error, OSError) as e:
            raise FeedbackError(
                f"De feedback kon niet worden opgeslagen of gelezen in {self.path} ({e}). "
                "Controleer of de datamap schrijfbaar is (LEERSTAD_DATA_DIR)."
            ) from e

    def add(
        self,
        question: str,
        answer: str,
        source_ids: Sequence[str],
        rating: str,
        comment: str = "",
    ) -> int:
        """Store a rating ("up" or "down") and return its id."""
        _check_rating(rating)
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO feedback (created_at, question, answer, source_ids, rating, comment)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    _timestamp(datetime.now(UTC)),
                    mask_personal_data(question),
                    answer,
                    json.dumps(list(source_ids)),
                    rating,
                    mask_personal_data(comment.strip()),
                ),
            )
            return int(cur.lastrowid or 0)

    def update(
        self, feedback_id: int, rating: str | None = None, comment: str | None = None
    ) -> None:
        """Change the rating or comment of an earlier row (a user changing their mind)."""
        if rating is not None:
            _check_rating(rating)
        with self._connect() as conn:
            if rating is not None:
                conn.execute("UPDATE feedback SET rating = ? WHERE id = ?", (rating, feedback_id))
            if comment is not None:
                conn.execute(
                    "UPDATE feedback SET comment = ? WHERE id = ?",
                    (mask_personal_data(comment.strip()), feedback_id),
                )

    def all(self, rating: str | None = None) -> list[Feedback]:
        """Rows oldest first, optionally only those with ``rating``."""
        query = "SELECT id, created_at, question, answer, source_ids, rating, comment FROM feedback"
        params: tuple[str, ...] = ()
        if rating is not None:
            _check_rating(rating)
            query += " WHERE rating = ?"
            params = (rating,)
        with self._connect() as conn:
            rows = conn.execute(query + " ORDER BY id", params).fetchall()
        return [
            Feedback(
                id=row[0],
                created_at=row[1],
                question=row[2],
                answer=row[3],
                source_ids=tuple(json.loads(row[4])),
                rating=row[5],
                comment=row[6],
            )
            for row in rows
        ]

    def purge(self, older_than_days: int) -> int:
        """Delete the rows older than ``older_than_days`` days; return how many were deleted."""
        if older_than_days < 0:
            raise FeedbackError(
                f"Een bewaartermijn van {older_than_days} dagen kan niet: geef 0 of meer dagen."
            )
        with self._connect(apply_retention=False) as conn:  # exactly what was asked, counted
            return _delete_older_than(conn, older_than_days)

    def expire(self) -> int:
        """Apply the retention now (if there is one and a database); return the rows deleted."""
        if self.retention_days is None or not self.path.exists():
            return 0
        return self.purge(self.retention_days)

    def negative_cases(self) -> list[dict[str, object]]:
        """Negative feedback as draft eval cases (see Feedback.to_eval_case)."""
        return [f.to_eval_case() for f in self.all(rating="down")]


def _timestamp(moment: datetime) -> str:
    # One fixed format (UTC, seconds), so timestamps compare correctly as text in SQL.
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _delete_older_than(conn: sqlite3.Connection, days: int) -> int:
    cutoff = _timestamp(datetime.now(UTC) - timedelta(days=days))
    return conn.execute("DELETE FROM feedback WHERE created_at <= ?", (cutoff,)).rowcount


def _check_rating(rating: str) -> None:
    if rating not in RATINGS:
        raise FeedbackError(f"Onbekende beoordeling {rating!r}: gebruik 'up' of 'down'.")
