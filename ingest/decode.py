"""Bytes to text: byte-order marks, UTF-8, legacy Windows encodings, and text that is not text."""

from __future__ import annotations

import codecs
import logging
import re

from ingest.errors import BinaryContentError, UnreadableDocumentError
from ingest.limits import MAX_GARBAGE_CHARS, MAX_GARBAGE_SHARE

log = logging.getLogger(__name__)

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Unicode's control characters (category Cc) except those that belong in text: tab, newline,
# vertical tab (Word's line break), form feed (a page break) and carriage return; plus U+FFFD,
# what a failed decoding leaves.
GARBAGE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def decode(data: bytes, name: str) -> str:
    """The text of a file's bytes; ``name`` is the file named in errors.

    A byte-order mark decides the encoding and is dropped. Otherwise UTF-8; then cp1252, the
    encoding of legacy Dutch (Windows) files, which also covers Latin-1's letters; then whatever
    charset-normalizer recognises. Bytes that none of these read are refused, not guessed.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom) :], encoding, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" not in data:  # NUL bytes are binary or UTF-16, never cp1252 text
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            log.info("%s: not UTF-8, read as cp1252 (Windows Western European)", name)
            return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise BinaryContentError(
            f"{name}: de tekencodering is niet te herkennen (geen UTF-8, geen "
            "Windows-1252); waarschijnlijk een binair bestand. Sla het op als UTF-8-tekst."
        )
    log.info("%s: not UTF-8, read as %s (charset-normalizer)", name, best.encoding)
    return str(best)


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise UnreadableDocumentError(
            f"{name}: het bestand begint met een {encoding}-markering maar is geen "
            f"geldige {encoding}-tekst ({e.reason} op byte {e.start}). Sla het op als UTF-8."
        ) from e


def garbage(text: str) -> int:
    """How many characters of ``text`` are not text: control characters and U+FFFD."""
    return len(text) - len(GARBAGE.sub("", text))


def check_text(text: str, name: str) -> None:
    """Refuse extracted text that is mostly not text (NUL bytes, control characters)."""
    bad = garbage(text)
    if bad > max(MAX_GARBAGE_SHARE * len(text), MAX_GARBAGE_CHARS):
        kind = "NUL-bytes" if "\x00" in text else "besturingstekens"
        raise BinaryContentError(
            f"{name}: {bad} van de {len(text)} tekens zijn geen tekst ({kind}); "
            "dit is geen tekstbestand of het is beschadigd. Exporteer het opnieuw als tekst."
        )
