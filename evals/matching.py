"""Offline text matching used by the metrics: normalisation, fact lookup, citations, support."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from assistant.citations import CITATION, CITATION_NUMBERS, cited_numbers

# Citation markers are read the way the assistant writes and checks them ([1], [2, 3], [bron 4]).
LEADING_CITATIONS = re.compile(
    r"^((?:\s*\[\s*" + CITATION_NUMBERS + r"\s*\])+)[\s.,;:]*", re.IGNORECASE
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
WORD = re.compile(r"\w+")

# A sentence counts as supported when at least this share of its content tokens occurs in the
# cited passage(s). Extractive answers quote passages (share ~1.0); a paraphrase that keeps the
# key words stays above it; a sentence about something the passage never mentions falls below.
SUPPORT_THRESHOLD = 0.6

# Function words left out of support computations, so "de", "het", "the" never carry support.
STOPWORDS = frozenset(
    {
        "de",
        "het",
        "een",
        "en",
        "of",
        "maar",
        "dat",
        "die",
        "dit",
        "deze",
        "van",
        "in",
        "op",
        "aan",
        "te",
        "met",
        "voor",
        "door",
        "bij",
        "naar",
        "om",
        "over",
        "uit",
        "als",
        "dan",
        "ook",
        "niet",
        "wel",
        "is",
        "zijn",
        "was",
        "waren",
        "wordt",
        "worden",
        "kan",
        "kunnen",
        "moet",
        "moeten",
        "er",
        "hier",
        "daar",
        "zich",
        "zij",
        "ze",
        "hij",
        "je",
        "u",
        "we",
        "wij",
        "ik",
        "wat",
        "wie",
        "waar",
        "hoe",
        "welke",
        "wanneer",
        "nog",
        "al",
        "zo",
        "heel",
        "meer",
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "that",
        "this",
        "these",
        "those",
        "on",
        "at",
        "to",
        "with",
        "for",
        "by",
        "from",
        "as",
        "are",
        "were",
        "be",
        "been",
        "it",
        "its",
        "can",
        "could",
        "must",
        "should",
        "will",
        "would",
        "there",
        "here",
        "what",
        "who",
        "where",
        "how",
        "which",
    }
)

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-"})


def normalise(text: str) -> str:
    """NFKC, case-folded, typographic quotes and dashes made plain, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(text.split())


def contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` after normalisation, not inside a longer word.

    "11" does not match "110" and "lid" does not match "lidmaatschap", but "gratis" matches
    "Het is gratis." Both sides are normalised with :func:`normalise`.
    """
    n = normalise(needle)
    if not n:
        return False
    return re.search(rf"(?<!\w){re.escape(n)}(?!\w)", normalise(haystack)) is not None


def fact_found(text: str, alternatives: Sequence[str]) -> bool:
    """An expected fact is found when any of its alternatives is contained in ``text``.

    Citation markers are removed first, so "[2]" never counts as the fact "2".
    """
    plain = CITATION.sub(" ", text)
    return any(contains(plain, alt) for alt in alternatives)


def found_forbidden(text: str, forbidden: Iterable[str]) -> list[str]:
    """The forbidden strings contained in ``text`` (citation markers removed first)."""
    plain = CITATION.sub(" ", text)
    return [f for f in forbidden if contains(plain, f)]


def citations(text: str) -> list[int]:
    """All source numbers cited in ``text``, in order of appearance (repeats kept), read as the
    assistant writes and checks them."""
    return cited_numbers(text)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """Sentences that carry citation markers, with the numbers they cite.

    Markers that open a piece ("... gratis. [1] Een ...") belong to the sentence before it.
    """
    merged: list[str] = []
    for piece in sentences(text):
        lead = LEADING_CITATIONS.match(piece)
        if merged and lead:
            merged[-1] = f"{merged[-1]} {lead.group(1).strip()}"
            piece = piece[lead.end() :].strip()
        if piece:
            merged.append(piece)
    return [(s, citations(s)) for s in merged if citations(s)]


def content_tokens(text: str) -> set[str]:
    """Normalised word tokens of ``text`` without citation markers and stopwords."""
    words = WORD.findall(normalise(CITATION.sub(" ", text)))
    return {w for w in words if w not in STOPWORDS}


def support(sentence: str, passages: Sequence[str]) -> float | None:
    """Share of the sentence's content tokens that occur in the passages (None: no tokens)."""
    tokens = content_tokens(sentence)
    if not tokens:
        return None
    available: set[str] = set()
    for passage in passages:
        available |= set(WORD.findall(normalise(passage)))
    return len(tokens & available) / len(tokens)
