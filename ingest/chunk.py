"""Structure-aware chunking: sections by heading, then paragraphs, then Dutch sentences.

LangChain's splitters lose either the heading path or exact character offsets; citations need
both, so chunks here are exact slices ``text[start:end]`` of the cleaned document.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.records import Chunk
from assistant.sentences import sentence_spans
from ingest.limits import PYSBD_MAX_PARAGRAPH_CHARS, SENTENCE_WINDOW_CHARS
from ingest.load import HEADING, SourceDocument

_PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=\n[ \t]*\n|\s*\Z)", flags=re.DOTALL)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    section: str | None


def sections(text: str) -> Iterator[tuple[str | None, int, int]]:
    """(heading path, body start, body end) for each part of the text between headings."""
    path: list[tuple[int, str]] = []
    position = 0
    for match in HEADING.finditer(text):
        yield _path_name(path), position, match.start()
        level = len(match.group(1))
        path = [(lvl, name) for lvl, name in path if lvl < level] + [(level, match.group(2))]
        position = match.end()
    yield _path_name(path), position, len(text)


def _path_name(path: list[tuple[int, str]]) -> str | None:
    # The document title (a lone level-1 heading) is not a section of its own.
    names = [name for level, name in path if level > 1] or [name for _, name in path]
    return " > ".join(names) if names else None


def _units(text: str, max_size: int) -> Iterator[Span]:
    """Paragraphs, with paragraphs longer than ``max_size`` cut into runs of whole sentences."""
    for section, s_start, s_end in sections(text):
        for para in _PARAGRAPH.finditer(text, s_start, s_end):
            if para.end() - para.start() <= max_size:
                yield Span(para.start(), para.end(), section)
                continue
            run_start = run_end = None
            for sent_start, sent_end in _bounded(text, _sentences(text, *para.span()), max_size):
                if run_start is not None and sent_end - run_start > max_size:
                    yield Span(run_start, run_end, section)  # type: ignore[arg-type]
                    run_start = None
                if run_start is None:
                    run_start = sent_start
                run_end = sent_end
            if run_start is not None:
                yield Span(run_start, run_end, section)  # type: ignore[arg-type]


# A sentence ends at . ! ? or an ellipsis, maybe followed by closing quotes or brackets, and space.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s+")


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentences of a long paragraph in time linear in its length.

    pysbd's cost grows with the square of its input, so it sees windows of at most
    ``SENTENCE_WINDOW_CHARS`` cut at a likely sentence end; a paragraph beyond
    ``PYSBD_MAX_PARAGRAPH_CHARS`` (no prose paragraph is that long) is cut by the regex alone.
    """
    if end - start > PYSBD_MAX_PARAGRAPH_CHARS:
        yield from _regex_sentences(text, start, end)
        return
    position = start
    while position < end:
        stop = end if end - position <= SENTENCE_WINDOW_CHARS else _window_end(text, position)
        yield from sentence_spans(text, position, stop)
        position = stop


def _window_end(text: str, start: int) -> int:
    """Where a window from ``start`` ends: after its last sentence end, else its last space."""
    limit = start + SENTENCE_WINDOW_CHARS
    last = None
    for last in _SENTENCE_END.finditer(text, start, limit):  # noqa: B007 (the last one is wanted)
        pass
    if last is not None and last.end() > start:
        return last.end()
    return _cut_point(text, start, SENTENCE_WINDOW_CHARS)


def _regex_sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        yield from _trimmed(text, position, match.end())  # closing quotes stay with it
        position = match.end()
    yield from _trimmed(text, position, end)


def _bounded(
    text: str, spans: Iterator[tuple[int, int]], max_size: int
) -> Iterator[tuple[int, int]]:
    """The spans, with any longer than ``max_size`` cut at spaces (or hard, if it has none)."""
    for start, end in spans:
        while end - start > max_size:
            cut = _cut_point(text, start, max_size)
            yield from _trimmed(text, start, cut)
            start = cut
            while start < end and text[start].isspace():
                start += 1
        yield from _trimmed(text, start, end)


def _cut_point(text: str, start: int, size: int) -> int:
    """The last whitespace in ``text[start + 1 : start + size + 1]``, else ``start + size``."""
    stop = start + size + 1
    space = max(text.rfind(c, start + 1, stop) for c in " \n\t")
    return space if space > start else start + size


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def _merge(units: list[Span], max_size: int, min_size: int) -> Iterator[Span]:
    """Join short neighbouring units of one section, so a chunk carries enough context."""
    current: Span | None = None
    for unit in units:
        if current is None:
            current = unit
        elif (
            unit.section == current.section
            and (current.end - current.start < min_size or unit.end - unit.start < min_size)
            and unit.end - current.start <= max_size
        ):
            current = Span(current.start, unit.end, current.section)
        else:
            yield current
            current = unit
    if current is not None:
        yield current


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def chunk_document(doc: SourceDocument, max_size: int = 600, min_size: int = 200) -> list[Chunk]:
    """Split a document into citable chunks, plus one chunk for searchable front matter."""
    doc_hash = doc.doc_hash[:16]
    spans = list(_merge(list(_units(doc.text, max_size)), max_size, min_size))
    chunks = [
        _chunk(doc, i, doc.text[span.start : span.end], span.section, span.start, span.end)
        for i, span in enumerate(spans)
    ]
    meta_text = metadata_text(doc)
    if meta_text:
        chunks.append(_chunk(doc, len(chunks), meta_text, "Metadata", 0, 0, kind="meta"))
    return [c.__class__(**{**c.__dict__, "doc_hash": doc_hash}) for c in chunks]


def _chunk(
    doc: SourceDocument,
    index: int,
    text: str,
    section: str | None,
    start: int,
    end: int,
    kind: str = "text",
) -> Chunk:
    return Chunk(
        chunk_id=f"{doc.doc_id}#{index:04d}",
        doc_id=doc.doc_id,
        text=text,
        title=doc.title,
        section=section,
        source=str(doc.path),
        url=doc.url,
        start=start,
        end=end,
        content_hash=content_hash(text),
        doc_hash="",
        kind=kind,
    )


def metadata_text(doc: SourceDocument) -> str | None:
    """A sentence stating the document's searchable front matter (Global Goals, keywords)."""
    parts = []
    goals = doc.meta.get("global_goals")
    if goals:
        numbers = [str(g) for g in (goals if isinstance(goals, list) else [goals])]
        listed = " en ".join(
            [", ".join(numbers[:-1]), numbers[-1]] if len(numbers) > 1 else numbers
        )
        names = " en ".join(f"Global Goal {n}" for n in numbers)
        parts.append(
            f"{doc.title} hoort bij de Global Goals (duurzame ontwikkelingsdoelen, SDG's) "
            f"{listed}: {names}."
        )
    keywords = doc.meta.get("keywords") or doc.meta.get("tags")
    if keywords:
        words = keywords if isinstance(keywords, list) else [keywords]
        parts.append(f"Trefwoorden bij {doc.title}: {', '.join(str(w) for w in words)}.")
    return " ".join(parts) or None
