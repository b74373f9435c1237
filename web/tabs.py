"""The chat and admin tabs: their components (declared with their texts) and their events."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import gradio as gr

from web import chat
from web.admin import UPLOAD_TYPES, Admin
from web.render import sources_html
from web.service import Service
from web.texts import EXAMPLES, NL
from web.translated import Translated

PRIVATE: dict[str, Any] = {"api_visibility": "private"}  # not callable through the Gradio API
QUIET: dict[str, Any] = {**PRIVATE, "show_progress": "hidden"}  # no overlay over the page


@dataclass
class ChatParts:
    """The chat tab's components."""

    welcome: gr.Markdown
    chatbot: gr.Chatbot
    feedback: gr.Column
    up: gr.Button
    down: gr.Button
    thanks: gr.HTML
    comment: gr.Textbox
    send: gr.Button
    question: gr.Textbox
    ask: gr.Button
    new: gr.Button
    message: gr.HTML
    examples: list[gr.Button]
    sources_heading: gr.Markdown
    sources: gr.HTML

    @property
    def rated(self) -> list[Any]:
        """What chat.feedback() fills: the group, the thumbs and the thank-you."""
        return [self.feedback, self.up, self.down, self.thanks]


def chat_tab(service: Service, conv: gr.State, lang: gr.Textbox, tr: Translated) -> ChatParts:
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
            question = tr.make(
                gr.Textbox,
                {"label": "{question}", "placeholder": "{question_placeholder}"},
                lines=1,
                max_lines=6,
                elem_id="question",
            )
            with gr.Row():
                ask = tr.button("ask", "ask", variant="primary", size="md", min_width=120)
                new = tr.button("new_chat", "new-chat", size="md", min_width=120)
            message = gr.HTML(elem_id="note")
            feedback = feedback_box(tr)  # under the question box, which stays near the answer
            tr.make(gr.Markdown, {"value": "## {examples}"}, elem_id="examples-heading")
            with gr.Row(elem_id="examples"):
                examples = [
                    tr.button(key, f"example-{n}", size="sm", elem_classes=["example"])
                    for n, key in enumerate(EXAMPLES, 1)
                ]
        with gr.Column(scale=2, min_width=300, elem_id="sources-column"):
            sources_heading = gr.Markdown(f"## {NL['sources']}", elem_id="sources-heading")
            sources = gr.HTML(sources_html(None, NL), elem_id="sources")
    parts = ChatParts(
        welcome, chatbot, *feedback, question, ask, new, message, examples, sources_heading, sources
    )
    wire_chat(parts, service, conv, lang)
    return parts


def feedback_box(tr: Translated) -> tuple[Any, ...]:
    """(group, thumbs up, thumbs down, thank-you, comment, send): shown under an answer."""
    with gr.Column(visible=False, elem_id="feedback") as group:
        with gr.Row(equal_height=True, elem_id="feedback-row"):
            tr.make(gr.Markdown, {"value": "**{feedback}**"}, elem_id="feedback-heading")
            up = tr.button("thumbs_up", "thumbs-up", size="sm")
            down = tr.button("thumbs_down", "thumbs-down", size="sm")
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
            send = tr.button("send_comment", "send-comment", size="sm", scale=1, min_width=140)
    return group, up, down, thanks, comment, send


def wire_chat(parts: ChatParts, service: Service, conv: gr.State, lang: gr.Textbox) -> None:
    p = parts
    streaming = [p.chatbot, conv, p.sources, p.sources_heading, p.question, p.message, *p.rated]
    answer = functools.partial(chat.ask, service)
    for trigger in (p.ask.click, p.question.submit):
        trigger(answer, [p.question, conv, lang], streaming, concurrency_limit=4, **QUIET)
    for button in p.examples:
        button.click(answer, [button, conv, lang], streaming, concurrency_limit=4, **QUIET)
    reset = [p.chatbot, conv, p.sources, p.sources_heading, p.message, *p.rated]
    p.new.click(chat.new_conversation, [lang], reset, **QUIET)
    p.chatbot.clear(chat.new_conversation, [lang], reset, **QUIET)
    chosen = [conv, p.sources, p.sources_heading, *p.rated]
    p.chatbot.select(chat.select_message, [conv, lang], chosen, **QUIET)
    for button, rating in ((p.up, "up"), (p.down, "down")):
        rate = functools.partial(chat.rate, service, rating)
        button.click(rate, [conv, lang], [conv, p.up, p.down, p.thanks], **QUIET)
    remark = functools.partial(chat.comment, service)
    p.send.click(remark, [p.comment, conv, lang], [p.comment, p.thanks], **QUIET)


def admin_tab(admin: Admin, lang: gr.Textbox, tr: Translated) -> None:
    """Login form; the panel stays hidden until the password is right (checked server-side)."""
    is_admin = gr.State(False)
    received = gr.State([])  # files Gradio received through the upload field in this session
    with gr.Column() as login_box:
        password = tr.make(
            gr.Textbox, {"label": "{admin_password}"}, type="password", elem_id="admin-password"
        )
        login = tr.button("admin_login", "admin-login", variant="primary")
    login_note = gr.HTML(elem_id="admin-note")
    with gr.Column(visible=False, elem_id="admin-panel") as panel:
        logout = tr.button("admin_logout", "admin-logout", size="sm")
        files, replace, upload, result = upload_box(admin, tr)
        tr.make(gr.Markdown, {"value": "## {admin_docs_heading}"})
        table = gr.HTML(elem_id="admin-documents")
        choices = tr.make(
            gr.CheckboxGroup, {"label": "{admin_delete_choices}"}, elem_id="admin-docs"
        )
        with gr.Row():
            delete = tr.button("admin_delete", "admin-del", variant="stop")
            rebuild = tr.button("admin_rebuild", "admin-rebuild")
        with gr.Column(visible=False, elem_id="admin-rebuild-confirm") as confirm_box:
            plan = gr.Markdown(elem_id="admin-rebuild-plan")
            with gr.Row():
                confirm = tr.button("admin_rebuild_confirm", "admin-rebuild-yes", variant="stop")
                cancel = tr.button("admin_cancel", "admin-rebuild-no")
        tr.make(gr.Markdown, {"value": "## {admin_eval_heading}"})
        report = tr.button("admin_report", "admin-report")
        report_view = gr.HTML(elem_id="admin-report-view")
        report_file = tr.make(gr.File, {"label": "{admin_report_file}"}, interactive=False)

    login_outputs = [is_admin, login_box, panel, login_note, password, choices, table]
    one_at_a_time: dict[str, Any] = {"concurrency_limit": 1, "concurrency_id": "admin-login"}
    for trigger in (login.click, password.submit):  # one login at a time: the delay counts
        trigger(admin.login, [password, lang], login_outputs, **one_at_a_time, **PRIVATE)
    logout.click(admin.logout, [lang], login_outputs[:5], **PRIVATE)
    files.upload(admin.remember, [files, received, is_admin, lang], [received, result], **QUIET)
    added = [result, files, replace, choices, table]
    upload.click(admin.upload, [files, replace, received, is_admin, lang], added, **PRIVATE)
    delete.click(admin.delete, [choices, is_admin, lang], [result, choices, table], **PRIVATE)
    rebuild.click(admin.ask_rebuild, [is_admin, lang], [confirm_box, plan], **PRIVATE)
    cancel.click(admin.cancel_rebuild, [lang], [confirm_box, result], **PRIVATE)
    confirm.click(admin.rebuild, [is_admin, lang], [confirm_box, result, choices, table], **PRIVATE)
    report.click(admin.report, [is_admin, lang], [report_view, report_file], **PRIVATE)


def upload_box(admin: Admin, tr: Translated) -> tuple[Any, ...]:
    """(file field, replace confirmation, add button, result)."""
    mb, types = admin.settings.max_upload_mb, ", ".join(UPLOAD_TYPES)
    tr.make(gr.Markdown, {"value": "## {admin_add_heading}"})
    files = tr.make(
        gr.File,
        {"label": lambda t: t["admin_files"].format(types=types, mb=mb)},
        file_count="multiple",  # no file_types: Gradio's own refusal is an English toast
        elem_id="admin-upload",
    )
    replace = tr.make(
        gr.CheckboxGroup, {"label": "{admin_replace}"}, visible=False, elem_id="admin-replace"
    )
    upload = tr.button("admin_add", "admin-add", variant="primary")
    result = gr.Markdown(elem_id="admin-result")
    return files, replace, upload, result
