"""Numbered sources: passages become [n] sources, and [n] markers can be checked against them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.records import Passage, Source

CITATION = re.compile(r"\[(\d+)\]")


def number_sources(
    passages: Sequence[Passage], quotes: Sequence[str | None] | None = None
) -> tuple[list[Source], dict[str, int]]:
    """Number passages [1..n] in order of first use; repeated chunks keep their number.

    ``quotes`` (parallel to ``passages``) are the sentences the answer takes from each passage;
    several quotes from one passage are joined.
    """
    numbers: dict[str, int] = {}
    quoted: dict[str, list[str]] = {}
    first: dict[str, Passage] = {}
    for i, passage in enumerate(passages):
        chunk_id = passage.chunk.chunk_id
        if chunk_id not in numbers:
            numbers[chunk_id] = len(numbers) + 1
            first[chunk_id] = passage
            quoted[chunk_id] = []
        quote = quotes[i] if quotes else None
        if quote and quote not in quoted[chunk_id]:
            quoted[chunk_id].append(quote)
    sources = [
        to_source(first[chunk_id], n, " ".join(quoted[chunk_id]) or None)
        for chunk_id, n in numbers.items()
    ]
    return sources, numbers


def to_source(passage: Passage, n: int, quote: str | None = None) -> Source:
    chunk = passage.chunk
    return Source(
        n=n,
        doc_id=chunk.doc_id,
        title=chunk.title,
        section=chunk.section,
        url=chunk.url,
        text=chunk.text,
        score=passage.score,
        chunk_id=chunk.chunk_id,
        start=chunk.start,
        end=chunk.end,
        quote=quote,
    )


def cited_numbers(text: str) -> list[int]:
    """The [n] numbers in an answer, in order of appearance."""
    return [int(m) for m in CITATION.findall(text)]


def invalid_citations(text: str, sources: Sequence[Source]) -> list[int]:
    """[n] markers that point to no source."""
    valid = {s.n for s in sources}
    return [n for n in cited_numbers(text) if n not in valid]
