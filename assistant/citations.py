"""Numbered sources: passages become [n] sources, and [n] markers can be checked against them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.records import Passage, Source

# A citation marker as answers write it: [1], [1, 2], [1; 3], [bron 2]; with the space before it,
# so that removing a marker leaves no gap.
CITATION_NUMBERS = r"(?:(?:bron|source)\s*)?\d+(?:\s*[,;]\s*(?:(?:bron|source)\s*)?\d+)*"
CITATION = re.compile(r"\s*\[\s*(" + CITATION_NUMBERS + r")\s*\]", re.IGNORECASE)


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
    """Every source number cited in ``text``, in order (``[1]``, ``[1, 2]``, ``[bron 3]``)."""
    return [int(n) for m in CITATION.finditer(text) for n in re.findall(r"\d+", m.group(1))]
