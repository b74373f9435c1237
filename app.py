"""Leerstad web UI: Gradio chat, sources and admin, plus /healthz and /api/ask (FastAPI)."""

from __future__ import annotations

import functools
import hmac
import html
import logging
import re
import shutil
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
from pydantic import BaseModel, Field, StrictStr

from assistant.errors import LeerstadError
from assistant.feedback import FeedbackStore
from assistant.present import (
    EXAMPLES,
    TEXTS,
    answer_markdown,
    documents_html,
    escape_markdown,
    notices_html,
    service_notices,
    sources_html,
    welcome_markdown,
)
from assistant.records import Answer, Turn
from assistant.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.assistant import Assistant

log = logging.getLogger("leerstad.app")

UPLOAD_TYPES = (".pdf", ".docx", ".md", ".txt", ".html")
MAX_QUESTION_CHARS = 2000
TRACK_TQDM = gr.Progress(track_tqdm=True)  # ingest's tqdm bars become the admin's progress bar
HEAD = """
<script>
// [n] in an answer moves focus to source n in the panel (keyboard and screen readers follow).
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.cite");
  if (!link) return;
  const target = document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  event.preventDefault();
  target.scrollIntoView({behavior: "smooth", block: "start"});
  target.focus({preventScroll: true});
}, true);
</script>
"""
CSS = """
.sources { padding-left: 0; list-style: none; }
.source { border-left: 4px solid #1d4ed8; padding: 0.25rem 0.75rem; margin-bottom: 1rem; }
.source:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.source h3 { font-size: 1rem; margin: 0 0 0.25rem; }
.source mark { background: #fde68a; color: #111827; padding: 0 0.1em; }
.source-section { font-style: italic; margin: 0 0 0.25rem; }
.source blockquote { margin: 0.25rem 0; }
.status-warning { border: 2px solid #b45309; background: #fffbeb; color: #78350f; padding: 0.5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
table.documents { border-collapse: collapse; width: 100%; }
table.documents th, table.documents td { border-bottom: 1px solid #d1d5db; padding: 0.4rem;
  text-align: left; overflow-wrap: anywhere; }
table.documents caption { text-align: left; font-weight: 600; padding-bottom: 0.5rem; }
"""


@dataclass(frozen=True)
class Exchange:
    """One question in the chat and what came back: an answer, or an error message."""

    question: str
    answer: Answer | None = None
    error: str | None = None
    feedback_id: int | None = None


@dataclass(frozen=True)
class Conversation:
    """The per-browser-session memory (kept in gr.State, never shared between sessions)."""

    exchanges: tuple[Exchange, ...] = ()
    selected: int | None = None  # the exchange whose sources and feedback are shown

    def history(self) -> list[Turn]:
        return [
            Turn(e.question, e.answer.text, tuple(s.chunk_id for s in e.answer.sources))
            for e in self.exchanges
            if e.answer is not None
        ]

    def messages(self, pending: Exchange | None = None, partial: str = "") -> list[dict[str, str]]:
        shown = [*self.exchanges, pending] if pending else list(self.exchanges)
        out: list[dict[str, str]] = []
        for e in shown:
            out.append({"role": "user", "content": escape_markdown(e.question)})
            text = answer_markdown(e.answer) if e.answer else e.error or partial
            out.append({"role": "assistant", "content": text})
        return out

    def add(self, exchange: Exchange) -> Conversation:
        return Conversation((*self.exchanges, exchange), selected=len(self.exchanges))

    def with_feedback(self, index: int, feedback_id: int) -> Conversation:
        changed = replace(self.exchanges[index], feedback_id=feedback_id)
        exchanges = (*self.exchanges[:index], changed, *self.exchanges[index + 1 :])
        return replace(self, exchanges=exchanges)


class Service:
    """The one Assistant of this process, built on first use and rebuilt after index changes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.feedback = FeedbackStore.from_settings(settings)
        self._assistant: Assistant | None = None
        self._lock = threading.Lock()

    def assistant(self) -> Assistant:
        with self._lock:
            if self._assistant is None:
                from assistant.assistant import Assistant

                self._assistant = Assistant(self.settings)
            return self._assistant

    def documents(self) -> list[Any]:
        try:
            return list(self.assistant().documents())
        except LeerstadError as e:
            log.warning("documents unavailable: %s", e)
        except Exception:  # the page must still load; the log keeps the details
            log.exception("listing documents failed")
        return []


def texts(lang: str | None) -> dict[str, str]:
    return TEXTS.get(lang or "nl", TEXTS["nl"])


# --- chat -------------------------------------------------------------------------------------


def ask(
    service: Service, question: str, conv: Conversation, lang: str
) -> Iterator[tuple[Any, ...]]:
    """Stream one answer into the chat: (chat, conversation, sources, heading, question, note)."""
    labels = texts(lang)
    question = (question or "").strip()[:MAX_QUESTION_CHARS]
    if not question:
        yield gr.skip(), conv, gr.skip(), gr.skip(), gr.skip(), note(labels["empty_question"])
        return
    pending = Exchange(question)
    yield conv.messages(pending), conv, gr.skip(), gr.skip(), "", ""
    final: Answer | None = None
    try:
        for final in service.assistant().stream(question, conv.history()):
            yield conv.messages(pending, answer_markdown(final)), conv, *(gr.skip(),) * 4
    except LeerstadError as e:
        pending = replace(pending, error=labels["error"].format(message=str(e)))
    except Exception:  # the UI must never show a stack trace; the log keeps it
        log.exception("answering %r failed", question)
        pending = replace(pending, error=labels["unexpected"])
    if final is not None and pending.error is None:
        pending = replace(pending, answer=final)
    conv = conv.add(pending)
    yield (conv.messages(), conv, *sources_for(conv, conv.selected, labels), gr.skip(), "")


def sources_for(conv: Conversation, index: int | None, labels: dict[str, str]) -> tuple[str, str]:
    """(panel HTML, heading) for exchange ``index``."""
    answer = conv.exchanges[index].answer if index is not None else None
    heading = labels["sources_for"].format(n=index + 1) if index is not None else labels["sources"]
    return sources_html(answer, labels), f"### {heading}"


def select_message(conv: Conversation, lang: str, evt: gr.SelectData) -> tuple[Any, ...]:
    """Clicking an earlier message shows its answer's sources and makes feedback apply to it."""
    index = evt.index if isinstance(evt.index, int) else evt.index[0]
    exchange = index // 2
    if not 0 <= exchange < len(conv.exchanges):
        return conv, *sources_for(conv, conv.selected, texts(lang)), ""
    conv = replace(conv, selected=exchange)
    return conv, *sources_for(conv, exchange, texts(lang)), ""


def rate(service: Service, rating: str, conv: Conversation, lang: str) -> tuple[Conversation, str]:
    labels = texts(lang)
    index = conv.selected
    if index is None or conv.exchanges[index].answer is None:
        return conv, note(labels["no_answer_yet"])
    exchange = conv.exchanges[index]
    try:
        if exchange.feedback_id is not None:
            service.feedback.update(exchange.feedback_id, rating=rating)
            return conv, note(labels["feedback_thanks"])
        answer = exchange.answer
        assert answer is not None
        ids = [s.chunk_id for s in answer.sources]
        feedback_id = service.feedback.add(exchange.question, answer.text, ids, rating)
    except LeerstadError as e:
        return conv, note(str(e))
    return conv.with_feedback(index, feedback_id), note(labels["feedback_thanks"])


def comment(service: Service, text: str, conv: Conversation, lang: str) -> tuple[str, str]:
    labels = texts(lang)
    index = conv.selected
    feedback_id = conv.exchanges[index].feedback_id if index is not None else None
    if feedback_id is None:
        return text, note(labels["feedback_first"])
    try:
        service.feedback.update(feedback_id, comment=text[:MAX_QUESTION_CHARS])
    except LeerstadError as e:
        return text, note(str(e))
    return "", note(labels["comment_thanks"])


# --- admin ------------------------------------------------------------------------------------


ADMIN_ONLY = "Alleen voor beheerders: log eerst in op het tabblad Beheer."


def check_password(settings: Settings, password: str) -> bool:
    expected = settings.admin_password
    if not expected:
        return False
    return hmac.compare_digest((password or "").encode(), expected.encode())


def require_admin(is_admin: object) -> None:
    """Every admin handler starts here: the session flag is only set by a correct password."""
    if is_admin is not True:
        raise gr.Error(ADMIN_ONLY, print_exception=False)


def safe_filename(name: str) -> str:
    """A plain file name for an upload: no directories, only letters, digits, '-', '_' and '.'."""
    stem, suffix = Path(Path(name).name).stem, Path(name).suffix.lower()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:80] or "document"
    return stem + suffix


def save_uploads(settings: Settings, files: list[str]) -> tuple[list[Path], list[str]]:
    """Copy accepted uploads to corpus_dir/uploads; returns (saved paths, Dutch refusals)."""
    target = settings.corpus_dir / "uploads"
    saved, refused = [], []
    limit = settings.max_upload_mb * 1024 * 1024
    for file in files:
        path = Path(file)
        name = safe_filename(path.name)
        if path.suffix.lower() not in UPLOAD_TYPES:
            refused.append(f"{path.name}: alleen {', '.join(UPLOAD_TYPES)} worden geaccepteerd.")
        elif path.stat().st_size > limit:
            refused.append(f"{path.name}: groter dan {settings.max_upload_mb} MB.")
        else:
            target.mkdir(parents=True, exist_ok=True)
            saved.append(Path(shutil.copyfile(path, target / name)))
    return saved, refused


def newest_report(runs_dir: Path = Path("runs")) -> Path | None:
    reports = sorted(runs_dir.glob("*/report.html"), key=lambda p: p.stat().st_mtime)
    return reports[-1] if reports else None


class Admin:
    """The admin handlers; each checks the session's login flag before doing anything."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.settings = service.settings

    def login(self, password: str, is_admin: bool) -> tuple[Any, ...]:
        ok = check_password(self.settings, password)
        if not ok:
            log.warning("failed admin login")
            message = note("Onjuist wachtwoord. Probeer het opnieuw.")
            return False, gr.skip(), gr.skip(), message, "", gr.skip(), gr.skip()
        documents = self.document_choices()
        return True, gr.update(visible=False), gr.update(visible=True), "", "", *documents

    def logout(self, is_admin: bool) -> tuple[Any, ...]:
        return (
            False,
            gr.update(visible=True),
            gr.update(visible=False),
            note("U bent uitgelogd."),
            "",
        )

    def document_choices(self) -> tuple[Any, str]:
        docs = self.service.documents()
        choices = [
            (f"{d['title']} ({d['doc_id']}, {d['chunks']} stukken)", d["doc_id"]) for d in docs
        ]
        table = documents_html(docs, TEXTS["nl"])
        return gr.update(choices=choices, value=[]), table

    def upload(
        self, files: list[str] | None, is_admin: bool, progress: Any = TRACK_TQDM
    ) -> tuple[Any, ...]:
        require_admin(is_admin)
        if not files:
            return "Kies eerst een of meer bestanden.", gr.skip(), gr.skip(), gr.skip()
        saved, refused = save_uploads(self.settings, files)
        lines = [f"- {escape_markdown(r)}" for r in refused]
        if saved:
            lines.insert(0, self._ingest(lambda: ingest_paths_(saved, self.settings)))
        return "\n".join(lines), None, *self.document_choices()

    def delete(self, doc_ids: list[str] | None, is_admin: bool) -> tuple[Any, ...]:
        require_admin(is_admin)
        if not doc_ids:
            return "Kies eerst de documenten die u wilt verwijderen.", gr.skip(), gr.skip()
        from ingest import delete_documents

        try:
            removed = delete_documents(doc_ids, self.settings)
        except LeerstadError as e:
            return f"Verwijderen mislukt: {escape_markdown(str(e))}", gr.skip(), gr.skip()
        names = ", ".join(escape_markdown(d) for d in removed) or "geen"
        return f"Verwijderd: {names}.", *self.document_choices()

    def rebuild(self, is_admin: bool, progress: Any = TRACK_TQDM) -> tuple:
        require_admin(is_admin)
        paths = [self.settings.corpus_dir]
        summary = self._ingest(lambda: ingest_paths_(paths, self.settings, rebuild=True))
        return summary, *self.document_choices()

    def report(self, is_admin: bool) -> tuple[str, str | None]:
        require_admin(is_admin)
        path = newest_report()
        if path is None:
            return "Er is nog geen evaluatierapport (runs/*/report.html). Draai: make eval", None
        page = path.read_text(encoding="utf-8", errors="replace")
        frame = (
            f'<p>Rapport: {html.escape(str(path))}</p><iframe title="Evaluatierapport" '
            f'sandbox="" style="width:100%;height:70vh;border:1px solid #d1d5db" '
            f'srcdoc="{html.escape(page)}"></iframe>'
        )
        return frame, str(path)

    def _ingest(self, run: Any) -> str:
        try:
            summary = run()
        except LeerstadError as e:
            return f"Inlezen mislukt: {escape_markdown(str(e))}"
        skipped = "".join(f"\n- {escape_markdown(reason)}" for _, reason in summary.skipped)
        return f"Klaar: {escape_markdown(summary.line())}{skipped}"


def ingest_paths_(paths: list[Path], settings: Settings, rebuild: bool = False) -> Any:
    from ingest import ingest_paths

    return ingest_paths(paths, settings, rebuild=rebuild, progress=True)


# --- layout -----------------------------------------------------------------------------------


def note(text: str) -> str:
    """A short message for the user, announced by screen readers."""
    return f'<p role="status" class="note">{html.escape(text)}</p>' if text else ""


def backend_line(settings: Settings, lang: str) -> str:
    labels = texts(lang)
    if settings.llm == "extractive":
        return labels["backend_extractive"]
    return labels["backend"].format(llm=escape_markdown(settings.llm))


def theme() -> gr.themes.Base:
    """The default theme with colours that meet WCAG AA contrast (4.5:1) for text."""
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate").set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="white",
        button_secondary_text_color="*neutral_800",
        input_placeholder_color="*neutral_500",
        body_text_color_subdued="*neutral_600",
        block_info_text_color="*neutral_600",
        link_text_color="*primary_700",
        link_text_color_visited="*primary_800",
        button_cancel_background_fill="#b91c1c",
        button_cancel_background_fill_hover="#991b1b",
        button_cancel_text_color="white",
    )


@dataclass
class ChatParts:
    """The chat tab's components, for wiring and for the language switch."""

    welcome: gr.Markdown
    chatbot: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button
    new: gr.Button
    examples_heading: gr.Markdown
    feedback_heading: gr.Markdown
    up: gr.Button
    down: gr.Button
    comment: gr.Textbox
    send: gr.Button
    sources_heading: gr.Markdown
    sources: gr.HTML


def chat_tab(service: Service, conv: gr.State, lang: gr.Radio) -> ChatParts:
    nl = TEXTS["nl"]
    welcome = gr.Markdown(elem_id="welcome")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            chatbot = gr.Chatbot(
                label=nl["chat"],
                elem_id="chat",
                height=460,
                feedback_options=None,
                group_consecutive_messages=False,
                buttons=["copy"],
            )
            question = gr.Textbox(
                label=nl["question"],
                placeholder=nl["question_placeholder"],
                lines=1,
                max_lines=6,
                max_length=MAX_QUESTION_CHARS,
                elem_id="question",
            )
            with gr.Row():
                ask_btn = gr.Button(nl["ask"], variant="primary", elem_id="ask", min_width=120)
                new = gr.Button(nl["new_chat"], elem_id="new-chat", min_width=120)
            note_box = gr.HTML(elem_id="note")
            examples_heading = gr.Markdown(f"### {nl['examples']}")
            with gr.Row():
                example_buttons = [
                    gr.Button(q, size="sm", elem_classes=["example"], min_width=160)
                    for q in EXAMPLES["officials"] + EXAMPLES["citizens"]
                ]
            feedback_heading = gr.Markdown(f"### {nl['feedback']}")
            with gr.Row():
                up = gr.Button(nl["thumbs_up"], elem_id="thumbs-up", min_width=120)
                down = gr.Button(nl["thumbs_down"], elem_id="thumbs-down", min_width=120)
            comment_box = gr.Textbox(
                label=nl["comment"],
                placeholder=nl["comment_placeholder"],
                lines=2,
                max_length=MAX_QUESTION_CHARS,
                elem_id="comment",
            )
            send = gr.Button(nl["send_comment"], elem_id="send-comment")
        with gr.Column(scale=2, min_width=300, elem_id="sources-column"):
            sources_heading = gr.Markdown(f"### {nl['sources']}", elem_id="sources-heading")
            sources = gr.HTML(sources_html(None, nl), elem_id="sources")

    private: dict[str, Any] = {"api_visibility": "private"}
    streaming = [chatbot, conv, sources, sources_heading, question, note_box]
    answer_fn = functools.partial(ask, service)
    ask_btn.click(answer_fn, [question, conv, lang], streaming, concurrency_limit=4, **private)
    question.submit(answer_fn, [question, conv, lang], streaming, concurrency_limit=4, **private)
    for button in example_buttons:
        button.click(answer_fn, [button, conv, lang], streaming, concurrency_limit=4, **private)
    reset = [chatbot, conv, sources, sources_heading, note_box]
    new.click(new_conversation, [lang], reset, **private)
    chatbot.clear(new_conversation, [lang], reset, **private)
    chatbot.select(
        select_message, [conv, lang], [conv, sources, sources_heading, note_box], **private
    )
    for button, rating in ((up, "up"), (down, "down")):
        rate_fn = functools.partial(rate, service, rating)
        button.click(rate_fn, [conv, lang], [conv, note_box], **private)
    comment_fn = functools.partial(comment, service)
    send.click(comment_fn, [comment_box, conv, lang], [comment_box, note_box], **private)
    return ChatParts(
        welcome,
        chatbot,
        question,
        ask_btn,
        new,
        examples_heading,
        feedback_heading,
        up,
        down,
        comment_box,
        send,
        sources_heading,
        sources,
    )


def new_conversation(lang: str) -> tuple[Any, ...]:
    labels = texts(lang)
    return [], Conversation(), sources_html(None, labels), f"### {labels['sources']}", ""


def admin_tab(admin: Admin) -> None:
    """Login form; the panel stays hidden until the password is right (checked server-side)."""
    private: dict[str, Any] = {"api_visibility": "private"}
    is_admin = gr.State(False)
    with gr.Column() as login_box:
        password = gr.Textbox(
            label="Beheerderswachtwoord", type="password", elem_id="admin-password"
        )
        login = gr.Button("Inloggen", variant="primary", elem_id="admin-login")
    login_note = gr.HTML(elem_id="admin-note")
    with gr.Column(visible=False, elem_id="admin-panel") as panel:
        logout = gr.Button("Uitloggen", size="sm", elem_id="admin-logout")
        gr.Markdown("### Documenten toevoegen")
        files = gr.File(
            label=f"Documenten ({', '.join(UPLOAD_TYPES)}; max. {admin.settings.max_upload_mb} MB)",
            file_count="multiple",
            file_types=list(UPLOAD_TYPES),
            elem_id="admin-upload",
        )
        upload = gr.Button("Toevoegen aan de index", variant="primary", elem_id="admin-add")
        result = gr.Markdown(elem_id="admin-result")
        gr.Markdown("### Documenten in de index")
        table = gr.HTML(elem_id="admin-documents")
        choices = gr.CheckboxGroup(label="Kies documenten om te verwijderen", elem_id="admin-docs")
        with gr.Row():
            delete = gr.Button("Verwijder gekozen documenten", variant="stop", elem_id="admin-del")
            rebuild = gr.Button("Index opnieuw opbouwen", elem_id="admin-rebuild")
        gr.Markdown("### Evaluatie")
        report = gr.Button("Open het nieuwste evaluatierapport", elem_id="admin-report")
        report_view = gr.HTML(elem_id="admin-report-view")
        report_file = gr.File(label="Rapport downloaden", interactive=False)

    login_outputs = [is_admin, login_box, panel, login_note, password, choices, table]
    login.click(admin.login, [password, is_admin], login_outputs, **private)
    password.submit(admin.login, [password, is_admin], login_outputs, **private)
    logout.click(admin.logout, [is_admin], login_outputs[:5], **private)
    upload.click(admin.upload, [files, is_admin], [result, files, choices, table], **private)
    delete.click(admin.delete, [choices, is_admin], [result, choices, table], **private)
    rebuild.click(admin.rebuild, [is_admin], [result, choices, table], **private)
    report.click(admin.report, [is_admin], [report_view, report_file], **private)


def build_ui(service: Service) -> gr.Blocks:
    settings, nl = service.settings, TEXTS["nl"]
    private: dict[str, Any] = {"api_visibility": "private"}
    with gr.Blocks(title="Leerstad", delete_cache=(3600, 3600)) as demo:
        conv = gr.State(Conversation())
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=240):
                gr.Markdown("# Leerstad", elem_id="app-title")
                backend = gr.Markdown(backend_line(settings, "nl"), elem_id="backend")
            lang = gr.Radio(
                [("Nederlands", "nl"), ("English", "en")],
                value="nl",
                label=nl["language"],
                elem_id="language",
                scale=0,
                min_width=240,
            )
        status = gr.HTML(elem_id="service-status")
        with gr.Tabs():
            with gr.Tab(nl["tab_chat"], id="chat") as ask_tab:
                chat = chat_tab(service, conv, lang)
            with gr.Tab(nl["tab_documents"], id="documents") as docs_tab:
                documents = gr.HTML(elem_id="documents")
            if settings.admin_password:
                with gr.Tab(nl["tab_admin"], id="admin"):
                    admin_tab(Admin(service))

        def refresh(lang: str) -> tuple[str, str, str]:
            docs, labels = service.documents(), texts(lang)
            notices = service_notices(settings)
            return (
                welcome_markdown(docs, labels),
                documents_html(docs, labels),
                notices_html(notices),
            )

        demo.load(refresh, [lang], [chat.welcome, documents, status], **private)
        docs_tab.select(refresh, [lang], [chat.welcome, documents, status], **private)
        demo.load(None, js="() => { document.documentElement.lang = 'nl'; }")
        lang.change(None, [lang], js="(l) => { document.documentElement.lang = l; }")
        relabel = [backend, ask_tab, docs_tab, *_translatable(chat)]
        lang.change(
            lambda lang, conv: _relabel(settings, lang, conv), [lang, conv], relabel, **private
        ).then(refresh, [lang], [chat.welcome, documents, status], **private)
    return demo


def _translatable(chat: ChatParts) -> list[Any]:
    return [
        chat.chatbot,
        chat.question,
        chat.ask,
        chat.new,
        chat.examples_heading,
        chat.feedback_heading,
        chat.up,
        chat.down,
        chat.comment,
        chat.send,
        chat.sources_heading,
        chat.sources,
    ]


def _relabel(settings: Settings, lang: str, conv: Conversation) -> list[Any]:
    t = texts(lang)
    panel, heading = sources_for(conv, conv.selected, t)
    return [
        backend_line(settings, lang),
        gr.update(label=t["tab_chat"]),
        gr.update(label=t["tab_documents"]),
        gr.update(label=t["chat"]),
        gr.update(label=t["question"], placeholder=t["question_placeholder"]),
        t["ask"],
        t["new_chat"],
        f"### {t['examples']}",
        f"### {t['feedback']}",
        t["thumbs_up"],
        t["thumbs_down"],
        gr.update(label=t["comment"], placeholder=t["comment_placeholder"]),
        t["send_comment"],
        heading,
        panel,
    ]


# --- HTTP API ---------------------------------------------------------------------------------


class TurnIn(BaseModel):
    """A previous exchange sent by an embedding website."""

    question: StrictStr
    answer: StrictStr = ""
    source_ids: list[StrictStr] = Field(default_factory=list)


class AskIn(BaseModel):
    """The body of POST /api/ask."""

    question: StrictStr
    history: list[TurnIn | StrictStr] = Field(default_factory=list, max_length=50)


ASK_EXAMPLE = '{"question": "Wat is een integraal kindcentrum?", "history": []}'


def invalid_request(errors: Sequence[Any]) -> dict[str, object]:
    """A Dutch message for a body that does not fit AskIn (pydantic's errors name the fields)."""
    if any(e.get("type") == "json_invalid" for e in errors):
        fields, problem = ["body"], "Het verzoek is geen geldige JSON."
    else:
        fields = sorted({str(e["loc"][1]) if len(e["loc"]) > 1 else "body" for e in errors})
        names = ", ".join(f"'{f}'" for f in fields)
        problem = f"Ongeldig verzoek: {names} ontbreekt of heeft een verkeerd type."
    message = f"{problem} Stuur JSON zoals {ASK_EXAMPLE} (question is tekst, history een lijst)."
    return {"error": message, "fields": fields}


def build_api(service: Service) -> FastAPI:
    """/healthz and /api/ask; errors are Dutch JSON messages, never stack traces."""
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

    api = FastAPI(title="Leerstad", docs_url="/api/docs", openapi_url="/api/openapi.json")

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(invalid_request(exc.errors()), status_code=422)

    @api.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "llm": service.settings.llm}

    @api.post("/api/ask")
    def ask_api(body: AskIn) -> JSONResponse:
        question = body.question.strip()
        if not question or len(question) > MAX_QUESTION_CHARS:
            message = (
                "De vraag is leeg. Zet een vraag in het veld 'question'."
                if not question
                else f"De vraag is te lang (meer dan {MAX_QUESTION_CHARS} tekens). Maak hem korter."
            )
            return JSONResponse({"error": message}, status_code=400)
        history: list[Turn | str] = [
            Turn(t.question, t.answer, tuple(t.source_ids)) if isinstance(t, TurnIn) else t
            for t in body.history
        ]
        try:
            answer = service.assistant().answer(question, history)
        except LeerstadError as e:
            return JSONResponse({"error": str(e)}, status_code=503)
        except Exception:  # never a stack trace to the caller; the log keeps it
            log.exception("POST /api/ask failed")
            message = "Er ging iets onverwachts mis. Probeer het later opnieuw."
            return JSONResponse({"error": message}, status_code=500)
        return JSONResponse(answer.to_json())

    return api


# --- main -------------------------------------------------------------------------------------


def create_app(settings: Settings) -> FastAPI:
    """The FastAPI app with the API routes and the Gradio UI mounted at /."""
    service = Service(settings)
    demo = build_ui(service)
    demo.queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(
        build_api(service),
        demo,
        path="/",
        footer_links=["gradio"],
        run_history=False,
        max_file_size=f"{settings.max_upload_mb}mb",
        theme=theme(),
        css=CSS,
        head=HEAD,
        show_error=False,
        mcp_server=False,
        ssr_mode=False,
    )


def ensure_index(settings: Settings) -> None:
    """Build the index from the corpus when there is none yet (first start)."""
    from assistant.store import open_client, read_state

    if settings.chroma != "persistent" or read_state(open_client(settings), settings.collection):
        return
    print(f"Nog geen index: documenten in {settings.corpus_dir} worden ingelezen ...", flush=True)
    print(ingest_paths_([settings.corpus_dir], settings).line(), flush=True)


def main() -> None:
    try:
        settings = Settings.from_env()
        logging.basicConfig(
            level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
        )
        ensure_index(settings)
        app = create_app(settings)
    except LeerstadError as e:
        raise SystemExit(f"Leerstad kan niet starten: {e}") from None
    import uvicorn

    print(f"Leerstad draait op http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")


if __name__ == "__main__":
    main()
