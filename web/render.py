"""Answers, sources and documents rendered as escaped Markdown/HTML for the web page."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.records import Answer, Source

_CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
# Markdown that could turn text into links, images, HTML or code; * and _ stay (emphasis).
_MARKDOWN_SPECIAL = re.compile(r"([\\`\[\]()!<>#|~])")

# An indexed document as ``Assistant.documents()`` lists it: doc_id, title, url, chunks,
# ingested_at (ISO 8601).
DocumentInfo = Mapping[str, Any]


def escape_markdown(text: str) -> str:
    """Text as literal Markdown: no HTML, links, images or code blocks can come through."""
    escaped = html.escape(text, quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)


def answer_markdown(answer: Answer) -> str:
    """The answer text, escaped, with each [n] turned into a link to source n in the panel."""
    known = {s.n for s in answer.sources}
    parts: list[str] = []
    pos = 0
    for match in _CITATION.finditer(answer.text):
        parts.append(escape_markdown(answer.text[pos : match.start()]))
        numbers = [int(n) for n in re.split(r"\s*,\s*", match.group(1))]
        links = [
            f'<a href="#bron-{n}" class="cite" aria-label="bron {n}">[{n}]</a>'
            if n in known
            else escape_markdown(f"[{n}]")
            for n in numbers
        ]
        parts.append("".join(links))
        pos = match.end()
    parts.append(escape_markdown(answer.text[pos:]))
    text = "".join(parts)
    for notice in answer.notices:
        text += f"\n\n> {escape_markdown(notice)}"
    return text


def highlighted_passage(source: Source) -> str:
    """The passage as HTML with the supporting sentence(s) in <mark>.

    The quote may be several sentences that are not adjacent in the passage, and may differ from
    it in whitespace; each sentence is marked where it occurs.
    """
    text, quote = source.text, (source.quote or "").strip()
    spans = _find(text, quote) if quote else []
    if quote and not spans:
        for sentence in _SENTENCE_END.split(quote):
            spans += _find(text, sentence)
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _find(text: str, fragment: str) -> list[tuple[int, int]]:
    """Where ``fragment`` occurs in ``text`` (whitespace-insensitive), as at most one span."""
    words = fragment.split()
    if not words:
        return []
    found = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return [(found.start(), found.end())] if found else []


def sources_html(answer: Answer | None, labels: dict[str, str]) -> str:
    """The sources panel for one answer: title, section, highlighted passage, link."""
    if answer is None:
        return f'<p class="sources-empty">{html.escape(labels["sources_empty"])}</p>'
    if not answer.sources:
        return f'<p class="sources-empty">{html.escape(labels["sources_none"])}</p>'
    items = []
    for s in answer.sources:
        section = f'<p class="source-section">{html.escape(s.section)}</p>' if s.section else ""
        link = ""
        if s.url and s.url.startswith(("https://", "http://")):
            link = (
                f'<p><a href="{html.escape(s.url, quote=True)}" target="_blank" '
                f'rel="noopener noreferrer">{html.escape(labels["open_source"])}'
                f'<span class="visually-hidden"> ({html.escape(s.title)})</span></a></p>'
            )
        items.append(
            f'<li id="bron-{s.n}" class="source" tabindex="-1">'
            f'<h3><span class="source-n">[{s.n}]</span> {html.escape(s.title)}</h3>'
            f"{section}<blockquote>{highlighted_passage(s)}</blockquote>{link}</li>"
        )
    return (
        f'<ol class="sources" aria-label="{html.escape(labels["sources"])}">{"".join(items)}</ol>'
    )


def documents_html(documents: Sequence[DocumentInfo], labels: dict[str, str]) -> str:
    """The 'Bronnen' page: a table of the indexed documents."""
    if not documents:
        return f"<p>{html.escape(labels['documents_empty'])}</p>"
    head = "".join(
        f'<th scope="col">{html.escape(labels[k])}</th>'
        for k in ("doc_title", "doc_link", "doc_date", "doc_chunks")
    )
    rows = []
    for d in sorted(documents, key=lambda d: str(d["title"]).lower()):
        url = str(d.get("url") or "")
        link = (
            f'<a href="{html.escape(url, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer">{html.escape(url)}</a>'
            if url.startswith(("https://", "http://"))
            else "—"
        )
        rows.append(
            f'<tr><th scope="row">{html.escape(str(d["title"]))}</th><td>{link}</td>'
            f"<td>{html.escape(str(d.get('ingested_at') or '')[:10])}</td>"
            f"<td>{int(d.get('chunks') or 0)}</td></tr>"
        )
    caption = html.escape(labels["documents_caption"].format(n=len(documents)))
    return (
        f'<table class="documents"><caption>{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def notices_html(notices: Sequence[str]) -> str:
    """Status warnings (LLM or Chroma server unreachable) as an ARIA status region."""
    if not notices:
        return ""
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notices)
    return f'<div class="status-warning" role="status"><ul>{items}</ul></div>'


def welcome_markdown(
    documents: Sequence[DocumentInfo], labels: dict[str, str], topics: str | None = None
) -> str:
    """Two lines: what Leerstad knows (``topics``, else the labels' own; number of documents,
    link to them) and its limits."""
    if not documents:
        return f"{labels['welcome_none']}\n\n{labels['welcome_limits']}"
    knows = labels["welcome"].format(topics=topics or labels["topics"], n=len(documents))
    return f"{knows}\n\n{labels['welcome_limits']}"


def note(text: str) -> str:
    """A short message for the visitor, announced by screen readers."""
    return f'<p role="status" class="note">{html.escape(text)}</p>' if text else ""
