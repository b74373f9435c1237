"""Checks made before a file is parsed: its size, a zip's unpacked size and ratio, links out."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ingest.errors import UnsafeFileError
from ingest.limits import (
    MAX_FILE_BYTES,
    MAX_PDF_STREAM_BYTES,
    MAX_TEXT_CHARS,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
    MAX_ZIP_UNPACKED_BYTES,
    MAX_ZIP_XML_BYTES,
    MB,
    ZIP_RATIO_FROM_BYTES,
)

# Formats that are zip archives; their parsers unpack members into memory.
ZIP_FORMATS = frozenset({".docx"})


def check_size(path: Path) -> None:
    """Refuse a file bigger than MAX_FILE_BYTES before reading it."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UnsafeFileError(
            f"{path}: het bestand is {_mb(size)} (maximaal {_mb(MAX_FILE_BYTES)}). "
            "Splits het in kleinere documenten."
        )


def check_text_length(length: int, path: Path) -> None:
    """Refuse extracted text longer than MAX_TEXT_CHARS (embedding it would take too long)."""
    if length > MAX_TEXT_CHARS:
        raise UnsafeFileError(
            f"{path}: het bevat {_count(length)} tekens tekst (maximaal "
            f"{_count(MAX_TEXT_CHARS)}). Splits het in kleinere documenten."
        )


def check_archive(path: Path) -> None:
    """Refuse a zip whose members unpack too far, from its directory, before any unpacking.

    Python's zipfile never inflates a member beyond the size its directory declares (and checks
    the CRC at the end), so the declared sizes bound what the parser can be made to unpack.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise UnsafeFileError(
            f"{path}: kan niet worden gelezen, het is geen geldig zip-bestand ({e})."
        ) from e
    if len(members) > MAX_ZIP_MEMBERS:
        raise _bomb(path, f"het bevat {len(members)} delen (maximaal {MAX_ZIP_MEMBERS})")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_ZIP_UNPACKED_BYTES:
        limit = _mb(MAX_ZIP_UNPACKED_BYTES)
        raise _bomb(path, f"het pakt uit tot {_mb(unpacked)} (maximaal {limit})")
    xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
    if xml > MAX_ZIP_XML_BYTES:
        limit = _mb(MAX_ZIP_XML_BYTES)
        raise _bomb(path, f"de XML-delen pakken uit tot {_mb(xml)} (maximaal {limit})")
    for member in members:
        if member.file_size < ZIP_RATIO_FROM_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > MAX_ZIP_RATIO:
            raise _bomb(
                path,
                f"{member.filename} is {ratio:.0f} keer gecomprimeerd (maximaal {MAX_ZIP_RATIO}"
                f" keer): {_mb(member.compress_size)} wordt {_mb(member.file_size)}",
            )


def _bomb(path: Path, why: str) -> UnsafeFileError:
    return UnsafeFileError(
        f"{path}: mogelijk een zip-bom: {why}. Open het in een tekstverwerker, "
        "verwijder lege of herhaalde inhoud en sla het opnieuw op."
    )


@contextmanager
def pdf_limits() -> Iterator[None]:
    """pypdf's own decompression limits, tightened for the time a PDF is read."""
    from pypdf import apply_configuration

    limits = {
        name: MAX_PDF_STREAM_BYTES
        for name in (
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "brotli_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "maximum_declared_stream_length",
        )
    }
    with apply_configuration(**limits):
        yield


def pdf_bomb(path: Path) -> UnsafeFileError:
    return UnsafeFileError(
        f"{path}: een gecomprimeerd deel pakt uit tot meer dan "
        f"{_mb(MAX_PDF_STREAM_BYTES)}; mogelijk een PDF-bom. Maak de PDF opnieuw, bijvoorbeeld "
        "met 'Afdrukken als PDF'."
    )


def escapes(path: Path, roots: Sequence[Path]) -> bool:
    """Whether ``path`` (a file found inside one of ``roots``) resolves outside all of them."""
    target = path.resolve()
    return not any(target == root or root in target.parents for root in roots)


def _count(number: int) -> str:
    return f"{number:,}".replace(",", ".")  # Dutch thousands separator


def _mb(size: int) -> str:
    if size < MB:
        return f"{size / 1024:.0f} KB"
    return f"{size / MB:.1f} MB".replace(".", ",")
