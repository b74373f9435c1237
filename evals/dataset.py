"""Evaluation datasets: the JSONL line format, validation, and loading."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.errors import DatasetError

REQUIRED = ("id", "question", "answerable")


@dataclass(frozen=True)
class Example:
    """One evaluation question with what a good answer must and must not contain."""

    id: str
    question: str
    answerable: bool
    history: tuple[str, ...] = ()  # previous user questions of the conversation, oldest first
    expected_sources: tuple[str, ...] = ()  # doc ids that hold the answer
    expected_facts: tuple[tuple[str, ...], ...] = ()  # each fact: alternatives, any one counts
    forbidden: tuple[str, ...] = ()  # strings that must not appear in the answer
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Example:
        """Build from one parsed line; raises ValueError/TypeError naming the first bad field."""
        if not isinstance(data, dict):
            raise TypeError("de regel is geen JSON-object")
        missing = [k for k in REQUIRED if k not in data]
        if missing:
            raise ValueError(f"verplicht veld ontbreekt: {', '.join(missing)}")
        if not isinstance(data["id"], str) or not data["id"].strip():
            raise ValueError("'id' moet een niet-lege tekst zijn")
        if not isinstance(data["question"], str) or not data["question"].strip():
            raise ValueError("'question' moet een niet-lege tekst zijn")
        if not isinstance(data["answerable"], bool):
            raise TypeError("'answerable' moet true of false zijn")
        facts = data.get("expected_facts", [])
        if not isinstance(facts, list) or not all(_strings(f) and f for f in facts):
            raise ValueError(
                "'expected_facts' moet een lijst van lijsten met alternatieven zijn, "
                'bijvoorbeeld [["gratis", "geen contributie"]]'
            )
        tags = data.get("tags", {})
        if not isinstance(tags, dict):
            raise TypeError("'tags' moet een object zijn")
        answerable = data["answerable"]
        return cls(
            id=data["id"],
            question=data["question"],
            answerable=answerable,
            history=_tuple(data, "history"),
            expected_sources=_tuple(data, "expected_sources"),
            expected_facts=tuple(tuple(f) for f in facts),
            forbidden=_tuple(data, "forbidden"),
            # "answerable" is always a tag, so every report can break down by it.
            tags={
                **{k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in tags.items()},
                "answerable": str(answerable).lower(),
            },
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "history": list(self.history),
            "answerable": self.answerable,
            "expected_sources": list(self.expected_sources),
            "expected_facts": [list(f) for f in self.expected_facts],
            "forbidden": list(self.forbidden),
            "tags": dict(self.tags),
        }


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _tuple(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not _strings(value):
        raise ValueError(f"'{key}' moet een lijst van niet-lege teksten zijn")
    return tuple(value)


def load_dataset(path: Path) -> list[Example]:
    """All examples of a JSONL dataset; blank lines and lines starting with // are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as e:
        raise DatasetError(
            f"Dataset {path} bestaat niet. Geef een bestaand JSONL-bestand op met --dataset."
        ) from e
    except (OSError, UnicodeDecodeError) as e:
        raise DatasetError(
            f"Dataset {path} kan niet worden gelezen ({e}). Sla het op als UTF-8 JSONL."
        ) from e
    examples: list[Example] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            example = Example.from_json(json.loads(line))
        except json.JSONDecodeError as e:
            raise DatasetError(
                f"{path}, regel {number}: geen geldige JSON ({e.msg}, kolom {e.colno}). "
                "Elke regel moet één JSON-object zijn."
            ) from e
        except (ValueError, TypeError) as e:
            raise DatasetError(f"{path}, regel {number}: {e}. Pas de regel aan.") from e
        if example.id in seen:
            raise DatasetError(
                f"{path}, regel {number}: id {example.id!r} komt ook voor op regel "
                f"{seen[example.id]}. Elke vraag heeft een eigen id nodig."
            )
        seen[example.id] = number
        examples.append(example)
    if not examples:
        raise DatasetError(
            f"Dataset {path} bevat geen vragen. Voeg per regel een JSON-object toe "
            "(zie evals/README.md)."
        )
    return examples


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
