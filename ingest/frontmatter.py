"""Markdown front matter: parsed as YAML and checked field by field before it becomes metadata."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ingest.errors import FrontMatterError
from ingest.limits import MAX_FRONT_MATTER_CHARS


def _text(value: object) -> bool:
    # A YAML title like 2030 is read as a number; it is still meant as text.
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _texts(value: object) -> bool:
    return _text(value) or (isinstance(value, list) and all(_text(v) for v in value))


def _goal(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 17


def _goals(value: object) -> bool:
    return _goal(value) or (isinstance(value, list) and all(_goal(v) for v in value))


# The fields ingest reads, what each must hold, and that in Dutch for the error message.
# Other fields are kept as they are: nothing reads them.
FIELDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "title": (_text, "een tekst"),
    "url": (_text, "een tekst (een webadres)"),
    "source": (_text, "een tekst (een webadres)"),
    "language": (_text, "een tekst (zoals nl)"),
    "contact": (_text, "een tekst"),
    "description": (_text, "een tekst"),
    "keywords": (_texts, "een tekst of een lijst van teksten"),
    "tags": (_texts, "een tekst of een lijst van teksten"),
    "global_goals": (_goals, "een getal van 1 tot en met 17 of een lijst daarvan"),
}


def split_front_matter(text: str, name: str) -> tuple[str, dict[str, Any]]:
    """(body, checked metadata) of a Markdown text; raises FrontMatterError naming ``name``."""
    import frontmatter
    import yaml

    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        return text, {}
    head, body = handler.split(text)
    if len(head) > MAX_FRONT_MATTER_CHARS:
        raise FrontMatterError(
            f"{name}: de front matter is {len(head)} tekens lang (maximaal "
            f"{MAX_FRONT_MATTER_CHARS}). Zet lange tekst in de body, niet tussen de regels ---."
        )
    try:
        # An alias (*name) can repeat a structure exponentially once it is printed or hashed.
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(head)):
            raise FrontMatterError(
                f"{name}: de front matter gebruikt YAML-verwijzingen (*naam); "
                "schrijf de waarden uit."
            )
        data = yaml.safe_load(head)
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        line = f" (regel {where.line + 2})" if where is not None else ""
        raise FrontMatterError(
            f"{name}: de front matter (tussen de regels ---) is geen geldige "
            f"YAML{line}. Herstel de YAML of haal het blok weg."
        ) from e
    if data is None:
        return body, {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            f"{name}: de front matter moet velden zijn (naam: waarde), maar is een "
            f'{_kind(data)}. Schrijf bijvoorbeeld: title: "Titel van het document".'
        )
    return body, {str(key): _checked(str(key), value, name) for key, value in data.items()}


def _checked(key: str, value: object, name: str) -> object:
    rule = FIELDS.get(key)
    if rule is None or value is None:
        return value
    valid, expected = rule
    if not valid(value):
        raise FrontMatterError(
            f"{name}: het veld '{key}' in de front matter moet {expected} zijn, "
            f"maar is een {_kind(value)} ({_short(value)}). Herstel het veld in het bestand."
        )
    if isinstance(value, int | float) and not isinstance(value, bool) and key != "global_goals":
        return str(value)
    if isinstance(value, list) and key != "global_goals":
        return [str(v) for v in value]
    return value


def _kind(value: object) -> str:
    kinds = {dict: "woordenboek", list: "lijst", bool: "waar/onwaar-waarde", str: "tekst"}
    return kinds.get(type(value), type(value).__name__)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
