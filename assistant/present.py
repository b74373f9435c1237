"""Answers, sources and documents rendered as escaped Markdown/HTML for the web UI."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.errors import LeerstadError
from assistant.records import Answer, Source
from assistant.settings import Settings

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


def service_notices(settings: Settings) -> list[str]:
    """Dutch warnings for configured services that cannot be reached right now."""
    notices = []
    try:
        from assistant.answering.llm import llm_status
    except ImportError:
        if settings.llm.partition(":")[0] != "extractive":
            notices.append(
                f"De status van het taalmodel {settings.llm} kan niet worden gecontroleerd."
            )
    else:
        status = llm_status(settings)
        if status:
            notices.append(status)
    if settings.chroma != "persistent":
        from assistant.store import open_client

        try:
            open_client(settings)
        except LeerstadError as e:
            notices.append(str(e))
    return notices


def welcome_markdown(documents: Sequence[DocumentInfo], labels: dict[str, str]) -> str:
    """The short welcome: what the assistant knows (the document titles) and what it does not."""
    titles = ", ".join(sorted(escape_markdown(str(d["title"])) for d in documents))
    knows = labels["welcome_knows"].format(titles=titles) if titles else labels["welcome_no_docs"]
    return f"{labels['welcome']}\n\n{knows}\n\n{labels['welcome_limits']}"


TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Leerstad — vraag het de bronnen",
        "welcome": (
            "**Welkom bij Leerstad.** Stel een vraag in gewone taal, als inwoner of als "
            "medewerker van een gemeente. Elk antwoord noemt zijn bronnen: klik op [1], [2] ... "
            "om de passage te lezen waar het antwoord op steunt."
        ),
        "welcome_knows": "Leerstad kent alleen deze documenten: {titles}.",
        "welcome_no_docs": "Er zijn nog geen documenten geladen.",
        "welcome_limits": (
            "Leerstad weet niets buiten deze documenten, geeft geen persoonlijk of juridisch "
            "advies en kent geen actuele gegevens. Staat het antwoord niet in de bronnen, dan "
            "zegt het dat. Controleer belangrijke informatie in de oorspronkelijke bron."
        ),
        "language": "Taal / Language",
        "tab_chat": "Vraag stellen",
        "tab_documents": "Bronnen",
        "tab_admin": "Beheer",
        "chat": "Gesprek",
        "question": "Uw vraag",
        "question_placeholder": "Bijvoorbeeld: Hoe kan onze gemeente lid worden?",
        "ask": "Verstuur vraag",
        "new_chat": "Nieuw gesprek",
        "examples": "Voorbeeldvragen",
        "examples_citizens": "Voor inwoners",
        "examples_officials": "Voor gemeenten",
        "sources": "Bronnen bij het antwoord",
        "sources_empty": "Stel een vraag; de bronnen van het antwoord verschijnen hier.",
        "sources_none": "Bij dit antwoord zijn geen bronnen gevonden.",
        "sources_for": "Bronnen bij antwoord {n}",
        "open_source": "Open de oorspronkelijke webpagina",
        "feedback": "Was dit antwoord nuttig?",
        "thumbs_up": "Ja, nuttig",
        "thumbs_down": "Nee, niet nuttig",
        "comment": "Toelichting (optioneel)",
        "comment_placeholder": "Wat klopte er niet, of wat miste u?",
        "send_comment": "Verstuur toelichting",
        "feedback_thanks": "Dank u wel! Uw beoordeling is opgeslagen.",
        "comment_thanks": "Dank u wel! Uw toelichting is opgeslagen.",
        "feedback_first": "Beoordeel eerst het antwoord met Ja of Nee.",
        "no_answer_yet": "Er is nog geen antwoord om te beoordelen.",
        "empty_question": "Typ eerst een vraag.",
        "error": "Er ging iets mis bij het beantwoorden: {message}",
        "unexpected": "Er ging iets onverwachts mis. Probeer het later opnieuw.",
        "backend": "Antwoordmodel: **{llm}**",
        "backend_extractive": (
            "Antwoordmodel: **extractive** (zinnen uit de bronnen, zonder taalmodel)"
        ),
        "documents_caption": "Leerstad kent {n} document(en)",
        "documents_empty": "Er zijn nog geen documenten in de index.",
        "doc_title": "Titel",
        "doc_link": "Webpagina",
        "doc_date": "Toegevoegd op",
        "doc_chunks": "Stukken",
    },
    "en": {
        "title": "Leerstad — ask the sources",
        "welcome": (
            "**Welcome to Leerstad.** Ask a question in plain language, as a resident or as a "
            "municipal civil servant. Every answer names its sources: click [1], [2] ... to read "
            "the passage the answer relies on."
        ),
        "welcome_knows": "Leerstad only knows these documents: {titles}.",
        "welcome_no_docs": "No documents have been loaded yet.",
        "welcome_limits": (
            "Leerstad knows nothing outside these documents, gives no personal or legal advice "
            "and has no current data. If the answer is not in the sources, it says so. Check "
            "important information in the original source. The documents are in Dutch."
        ),
        "language": "Taal / Language",
        "tab_chat": "Ask a question",
        "tab_documents": "Sources",
        "tab_admin": "Admin",
        "chat": "Conversation",
        "question": "Your question",
        "question_placeholder": "For example: How can our municipality become a member?",
        "ask": "Send question",
        "new_chat": "New conversation",
        "examples": "Example questions",
        "examples_citizens": "For residents",
        "examples_officials": "For municipalities",
        "sources": "Sources of the answer",
        "sources_empty": "Ask a question; the sources of the answer appear here.",
        "sources_none": "No sources were found for this answer.",
        "sources_for": "Sources of answer {n}",
        "open_source": "Open the original web page",
        "feedback": "Was this answer helpful?",
        "thumbs_up": "Yes, helpful",
        "thumbs_down": "No, not helpful",
        "comment": "Comment (optional)",
        "comment_placeholder": "What was wrong, or what was missing?",
        "send_comment": "Send comment",
        "feedback_thanks": "Thank you! Your rating has been saved.",
        "comment_thanks": "Thank you! Your comment has been saved.",
        "feedback_first": "Please rate the answer with Yes or No first.",
        "no_answer_yet": "There is no answer to rate yet.",
        "empty_question": "Please type a question first.",
        "error": "Something went wrong while answering: {message}",
        "unexpected": "Something unexpected went wrong. Please try again later.",
        "backend": "Answer backend: **{llm}**",
        "backend_extractive": "Answer backend: **extractive** (sentences from the sources, no LLM)",
        "documents_caption": "Leerstad knows {n} document(s)",
        "documents_empty": "There are no documents in the index yet.",
        "doc_title": "Title",
        "doc_link": "Web page",
        "doc_date": "Added on",
        "doc_chunks": "Chunks",
    },
}

EXAMPLES: dict[str, list[str]] = {
    "citizens": ["Wat is een integraal kindcentrum?", "Wat is een UNESCO Learning City?"],
    "officials": ["Hoe kan onze gemeente lid worden?", "Wie moet de aanvraag steunen?"],
}
