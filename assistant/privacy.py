"""Personal data kept out of storage and logs: masking e-mail addresses and phone numbers."""

from __future__ import annotations

import re

from assistant.settings import Settings

EMAIL_MASK = "[e-mailadres verwijderd]"
PHONE_MASK = "[telefoonnummer verwijderd]"

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SEP = r"[ ().-]{0,2}"  # what people type between digits: "06-1234 5678", "(020) 123 45 67"
PHONE = re.compile(
    r"(?<![\w+])(?:"
    rf"(?:\+|00)31{_SEP}(?:\(0\){_SEP})?\d(?:{_SEP}\d){{8}}"  # Dutch, international form
    rf"|(?:\+|00)(?!31)[1-9](?:{_SEP}\d){{7,13}}"  # another country
    rf"|\(?0\d(?:{_SEP}\d){{8}}"  # Dutch: ten digits starting with 0
    r")(?![\w])"
)


def mask_personal_data(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers replaced by a Dutch placeholder."""
    return PHONE.sub(PHONE_MASK, EMAIL.sub(EMAIL_MASK, text))


def loggable_question(question: str, settings: Settings) -> str:
    """What a log line may say about a question: its text only if LEERSTAD_LOG_QUESTIONS is on."""
    if settings.log_questions:
        return repr(question)
    return f"<question of {len(question)} characters; LEERSTAD_LOG_QUESTIONS=true logs the text>"
