"""Every word the web UI shows, in Dutch and English: chat, sources, admin and ARIA labels."""

from __future__ import annotations

from assistant.limits import MAX_QUESTION_CHARS, thousands
from assistant.settings import Settings

LANGUAGES = ("nl", "en")

# What Leerstad knows about, for the two-line welcome: in Dutch the topics the assistant also
# reads a first question against (LEERSTAD_TOPICS; this is their default).
NL: dict[str, str] = {
    "title": "Leerstad",
    "topics": str(Settings.model_fields["topics"].default),
    "welcome": (
        "**Vragen over {topics}?** Leerstad antwoordt uit {n} documenten, met de bron erbij "
        "([bekijk de bronnen](#tab-documents-button))."
    ),
    "welcome_none": "**Er zijn nog geen documenten geladen.** Leerstad kan nog niets beantwoorden.",
    "welcome_limits": (
        "Staat het niet in de bronnen, dan zegt Leerstad dat. Geen persoonlijk of juridisch advies."
    ),
    "switch_language": "English",
    "tab_chat": "Vraag stellen",
    "tab_documents": "Bronnen",
    "tab_admin": "Beheer",
    "chat": "Gesprek met Leerstad",
    "question": "Uw vraag",
    "question_placeholder": "Typ hier uw vraag",
    "ask": "Verstuur vraag",
    "new_chat": "Nieuw gesprek",
    "examples": "Voorbeeldvragen",
    "example_1": "Hoe kan onze gemeente lid worden?",
    "example_2": "Wie moet de aanvraag steunen?",
    "example_3": "Wat is een integraal kindcentrum?",
    "example_4": "Wat is een UNESCO Learning City?",
    "busy": "Bezig met zoeken in de bronnen…",
    "sources": "Bronnen bij het antwoord",
    "sources_empty": "Stel een vraag; de bronnen van het antwoord verschijnen hier.",
    "sources_none": "Bij dit antwoord zijn geen bronnen gevonden.",
    "sources_for": "Bronnen bij antwoord {n}",
    "open_source": "Open de oorspronkelijke webpagina",
    "feedback": "Was dit antwoord nuttig?",
    "thumbs_up": "Ja, nuttig",
    "thumbs_down": "Nee, niet nuttig",
    "chosen": "✓ {label}",
    "comment": "Toelichting (optioneel)",
    "comment_placeholder": "Wat klopte er niet, of wat miste u?",
    "send_comment": "Verstuur toelichting",
    "feedback_thanks": "Dank u wel! U koos: {label}.",
    "comment_thanks": "Dank u wel! Uw toelichting is opgeslagen.",
    "comment_too_long": "Uw toelichting is {n} tekens lang; het maximum is {max}. Maak hem korter.",
    "feedback_first": "Beoordeel eerst het antwoord met Ja of Nee.",
    "no_answer_yet": "Er is nog geen antwoord om te beoordelen.",
    "empty_question": "Typ eerst een vraag.",
    "question_too_long": (
        "Uw vraag is {n} tekens lang; het maximum is {max} tekens. Maak hem korter: uw tekst "
        "staat nog in het vraagveld."
    ),
    "error": "Er ging iets mis bij het beantwoorden: {message}",
    "unexpected": "Er ging iets onverwachts mis. Probeer het later opnieuw.",
    "backend_extractive": "Antwoorden met zinnen uit de bronnen, zonder taalmodel.",
    "backend_llm": (
        "Antwoorden geschreven door een taalmodel ({llm}) en gecontroleerd tegen de bronnen."
    ),
    "documents_caption": "Leerstad kent {n} document(en)",
    "documents_empty": "Er zijn nog geen documenten in de index.",
    "doc_title": "Titel",
    "doc_link": "Webpagina",
    "doc_date": "Toegevoegd op",
    "doc_chunks": "Stukken",
    # ARIA labels that Gradio writes in English; the page script replaces them (see layout.py).
    "aria_more_tabs": "Meer tabbladen",
    "aria_chat": "Gesprek met Leerstad",
    "aria_clear": "Gesprek wissen",
    "aria_copy": "Kopieer bericht",
    "aria_copied": "Bericht gekopieerd",
    "aria_user_message": "Uw vraag: ",
    "aria_bot_message": "Antwoord van Leerstad: ",
    # --- admin ---------------------------------------------------------------------------------
    "admin_password": "Beheerderswachtwoord",
    "admin_login": "Inloggen",
    "admin_logout": "Uitloggen",
    "admin_only": "Alleen voor beheerders: log eerst in op het tabblad Beheer.",
    "admin_wrong": "Onjuist wachtwoord. Probeer het opnieuw.",
    "admin_locked": (
        "Te veel mislukte pogingen om in te loggen. Probeer het over {minutes} minuten opnieuw."
    ),
    "admin_logged_out": "U bent uitgelogd.",
    "admin_add_heading": "Documenten toevoegen",
    "admin_files": "Documenten ({types}; max. {mb} MB)",
    "admin_add": "Toevoegen aan de index",
    "admin_choose_files": "Kies eerst een of meer bestanden.",
    "admin_replace": "Vervang bestaande documenten",
    "admin_replace_choice": "Ja, vervang “{title}” ({doc_id})",
    "admin_replace_needed": (
        "“{title}” ({doc_id}) staat al in de index. Vink “Ja, vervang …” aan en klik opnieuw op "
        "Toevoegen om het te vervangen."
    ),
    "admin_refused_type": "{name}: alleen {types} worden geaccepteerd.",
    "admin_refused_size": "{name}: groter dan {mb} MB.",
    "admin_refused_foreign": (
        "{name}: dit bestand is niet in deze sessie geüpload en wordt niet gelezen. Upload het "
        "opnieuw met het veld hierboven."
    ),
    "admin_docs_heading": "Documenten in de index",
    "admin_delete_choices": "Kies documenten om te verwijderen",
    "admin_delete": "Verwijder gekozen documenten",
    "admin_choose_delete": "Kies eerst de documenten die u wilt verwijderen.",
    "admin_deleted": "Verwijderd: {names}.",
    "admin_delete_failed": "Verwijderen mislukt: {message}",
    "admin_rebuild": "Index opnieuw opbouwen …",
    "admin_rebuild_confirm": "Ja, bouw de index opnieuw op",
    "admin_cancel": "Annuleren",
    "admin_rebuild_plan": (
        "**Weet u het zeker?** Opnieuw opbouwen leest alle {n} documenten opnieuw in uit hun "
        "bronbestanden ({folders}). De huidige index blijft werken tot de nieuwe klaar is."
    ),
    "admin_rebuild_removes": "Daarbij verdwijnen uit de index, omdat hun bestand er niet meer is:",
    "admin_rebuild_keeps": "Er verdwijnt geen document uit de index.",
    "admin_rebuild_empty": "Er staan geen documenten in de index om opnieuw op te bouwen.",
    "admin_rebuild_cancelled": "Opnieuw opbouwen geannuleerd; de index is niet veranderd.",
    "admin_progress": "{done} van {total} documenten",
    "admin_done": "Klaar: {summary}",
    "admin_failed": "Inlezen mislukt: {message}",
    "admin_eval_heading": "Evaluatie",
    "admin_report": "Open het nieuwste evaluatierapport",
    "admin_report_none": (
        "Er is nog geen evaluatierapport (gezocht naar report.html in {runs}). Maak er een met: "
        "leerstad eval (of make eval)."
    ),
    "admin_report_title": "Evaluatierapport",
    "admin_report_file": "Rapport downloaden",
    "admin_report_path": "Rapport: {path}",
}

EN: dict[str, str] = {
    "title": "Leerstad",
    "topics": "UNESCO Learning Cities and integrated child centres (IKC)",
    "welcome": (
        "**Questions about {topics}?** Leerstad answers from {n} documents (in Dutch), with "
        "the source ([see the sources](#tab-documents-button))."
    ),
    "welcome_none": "**No documents have been loaded yet.** Leerstad cannot answer anything yet.",
    "welcome_limits": (
        "If the answer is not in the sources, Leerstad says so. No personal or legal advice."
    ),
    "switch_language": "Nederlands",
    "tab_chat": "Ask a question",
    "tab_documents": "Sources",
    "tab_admin": "Admin",
    "chat": "Conversation with Leerstad",
    "question": "Your question",
    "question_placeholder": "Type your question here",
    "ask": "Send question",
    "new_chat": "New conversation",
    "examples": "Example questions",
    "example_1": "How can our municipality become a member?",
    "example_2": "Who must support the application?",
    "example_3": "What is an integrated child centre (IKC)?",
    "example_4": "What is a UNESCO Learning City?",
    "busy": "Searching the sources…",
    "sources": "Sources of the answer",
    "sources_empty": "Ask a question; the sources of the answer appear here.",
    "sources_none": "No sources were found for this answer.",
    "sources_for": "Sources of answer {n}",
    "open_source": "Open the original web page",
    "feedback": "Was this answer helpful?",
    "thumbs_up": "Yes, helpful",
    "thumbs_down": "No, not helpful",
    "chosen": "✓ {label}",
    "comment": "Comment (optional)",
    "comment_placeholder": "What was wrong, or what was missing?",
    "send_comment": "Send comment",
    "feedback_thanks": "Thank you! You chose: {label}.",
    "comment_thanks": "Thank you! Your comment has been saved.",
    "comment_too_long": "Your comment is {n} characters long; the maximum is {max}. Shorten it.",
    "feedback_first": "Please rate the answer with Yes or No first.",
    "no_answer_yet": "There is no answer to rate yet.",
    "empty_question": "Please type a question first.",
    "question_too_long": (
        "Your question is {n} characters long; the maximum is {max}. Please shorten it: your "
        "text is still in the question box."
    ),
    "error": "Something went wrong while answering: {message}",
    "unexpected": "Something unexpected went wrong. Please try again later.",
    "backend_extractive": "Answers with sentences from the sources, without a language model.",
    "backend_llm": "Answers written by a language model ({llm}) and checked against the sources.",
    "documents_caption": "Leerstad knows {n} document(s)",
    "documents_empty": "There are no documents in the index yet.",
    "doc_title": "Title",
    "doc_link": "Web page",
    "doc_date": "Added on",
    "doc_chunks": "Chunks",
    "aria_more_tabs": "More tabs",
    "aria_chat": "Conversation with Leerstad",
    "aria_clear": "Clear the conversation",
    "aria_copy": "Copy message",
    "aria_copied": "Message copied",
    "aria_user_message": "Your question: ",
    "aria_bot_message": "Leerstad's answer: ",
    "admin_password": "Administrator password",
    "admin_login": "Log in",
    "admin_logout": "Log out",
    "admin_only": "Administrators only: log in on the Admin tab first.",
    "admin_wrong": "Wrong password. Please try again.",
    "admin_locked": "Too many failed login attempts. Please try again in {minutes} minutes.",
    "admin_logged_out": "You have been logged out.",
    "admin_add_heading": "Add documents",
    "admin_files": "Documents ({types}; at most {mb} MB)",
    "admin_add": "Add to the index",
    "admin_choose_files": "Please choose one or more files first.",
    "admin_replace": "Replace existing documents",
    "admin_replace_choice": "Yes, replace “{title}” ({doc_id})",
    "admin_replace_needed": (
        "“{title}” ({doc_id}) is already in the index. Tick “Yes, replace …” and click Add "
        "again to replace it."
    ),
    "admin_refused_type": "{name}: only {types} are accepted.",
    "admin_refused_size": "{name}: larger than {mb} MB.",
    "admin_refused_foreign": (
        "{name}: this file was not uploaded in this session and is not read. Upload it again "
        "with the field above."
    ),
    "admin_docs_heading": "Documents in the index",
    "admin_delete_choices": "Choose documents to delete",
    "admin_delete": "Delete chosen documents",
    "admin_choose_delete": "Please choose the documents to delete first.",
    "admin_deleted": "Deleted: {names}.",
    "admin_delete_failed": "Deleting failed: {message}",
    "admin_rebuild": "Rebuild the index …",
    "admin_rebuild_confirm": "Yes, rebuild the index",
    "admin_cancel": "Cancel",
    "admin_rebuild_plan": (
        "**Are you sure?** Rebuilding reads all {n} documents again from their source files "
        "({folders}). The current index keeps working until the new one is ready."
    ),
    "admin_rebuild_removes": "These leave the index, because their file is gone:",
    "admin_rebuild_keeps": "No document leaves the index.",
    "admin_rebuild_empty": "There are no documents in the index to rebuild.",
    "admin_rebuild_cancelled": "Rebuild cancelled; the index has not changed.",
    "admin_progress": "{done} of {total} documents",
    "admin_done": "Done: {summary}",
    "admin_failed": "Reading failed: {message}",
    "admin_eval_heading": "Evaluation",
    "admin_report": "Open the latest evaluation report",
    "admin_report_none": (
        "There is no evaluation report yet (looked for report.html in {runs}). Make one with: "
        "leerstad eval (or make eval)."
    ),
    "admin_report_title": "Evaluation report",
    "admin_report_file": "Download the report",
    "admin_report_path": "Report: {path}",
}

TEXTS: dict[str, dict[str, str]] = {"nl": NL, "en": EN}

EXAMPLES = ("example_1", "example_2", "example_3", "example_4")  # keys of the texts above

# Gradio's own words that its bundled Dutch translation lacks (its i18n keys), for gr.I18n.
GRADIO_NL: dict[str, str] = {
    "chatbot.copy_message": "Kopieer bericht",
    "chatbot.copied_message": "Bericht gekopieerd",
    "chatbot.retry": "Opnieuw proberen",
    "chatbot.undo": "Ongedaan maken",
    "chatbot.edit": "Bewerken",
    "chatbot.like": "Nuttig",
    "chatbot.dislike": "Niet nuttig",
}


def texts(lang: str | None) -> dict[str, str]:
    """The texts of ``lang`` ("nl" or "en"); anything else gets Dutch."""
    return TEXTS.get(lang or "nl", NL)


def too_long(text: str, lang: str | None, key: str = "question_too_long") -> str:
    """The message for a question (or comment) over the limit, with both numbers written out."""
    return texts(lang)[key].format(n=thousands(len(text)), max=thousands(MAX_QUESTION_CHARS))
