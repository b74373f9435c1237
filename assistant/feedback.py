"""Feedback on answers: a small SQLite store, and export of negative feedback as draft evals."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.errors import LeerstadError
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
)
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
    """Feedback rows in ``data_dir/feedback.sqlite3``; one short connection per call."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore:
        return cls(feedback_path(settings))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # closing() closes the connection; `conn` as context manager commits or rolls back.
            with closing(sqlite3.connect(self.path, timeout=10)) as conn, conn:
                conn.execute(SCHEMA)
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
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    question,
                    answer,
                    json.dumps(list(source_ids)),
                    rating,
                    comment.strip(),
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
                    (comment.strip(), feedback_id),
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

    def export_negative(self, out: Path | None) -> int:
        """Write negative feedback as JSON lines to ``out`` (stdout when None); return the count."""
        cases = [f.to_eval_case() for f in self.all(rating="down")]
        lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
        if out is None:
            sys.stdout.write(lines)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(lines, encoding="utf-8")
        return len(cases)


def _check_rating(rating: str) -> None:
    if rating not in RATINGS:
        raise FeedbackError(f"Onbekende beoordeling {rating!r}: gebruik 'up' of 'down'.")


def main(argv: list[str], settings: Settings | None = None) -> int:
    """``leerstad feedback ...``: export negative feedback as a draft eval dataset."""
    parser = argparse.ArgumentParser(
        prog="leerstad feedback", description="Feedback of users on answers."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser(
        "export",
        help="negative feedback as draft eval cases (JSON lines) for human review",
    )
    export.add_argument("--out", type=Path, help="write to this file instead of stdout")
    args = parser.parse_args(argv)

    settings = settings or Settings.from_env()
    store = FeedbackStore.from_settings(settings)
    try:
        count = store.export_negative(args.out)
    except LeerstadError as e:
        print(e, file=sys.stderr)
        return 1
    where = f" naar {args.out}" if args.out else ""
    print(
        f"{count} negatieve beoordeling(en) geëxporteerd{where}; "
        "vul expected_sources en expected_facts aan voordat je ze als eval gebruikt.",
        file=sys.stderr,
    )
    return 0
