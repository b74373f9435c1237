"""Command-line text made valid: bytes a non-UTF-8 terminal sent, and lone surrogates."""

from __future__ import annotations

import codecs

LEGACY_ENCODING = "cp1252"  # what a Dutch Windows or Latin-1 terminal sends


def _legacy(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode(LEGACY_ENCODING, "replace"), error.end


codecs.register_error("leerstad-legacy", _legacy)


def from_argument(text: str, what: str = "de tekst") -> tuple[str, str | None]:
    """``text`` from sys.argv as valid text, and a Dutch notice when something was changed.

    Python hands bytes that are not UTF-8 on as surrogates (``surrogateescape``); these are
    turned back into bytes and read as Windows-1252, a superset of Latin-1. Other surrogates
    cannot be text and are removed. ``what`` names the text in the notice ("uw vraag").
    """
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text, None
    raw = bytearray()
    escaped = removed = 0
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # an escaped byte
            raw.append(code - 0xDC00)
            escaped += 1
        elif 0xD800 <= code <= 0xDFFF:  # a lone surrogate: no character at all
            removed += 1
        else:
            raw += ch.encode("utf-8")
    notes = []
    if escaped:
        notes.append(
            f"{what[:1].upper()}{what[1:]} was niet in UTF-8 gecodeerd en is gelezen als "
            "Windows-1252 (Latin-1). Zet uw terminal op UTF-8 als tekens verkeerd zijn overgekomen."
        )
    if removed:
        notes.append(f"{removed} ongeldig(e) teken(s) verwijderd uit {what}.")
    return bytes(raw).decode("utf-8", "leerstad-legacy"), " ".join(notes)
