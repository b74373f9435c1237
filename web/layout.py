"""The page: header, language switch, tabs, and what refreshes on load and on a switch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.settings import Settings
from web import chat
from web.admin import Admin
from web.render import documents_html, escape_markdown, notices_html, welcome_markdown
from web.service import Service
from web.state import Conversation
from web.tabs import QUIET, ChatParts, admin_tab, chat_tab
from web.texts import texts
from web.translated import Translated

SET_LANGUAGE_JS = "(l) => window.leerstadLanguage && window.leerstadLanguage(l)"


def backend_line(settings: Settings) -> Callable[[dict[str, str]], str]:
    """The answer backend in citizen words ("antwoorden met zinnen uit de bronnen")."""

    def line(labels: dict[str, str]) -> str:
        if settings.llm == "extractive":
            return labels["backend_extractive"]
        return labels["backend_llm"].format(llm=escape_markdown(settings.llm))

    return line


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
            switch = tr.button("switch_language", "language", size="sm", scale=0, min_width=110)
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

        refresh, shown = refresher(service, chat_parts, documents, status)
        demo.load(refresh, [lang, conv], shown, **QUIET)
        demo.load(None, js="() => window.leerstadLanguage && window.leerstadLanguage('nl')")
        docs_tab.select(refresh, [lang, conv], shown, **QUIET)
        switch.click(toggle_language, [lang], [lang], **QUIET).then(
            None, [lang], js=SET_LANGUAGE_JS
        ).then(tr.updates, [lang], tr.outputs, **QUIET).then(refresh, [lang, conv], shown, **QUIET)
    return demo


def toggle_language(lang: str) -> str:
    return "en" if lang != "en" else "nl"


def refresher(
    service: Service, parts: ChatParts, documents: gr.HTML, status: gr.HTML
) -> tuple[Callable[[str, Conversation], tuple[Any, ...]], list[Any]]:
    """(function, outputs) for everything that depends on the index, services or language."""

    def refresh(lang: str, conv: Conversation) -> tuple[Any, ...]:
        docs, labels = service.documents(), texts(lang)
        # The configured topics are in the operator's language, Dutch; English has its own.
        topics = service.settings.topics if lang == "nl" else None
        return (
            welcome_markdown(docs, labels, topics),
            documents_html(docs, labels),
            notices_html(service.notices()),
            *chat.sources_for(conv, conv.selected, labels),
            *chat.feedback(conv, labels),
        )

    shown = [parts.welcome, documents, status, parts.sources, parts.sources_heading, *parts.rated]
    return refresh, shown
