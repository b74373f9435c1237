"""Conversation memory: turns as records, and follow-up questions made self-contained."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.limits import MAX_HISTORY_TURNS, MAX_SOURCE_IDS_PER_TURN, MAX_TURN_CHARS
from assistant.records import Turn
from assistant.text.analysis import stopwords, words
from assistant.text.concepts import found_in
from assistant.text.sentences import LIST_MARK
from assistant.text.vocabulary import Vocabulary

# A follow-up is searched with the questions before it: the last two, and further back while
# they are follow-ups themselves, to the question that started the thread, at most this many.
MAX_CONTEXT_TURNS = 4
_ORDINALS = {
    **{"eerste": 0, "tweede": 1, "derde": 2, "vierde": 3, "vijfde": 4, "laatste": -1},
    **{"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1},
}
# "die tweede", "het laatste", "the second one": an item the previous answer listed.
_ORDINAL_REFERENCE = re.compile(
    rf"\b(?:die|de|het|dat|deze|dit|that|the|this)\s+({'|'.join(_ORDINALS)})(?:\s+one)?\b",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(rf"^\s*{LIST_MARK}\s+(.+)$", re.MULTILINE)
# A name, with a number and a note: "Den Bosch", "Global Goal 4 (onderwijs)".
_NAME = r"[A-Z][\w’'-]*(?:\s+(?:[A-Z][\w’'-]*|\d+))*(?:\s+\([^)]*\))?"
# Names in a row: "Den Bosch en Groningen", "Utrecht, Zwolle and Delft".
_NAMES = re.compile(rf"({_NAME}(?:,\s+{_NAME})*)\s+(?:en|and)\s+({_NAME})")
# Single words in a row, at least three: "onderwijs, duurzaamheid, innovatie en inclusie".
_WORDS = re.compile(r"(\w[\w-]*(?:,\s+\w[\w-]*){1,})\s+(?:en|and)\s+(\w[\w-]*)")
_CITATION_OR_LINK = re.compile(r"\s*(?:\[\d+(?:,\s*\d+)*\]|\(https?://[^)]*\))")


def as_turns(history: Sequence[Turn | str] | None) -> tuple[Turn, ...]:
    """Accept previous turns or plain previous questions; at most the last MAX_HISTORY_TURNS,
    each text at most MAX_TURN_CHARS long, so no history costs more than a bounded amount."""
    turns = [t if isinstance(t, Turn) else Turn(question=str(t)) for t in history or ()]
    return tuple(
        Turn(
            t.question[:MAX_TURN_CHARS],
            t.answer[:MAX_TURN_CHARS],
            t.source_ids[:MAX_SOURCE_IDS_PER_TURN],
        )
        for t in turns[-MAX_HISTORY_TURNS:]
    )


def enumerated(answer: str) -> list[str]:
    """What an answer lists, in order: its list items, else names in a row ("Den Bosch en
    Groningen"), else words in a row ("onderwijs, duurzaamheid en inclusie"); without
    citations and links."""
    items = [_CITATION_OR_LINK.sub("", m).strip() for m in _LIST_ITEM.findall(answer)]
    if len(items) >= 2:
        return items
    text = _CITATION_OR_LINK.sub("", answer)
    for pattern in (_NAMES, _WORDS):
        for match in pattern.finditer(text):
            return [*re.split(r",\s+", match.group(1)), match.group(2)]
    return []


def resolve_ordinal(question: str, history: tuple[Turn, ...]) -> str:
    """ "En waar gaat die tweede over?" after an answer that listed Den Bosch and Groningen:
    "En waar gaat Groningen over?". Unchanged when there is no such reference or list."""
    match = _ORDINAL_REFERENCE.search(question)
    if not match or not history:
        return question
    after = words(question[match.end() :])
    if after and after[0] not in stopwords():
        return question  # "de eerste stap": the ordinal says which step, it names no item
    items = enumerated(history[-1].answer)
    position = _ORDINALS[match.group(1).lower()]
    if not items or position >= len(items):
        return question
    return f"{question[: match.start()]}{items[position]}{question[match.end() :]}"


def standalone_question(question: str, history: tuple[Turn, ...], vocabulary: Vocabulary) -> str:
    """The question to search for: a follow-up is joined with the question(s) it follows.

    This is the extractive method (no language model): a question that refers back ("Wat is
    haar e-mailadres?") or starts like a continuation ("En voor kinderen?") is searched together
    with the previous questions of the conversation (``_thread``).
    """
    if not history or not vocabulary.is_followup(question):
        return question
    previous = [t.question for t in _thread(history, vocabulary)]
    return " ".join([*previous, question])


def _thread(history: tuple[Turn, ...], vocabulary: Vocabulary) -> tuple[Turn, ...]:
    """The turns a follow-up goes on from: the last two, and before them every follow-up back
    to the question that started them ("Wat is een lerende stad?", "Hoeveel zijn er?", "En in
    Nederland?", "Welke?"), at most MAX_CONTEXT_TURNS."""
    start = max(0, len(history) - 2)
    while (
        start > 0
        and len(history) - start < MAX_CONTEXT_TURNS
        and vocabulary.is_followup(history[start].question)
    ):
        start -= 1
    return history[start:]


def context_of(question: str, standalone: str) -> str:
    """The part of the standalone question that came from earlier turns."""
    return standalone[: -len(question)].strip() if standalone.endswith(question) else ""


def moved_on(
    question: str,
    previous: str,
    titles: Mapping[str, str],
    old_titles: Sequence[str],
    vocabulary: Vocabulary,
) -> tuple[str, frozenset[str]] | None:
    """A follow-up that names another document's subject asks the previous question about it:
    "en de kindcentra?" after "Aan welke Global Goals draagt het netwerk van lerende steden
    bij?". Returns the question to search (the previous one without its own subject, then the
    follow-up) and the documents whose title names the new subject; None when the follow-up
    names none, or asks something of its own. ``titles``: doc_id -> title of the documents the
    follow-up retrieves that the conversation was not about; ``old_titles``: the titles of
    those it was about."""
    if not vocabulary.is_elliptical(question):
        return None  # "En aan welke Global Goals draagt dat netwerk bij?": its own question
    own = vocabulary.term_groups(question)
    new = frozenset(doc_id for doc_id, title in titles.items() if found_in(title, own))
    if not new:
        return None
    subject = [
        g for g in vocabulary.term_groups(previous) if any(found_in(t, [g]) for t in old_titles)
    ]
    rest = previous
    for form in sorted({f for g in subject for f in g.forms}, key=len, reverse=True):
        rest = re.sub(rf"(?<![\w-]){re.escape(form)}(?![\w-])", " ", rest, flags=re.IGNORECASE)
    return f"{' '.join(rest.split())} {question}", new
