"""Dutch sentence boundaries (pysbd), as exact character spans so quotes stay verbatim."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

# A list item's mark at the start of a line: "1. ", "2) ", "- ", "* ", "• ".
LIST_MARK = r"(?:\d+[.)]|[-*•])"

_local = threading.local()
# pysbd builds a pattern per abbreviation it meets (three for each of the 1 656 Dutch ones) and
# per rule: thousands, against the 512 compiled patterns the re module keeps, so every split
# compiled them again (a quarter of its time). A larger cache keeps them; same patterns, same
# sentences. A few MB at most.
RE_CACHE = 8192
# The version of the rules below, in the splits ingest stores with each chunk (``stored_splits``,
# with pysbd's version): raise it when ``split_sentences`` would cut a text differently, so
# splits stored by an older version are not used.
SPLITS_RULES = 1


def _segmenter() -> Any:
    # One per thread: pysbd's Segmenter keeps the text it is splitting on itself, so a shared
    # one gives one conversation's sentence offsets computed in another's text.
    if not hasattr(_local, "segmenter"):
        import pysbd

        if getattr(re, "_MAXCACHE", RE_CACHE) < RE_CACHE:
            re._MAXCACHE = RE_CACHE  # type: ignore[attr-defined]

        _local.segmenter = pysbd.Segmenter(language="nl", clean=False, char_span=True)
    return _local.segmenter


# Marks pysbd may cut at (or that change how it cuts). A text with none of them before its last
# character is one sentence; pysbd takes about 2 ms to say so even for a question or a heading.
# The same spans for every question of the datasets and every line of the benchmark's corpora
# (``tests/test_sentence_splits.py`` checks a sample).
_MAY_CUT = re.compile(r"[.!?…;:()\n\r\"'“”‘’«»\[\]]")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences inside ``text[start:end]`` as absolute (start, end) offsets, trimmed."""
    end = len(text) if end is None else end
    first, last = start, end
    while first < last and text[first].isspace():
        first += 1
    while last > first and text[last - 1].isspace():
        last -= 1
    if first == last:
        return []
    if not _MAY_CUT.search(text, first, last - 1):
        return [(first, last)]
    return pysbd_spans(text, start, end)


def pysbd_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``sentence_spans`` as pysbd cuts them."""
    spans = []
    for sentence in _segmenter().segment(text[start:end]):
        s, e = start + sentence.start, start + sentence.end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


@lru_cache(maxsize=4096)
def split_sentences(text: str) -> tuple[str, ...]:
    """The sentences of a passage; a line break also ends a sentence (lists, headings)."""
    return tuple(text[s:e] for s, e in sentence_offsets(text))


def sentence_offsets(text: str) -> list[tuple[int, int]]:
    """Where ``split_sentences`` cuts ``text``: (start, end) of each sentence in it."""
    out: list[tuple[int, int]] = []
    position = 0
    for line in text.split("\n"):
        out.extend((position + s, position + e) for s, e in sentence_spans(line))
        position += len(line) + 1
    return out


def stored_splits(text: str) -> str:
    """``text``'s sentences as ingest stores them with a chunk ("1-pysbd0.3.4:0,45;47,120"), so an
    answer need not split the passage again (``passage_sentences``)."""
    offsets = ";".join(f"{s},{e}" for s, e in sentence_offsets(text))
    return f"{splits_version()}:{offsets}"


@lru_cache(maxsize=1)
def splits_version() -> str:
    """This splitter's version: its rules' and pysbd's ("1-pysbd0.3.4")."""
    from importlib.metadata import version

    return f"{SPLITS_RULES}-pysbd{version('pysbd')}"


def passage_sentences(text: str, stored: str | None) -> tuple[str, ...]:
    """The sentences of a chunk's ``text``: from the splits stored with it (by ingest, or from
    the embedding cache: ``assistant.passage_vectors``) when they are of this splitter's
    version, else split here."""
    if current_splits(stored):
        assert stored is not None
        return _decoded(text, stored.partition(":")[2])
    return split_sentences(text)


def current_splits(stored: str | None) -> bool:
    """Whether ``stored`` are splits of this splitter's version (``stored_splits``)."""
    return stored is not None and stored.partition(":")[0] == splits_version()


@lru_cache(maxsize=4096)
def _decoded(text: str, offsets: str) -> tuple[str, ...]:
    if not offsets:
        return ()
    spans = [tuple(map(int, pair.split(","))) for pair in offsets.split(";")]
    return tuple(text[s:e] for s, e in spans)


# A line that says who said the sentence before it: "Onderwijswethouder Carine Bloemhoff,
# Gemeente Groningen" (capitalised parts joined by a comma, no sentence mark, a few words).
_ATTRIBUTION = re.compile(r"^[A-Z][^.!?:;,]*(?:,\s*[A-Z][^.!?:;,]*)+$")
MAX_ATTRIBUTION_WORDS = 10


def is_attribution(line: str) -> bool:
    line = line.strip()
    return bool(_ATTRIBUTION.match(line)) and len(line.split()) <= MAX_ATTRIBUTION_WORDS


def attribution_at(sentences: Sequence[str], position: int) -> int | None:
    """Where the line is that says who said the sentence at ``position``: right after it, or,
    when it introduces a quotation with a colon ("... zich ook op richten:"), after that
    quotation; None when there is none."""
    at = position + 1
    if sentences[position].endswith(":") and at < len(sentences):
        at += 1
    return at if at < len(sentences) and is_attribution(sentences[at]) else None


def speaker(sentences: Sequence[str], position: int) -> str:
    """The line that says who said the sentence at ``position`` (see attribution_at), or ""."""
    at = attribution_at(sentences, position)
    return "" if at is None else sentences[at]
