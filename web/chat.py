"""Chat handlers: stream an answer into the page, show its sources, take feedback."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import gradio as gr

from assistant.errors import LeerstadError
from assistant.limits import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS
from assistant.records import Answer
from web.render import answer_markdown, note, sources_html
from web.service import Service
from web.state import Conversation, Exchange
from web.texts import texts, too_long

log = logging.getLogger("leerstad.web")

# A backend that answers in one piece (the extractive one) is shown sentence by sentence, so
# the answer visibly forms; the pause lets the browser paint each sentence.
REVEAL_PAUSE_S = 0.15
# A sentence ends at . ! ? (or after its citations [n]) before the next word, or at a line break.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?\]])[ \t]+(?=[^\s\[])|\n+")
RATINGS = {"up": "thumbs_up", "down": "thumbs_down"}


def sentence_prefixes(text: str) -> list[str]:
    """The growing prefixes of ``text``, one more sentence each; the last is ``text`` itself."""
    ends = [m.start() for m in _SENTENCE_BREAK.finditer(text)]
    return [text[:end] for end in ends if text[:end].strip()] + [text]


def busy(labels: dict[str, str]) -> str:
    return f"_{labels['busy']}_"


def answers(service: Service, question: str, conv: Conversation) -> Iterator[tuple[Answer, bool]]:
    """(answer, final) pairs: the backend's growing partials, then the final answer revealed
    sentence by sentence from where the partials stopped."""
    shown = ""
    held: Answer | None = None
    history = conv.history()[-MAX_HISTORY_TURNS:]  # a long chat costs no more than the API allows
    for item in service.assistant().stream(question, history):
        growing = held is not None and item.text != held.text and item.text.startswith(held.text)
        if growing and held is not None:
            shown = held.text
            yield held, False
        held = item
    if held is None:
        return
    for prefix in sentence_prefixes(held.text)[:-1]:
        if len(prefix) > len(shown):
            yield replace(held, text=prefix, notices=()), False
            time.sleep(REVEAL_PAUSE_S)
    yield held, True


def ask(
    service: Service, question: str, conv: Conversation, lang: str
) -> Iterator[tuple[Any, ...]]:
    """Stream one answer: (chat, conversation, sources, heading, question, note, feedback)."""
    labels, skip = texts(lang), gr.skip()
    question = (question or "").strip()
    if not question:
        yield skip, conv, skip, skip, skip, note(labels["empty_question"]), *(skip,) * 4
        return
    if len(question) > MAX_QUESTION_CHARS:  # refused, not cut: the text stays in the box
        yield skip, conv, skip, skip, skip, note(too_long(question, lang)), *(skip,) * 4
        return
    pending = Exchange(question)
    shown = gr.update(value=conv.messages(pending, busy(labels)), visible=True)
    yield shown, conv, skip, skip, "", "", *(skip,) * 4
    final: Answer | None = None
    try:
        for partial, done in answers(service, question, conv):
            if done:
                final = partial
            else:
                yield conv.messages(pending, answer_markdown(partial)), conv, *(skip,) * 8
    except LeerstadError as e:
        pending = replace(pending, error=labels["error"].format(message=str(e)))
    except Exception:  # the page must never show a stack trace; the log keeps it
        log.exception("answering a question failed")
        problem = service.store_problem()
        message = labels["error"].format(message=problem) if problem else labels["unexpected"]
        pending = replace(pending, error=message)
    if final is not None and pending.error is None:
        pending = replace(pending, answer=final)
    conv = conv.add(pending)
    yield (
        conv.messages(),
        conv,
        *sources_for(conv, conv.selected, labels),
        skip,
        "",
        *feedback(conv, labels),
    )


def sources_for(conv: Conversation, index: int | None, labels: dict[str, str]) -> tuple[str, str]:
    """(panel HTML, heading) for exchange ``index``."""
    answer = conv.exchanges[index].answer if index is not None else None
    heading = labels["sources_for"].format(n=index + 1) if index is not None else labels["sources"]
    return sources_html(answer, labels), f"## {heading}"


def feedback(conv: Conversation, labels: dict[str, str]) -> tuple[Any, Any, Any, str]:
    """(feedback group, thumbs up, thumbs down, thank-you note) for the selected answer."""
    exchange = conv.current()
    rated = exchange.rating if exchange else None
    thumbs = []
    for rating, key in RATINGS.items():
        chosen = rating == rated
        value = labels["chosen"].format(label=labels[key]) if chosen else labels[key]
        thumbs.append(gr.update(value=value, variant="primary" if chosen else "secondary"))
    thanks = labels["feedback_thanks"].format(label=labels[RATINGS[rated]]) if rated else ""
    visible = exchange is not None and exchange.answer is not None
    return gr.update(visible=visible), thumbs[0], thumbs[1], note(thanks)


def select_message(conv: Conversation, lang: str, evt: gr.SelectData) -> tuple[Any, ...]:
    """Clicking an earlier message shows its answer's sources and makes feedback apply to it."""
    labels = texts(lang)
    index = evt.index if isinstance(evt.index, int) else evt.index[0]
    exchange = index // 2
    if 0 <= exchange < len(conv.exchanges):
        conv = replace(conv, selected=exchange)
    return conv, *sources_for(conv, conv.selected, labels), *feedback(conv, labels)


def rate(service: Service, rating: str, conv: Conversation, lang: str) -> tuple[Any, ...]:
    """Store (or change) the rating of the selected answer; the thumbs show the choice."""
    labels = texts(lang)
    exchange, index = conv.current(), conv.selected
    if exchange is None or exchange.answer is None or index is None:
        return conv, gr.skip(), gr.skip(), note(labels["no_answer_yet"])
    try:
        if exchange.feedback_id is not None:
            service.feedback.update(exchange.feedback_id, rating=rating)
            feedback_id = exchange.feedback_id
        else:
            ids = [s.chunk_id for s in exchange.answer.sources]
            answer = exchange.answer.text
            feedback_id = service.feedback.add(exchange.question, answer, ids, rating)
    except LeerstadError as e:
        return conv, gr.skip(), gr.skip(), note(str(e))
    conv = conv.rated(index, feedback_id, rating)
    _, up, down, thanks = feedback(conv, labels)
    return conv, up, down, thanks


def comment(service: Service, text: str, conv: Conversation, lang: str) -> tuple[str, str]:
    labels = texts(lang)
    exchange = conv.current()
    if exchange is None or exchange.feedback_id is None:
        return text, note(labels["feedback_first"])
    if len(text) > MAX_QUESTION_CHARS:
        return text, note(too_long(text, lang, "comment_too_long"))
    try:
        service.feedback.update(exchange.feedback_id, comment=text)
    except LeerstadError as e:
        return text, note(str(e))
    return "", note(labels["comment_thanks"])


def new_conversation(lang: str) -> tuple[Any, ...]:
    labels = texts(lang)
    conv = Conversation()
    hidden = gr.update(value=[], visible=False)
    return hidden, conv, *sources_for(conv, None, labels), "", *feedback(conv, labels)
