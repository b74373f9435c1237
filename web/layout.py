"""The page's components and their wiring: header, chat, sources, documents and admin tabs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import gradio as gr

from assistant.settings import Settings
from web import chat
from web.admin import UPLOAD_TYPES, Admin
from web.render import (
    documents_html,
    escape_markdown,
    notices_html,
    sources_html,
    welcome_markdown,
)
from web.service import Service
from web.state import Conversation
from web.texts import EXAMPLES, NL, texts

C = TypeVar("C", bound=gr.blocks.Block)
Text = str | Callable[[dict[str, str]], str]
PRIVATE: dict[str, Any] = {"api_visibility": "private"}  # not callable through the Gradio API
QUIET: dict[str, Any] = {**PRIVATE, "show_progress": "hidden"}  # no overlay over the page


@dataclass
class Translated:
    """Components whose texts follow the language switch, each declared once with its texts.

    A text is a template over the labels of web.texts ("## {examples}") or a function of them.
    """

    items: list[tuple[gr.blocks.Block, dict[str, Text]]] = field(default_factory=list)

    def make(self, cls: Callable[..., C], text: dict[str, Text], **kwargs: Any) -> C:
        component = cls(**{prop: resolve(t, NL) for prop, t in text.items()}, **kwargs)
        self.items.append((component, text))
        return component

    @property
    def outputs(self) -> list[gr.blocks.Block]:
        return [component for component, _ in self.items]

    def updates(self, lang: str) -> list[Any]:
        labels = texts(lang)
        return [
            gr.update(**{p: resolve(t, labels) for p, t in text.items()}) for _, text in self.items
        ]


def resolve(text: Text, labels: dict[str, str]) -> str:
    return text(labels) if callable(text) else text.format_map(labels)


def backend_line(settings: Settings) -> Callable[[dict[str, str]], str]:
    """The answer backend in citizen words ("antwoorden met zinnen uit de bronnen")."""

    def line(labels: dict[str, str]) -> str:
        if settings.llm == "extractive":
            return labels["backend_extractive"]
        return labels["backend_llm"].format(llm=escape_markdown(settings.llm))

    return line


@dataclass
class ChatTab:
    """The components the chat handlers write to."""

    welcome: gr.Markdown
    sources: gr.HTML
    sources_heading: gr.Markdown
    rated: list[Any]  # feedback group, thumbs up, thumbs down, thank-you note


def chat_tab(service: Service, conv: gr.State, lang: gr.Textbox, tr: Translated) -> ChatTab:
    welcome = gr.Markdown(elem_id="welcome")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            chatbot = tr.make(
                gr.Chatbot,
                {"label": "{chat}"},
                elem_id="chat",
                visible=False,  # shown with the first question, so the question box comes first
                height=360,
                group_consecutive_messages=False,
                buttons=["copy"],
            )
            with gr.Column(visible=False, elem_id="feedback") as feedback_box:
                with gr.Row(equal_height=True, elem_id="feedback-row"):
                    tr.make(gr.Markdown, {"value": "**{feedback}**"}, elem_id="feedback-heading")
                    up = tr.make(
                        gr.Button, {"value": "{thumbs_up}"}, size="sm", elem_id="thumbs-up"
                    )
                    down = tr.make(
                        gr.Button, {"value": "{thumbs_down}"}, size="sm", elem_id="thumbs-down"
                    )
                    thanks = gr.HTML(elem_id="feedback-note")
                with gr.Row(equal_height=True):
                    comment = tr.make(
                        gr.Textbox,
                        {"label": "{comment}", "placeholder": "{comment_placeholder}"},
                        lines=1,
                        max_lines=4,
                        scale=4,
                        elem_id="comment",
                    )
                    send = tr.make(
                        gr.Button,
                        {"value": "{send_comment}"},
                        size="sm",
                        scale=1,
                        min_width=140,
                        elem_id="send-comment",
                    )
            question = tr.make(
                gr.Textbox,
                {"label": "{question}", "placeholder": "{question_placeholder}"},
                lines=1,
                max_lines=6,
                elem_id="question",
                autofocus=False,
            )
            with gr.Row():
                ask = tr.make(
                    gr.Button,
                    {"value": "{ask}"},
                    variant="primary",
                    size="md",
                    elem_id="ask",
                    min_width=120,
                )
                new = tr.make(
                    gr.Button,
                    {"value": "{new_chat}"},
                    size="md",
                    elem_id="new-chat",
                    min_width=120,
                )
            message = gr.HTML(elem_id="note")
            tr.make(gr.Markdown, {"value": "## {examples}"}, elem_id="examples-heading")
            with gr.Row(elem_id="examples"):
                examples = [
                    gr.Button(q, size="sm", elem_classes=["example"], min_width=160)
                    for q in EXAMPLES
                ]
        with gr.Column(scale=2, min_width=300, elem_id="sources-column"):
            sources_heading = gr.Markdown(f"## {NL['sources']}", elem_id="sources-heading")
            sources = gr.HTML(sources_html(None, NL), elem_id="sources")

    rated = [feedback_box, up, down, thanks]
    streaming = [chatbot, conv, sources, sources_heading, question, message, *rated]
    answer = functools.partial(chat.ask, service)
    for trigger, box in ((ask.click, question), (question.submit, question)):
        trigger(answer, [box, conv, lang], streaming, concurrency_limit=4, **QUIET)
    for button in examples:
        button.click(answer, [button, conv, lang], streaming, concurrency_limit=4, **QUIET)
    reset = [chatbot, conv, sources, sources_heading, message, *rated]
    new.click(chat.new_conversation, [lang], reset, **QUIET)
    chatbot.clear(chat.new_conversation, [lang], reset, **QUIET)
    chosen = [conv, sources, sources_heading, *rated]
    chatbot.select(chat.select_message, [conv, lang], chosen, **QUIET)
    for button, rating in ((up, "up"), (down, "down")):
        rate = functools.partial(chat.rate, service, rating)
        button.click(rate, [conv, lang], [conv, up, down, thanks], **QUIET)
    remark = functools.partial(chat.comment, service)
    send.click(remark, [comment, conv, lang], [comment, thanks], **QUIET)
    return ChatTab(welcome, sources, sources_heading, rated)


def admin_tab(admin: Admin, lang: gr.Textbox, tr: Translated) -> None:
    """Login form; the panel stays hidden until the password is right (checked server-side)."""
    is_admin = gr.State(False)
    received = gr.State([])  # files Gradio received through the upload field in this session
    with gr.Column() as login_box:
        password = tr.make(
            gr.Textbox, {"label": "{admin_password}"}, type="password", elem_id="admin-password"
        )
        login = tr.make(
            gr.Button, {"value": "{admin_login}"}, variant="primary", elem_id="admin-login"
        )
    login_note = gr.HTML(elem_id="admin-note")
    mb, types = admin.settings.max_upload_mb, ", ".join(UPLOAD_TYPES)
    with gr.Column(visible=False, elem_id="admin-panel") as panel:
        logout = tr.make(gr.Button, {"value": "{admin_logout}"}, size="sm", elem_id="admin-logout")
        tr.make(gr.Markdown, {"value": "## {admin_add_heading}"})
        files = tr.make(
            gr.File,
            {"label": lambda t: t["admin_files"].format(types=types, mb=mb)},
            file_count="multiple",
            elem_id="admin-upload",
        )
        replace = tr.make(
            gr.CheckboxGroup, {"label": "{admin_replace}"}, visible=False, elem_id="admin-replace"
        )
        upload = tr.make(
            gr.Button, {"value": "{admin_add}"}, variant="primary", elem_id="admin-add"
        )
        result = gr.Markdown(elem_id="admin-result")
        tr.make(gr.Markdown, {"value": "## {admin_docs_heading}"})
        table = gr.HTML(elem_id="admin-documents")
        choices = tr.make(
            gr.CheckboxGroup, {"label": "{admin_delete_choices}"}, elem_id="admin-docs"
        )
        with gr.Row():
            delete = tr.make(
                gr.Button, {"value": "{admin_delete}"}, variant="stop", elem_id="admin-del"
            )
            rebuild = tr.make(gr.Button, {"value": "{admin_rebuild}"}, elem_id="admin-rebuild")
        with gr.Column(visible=False, elem_id="admin-rebuild-confirm") as confirm_box:
            plan = gr.Markdown(elem_id="admin-rebuild-plan")
            with gr.Row():
                confirm = tr.make(
                    gr.Button,
                    {"value": "{admin_rebuild_confirm}"},
                    variant="stop",
                    elem_id="admin-rebuild-yes",
                )
                cancel = tr.make(gr.Button, {"value": "{admin_cancel}"}, elem_id="admin-rebuild-no")
        tr.make(gr.Markdown, {"value": "## {admin_eval_heading}"})
        report = tr.make(gr.Button, {"value": "{admin_report}"}, elem_id="admin-report")
        report_view = gr.HTML(elem_id="admin-report-view")
        report_file = tr.make(gr.File, {"label": "{admin_report_file}"}, interactive=False)

    login_outputs = [is_admin, login_box, panel, login_note, password, choices, table]
    for trigger in (login.click, password.submit):
        trigger(
            admin.login,
            [password, lang],
            login_outputs,
            concurrency_limit=1,
            concurrency_id="login",
            **PRIVATE,
        )
    logout.click(admin.logout, [lang], login_outputs[:5], **PRIVATE)
    files.upload(admin.remember, [files, received, is_admin, lang], [received, result], **QUIET)
    upload_outputs = [result, files, replace, choices, table]
    upload.click(
        admin.upload, [files, replace, received, is_admin, lang], upload_outputs, **PRIVATE
    )
    delete.click(admin.delete, [choices, is_admin, lang], [result, choices, table], **PRIVATE)
    rebuild.click(admin.ask_rebuild, [is_admin, lang], [confirm_box, plan], **PRIVATE)
    cancel.click(admin.cancel_rebuild, [lang], [confirm_box, result], **PRIVATE)
    confirm.click(admin.rebuild, [is_admin, lang], [confirm_box, result, choices, table], **PRIVATE)
    report.click(admin.report, [is_admin, lang], [report_view, report_file], **PRIVATE)


def build_ui(service: Service) -> gr.Blocks:
    settings = service.settings
    tr = Translated()
    with gr.Blocks(title="Leerstad", delete_cache=(3600, 3600)) as demo:
        conv = gr.State(Conversation())
        # The chosen language; a hidden field rather than gr.State, so the page script sees it.
        lang = gr.Textbox("nl", visible=False, elem_id="lang")
        with gr.Row(equal_height=True, elem_id="header"):
            with gr.Column(scale=4, min_width=200):
                gr.Markdown("# Leerstad", elem_id="app-title")
                tr.make(gr.Markdown, {"value": backend_line(settings)}, elem_id="backend")
            switch = tr.make(
                gr.Button,
                {"value": "{switch_language}"},
                size="sm",
                elem_id="language",
                scale=0,
                min_width=110,
            )
        status = gr.HTML(elem_id="service-status")
        with gr.Tabs(elem_id="tabs"):
            with tr.make(gr.Tab, {"label": "{tab_chat}"}, id="chat", elem_id="tab-chat"):
                chat_parts = chat_tab(service, conv, lang, tr)
            with tr.make(
                gr.Tab, {"label": "{tab_documents}"}, id="documents", elem_id="tab-documents"
            ) as docs_tab:
                documents = gr.HTML(elem_id="documents")
            if settings.admin_password:
                admin = Admin(service)
                admin.uploaded = lambda: demo.upload_file_set
                with tr.make(gr.Tab, {"label": "{tab_admin}"}, id="admin", elem_id="tab-admin"):
                    admin_tab(admin, lang, tr)

        def refresh(lang: str, conv: Conversation) -> tuple[Any, ...]:
            """Everything that depends on the index, the services or the language."""
            docs, labels = service.documents(), texts(lang)
            return (
                welcome_markdown(docs, labels),
                documents_html(docs, labels),
                notices_html(service.notices()),
                *chat.sources_for(conv, conv.selected, labels),
                *chat.feedback(conv, labels),
            )

        shown = [
            chat_parts.welcome,
            documents,
            status,
            chat_parts.sources,
            chat_parts.sources_heading,
            *chat_parts.rated,
        ]
        demo.load(refresh, [lang, conv], shown, **QUIET)
        demo.load(None, js="() => window.leerstadLanguage && window.leerstadLanguage('nl')")
        docs_tab.select(refresh, [lang, conv], shown, **QUIET)
        switch.click(toggle_language, [lang], [lang], **QUIET).then(
            None, [lang], js="(l) => window.leerstadLanguage && window.leerstadLanguage(l)"
        ).then(tr.updates, [lang], tr.outputs, **QUIET).then(refresh, [lang, conv], shown, **QUIET)
    return demo


def toggle_language(lang: str) -> str:
    return "en" if lang != "en" else "nl"
