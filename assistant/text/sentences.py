"""Dutch sentence boundaries (pysbd), as exact character spans so quotes stay verbatim."""

from __future__ import annotations

import re
import threading
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


def _segmenter() -> Any:
    # One per thread: pysbd's Segmenter keeps the text it is splitting on itself, so a shared
    # one gives one conversation's sentence offsets computed in another's text.
    if not hasattr(_local, "segmenter"):
        import pysbd

        if getattr(re, "_MAXCACHE", RE_CACHE) < RE_CACHE:
            re._MAXCACHE = RE_CACHE  # type: ignore[attr-defined]

        _local.segmenter = pysbd.Segmenter(language="nl", clean=False, char_span=True)
    return _local.segmenter


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences inside ``text[start:end]`` as absolute (start, end) offsets, trimmed."""
    end = len(text) if end is None else end
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
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(line[s:e] for s, e in sentence_spans(line))
    return tuple(out)
