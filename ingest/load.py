"""Load source files (.md, .txt, .html, .pdf, .docx) into clean text documents with metadata."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.decode import GARBAGE, check_text, decode
from ingest.errors import UnreadableDocumentError, UnsafeFileError
from ingest.frontmatter import split_front_matter
from ingest.limits import MAX_PDF_PAGES
from ingest.safety import (
    ZIP_FORMATS,
    check_archive,
    check_size,
    check_text_length,
    escapes,
    pdf_bomb,
    pdf_limits,
)

log = logging.getLogger(__name__)

# A Markdown heading line. Linear on any input, a 20 MB line included: the name is the longest
# run that does not end in a space or '#' (no lazy scan before a repeated tail).
HEADING = re.compile(r"^(#{1,6})[ \t]+([^\n]*[^ \t#\n])[ \t#]*$", flags=re.MULTILINE)


@dataclass(frozen=True)
class SourceDocument:
    """One cleaned document: body text (Markdown-style headings kept) plus metadata."""

    doc_id: str
    title: str
    text: str
    path: Path
    url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def doc_hash(self) -> str:
        payload = repr((self.title, self.url, sorted(self.meta.items()), self.text))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def read_text(path: Path) -> str:
    """A text file's content: encoding detected, byte-order mark dropped, binary refused."""
    text = decode(path.read_bytes(), str(path))
    check_text(text, str(path))
    return text


def _load_markdown(path: Path) -> tuple[str, dict[str, Any]]:
    return split_front_matter(read_text(path), str(path))


def _load_text(path: Path) -> tuple[str, dict[str, Any]]:
    return read_text(path), {}


def _load_html(path: Path) -> tuple[str, dict[str, Any]]:
    import html2text
    from bs4 import BeautifulSoup

    raw = read_text(path)
    soup = BeautifulSoup(raw, "html.parser")
    if soup.find() is None:
        raise ValueError("geen HTML-elementen gevonden")
    meta: dict[str, Any] = {}
    if soup.title and soup.title.string:
        meta["title"] = soup.title.string.strip()
    canonical = soup.find("link", rel="canonical")
    if canonical and canonical.get("href"):
        meta["url"] = canonical["href"]
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.ignore_links = True
    return converter.handle(raw), meta


def _load_pdf(path: Path) -> tuple[str, dict[str, Any]]:
    # pypdf directly: langchain-community's PyPDFLoader wraps the same calls and that package
    # is being sunset.
    from pypdf import PdfReader

    with pdf_limits():
        reader = PdfReader(str(path), strict=False)
        if len(reader.pages) > MAX_PDF_PAGES:
            raise UnsafeFileError(
                f"{path}: het heeft {len(reader.pages)} pagina's (maximaal "
                f"{MAX_PDF_PAGES}). Splits het in kleinere documenten."
            )
        pages: list[str] = []
        for page in reader.pages:
            contents = page.get_contents()
            if contents is not None:  # decompress within the limits: extract_text hides errors
                contents.get_data()
            pages.append(page.extract_text() or "")
            check_text_length(sum(map(len, pages)), path)  # stop at the limit, not at the end
        title = reader.metadata.title if reader.metadata else None
    text = "\n\n".join(pages)
    meta: dict[str, Any] = {}
    if title:
        meta["title"] = str(title)
    return text, meta


def _load_docx(path: Path) -> tuple[str, dict[str, Any]]:
    import docx

    document = docx.Document(str(path))
    lines: list[str] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name or "") if para.style is not None else ""
        level = _heading_level(style)
        lines.append(f"{'#' * level} {text}" if level else text)
    meta: dict[str, Any] = {}
    if document.core_properties.title:
        meta["title"] = document.core_properties.title
    return "\n\n".join(lines), meta


def _heading_level(style: str) -> int:
    if style == "Title":
        return 1
    match = re.fullmatch(r"(?:Heading|Kop)\s*(\d)", style)
    return min(int(match.group(1)), 6) if match else 0


LOADERS: dict[str, Callable[[Path], tuple[str, dict[str, Any]]]] = {
    ".md": _load_markdown,
    ".markdown": _load_markdown,
    ".txt": _load_text,
    ".html": _load_html,
    ".htm": _load_html,
    ".pdf": _load_pdf,
    ".docx": _load_docx,
}


def discover(paths: Sequence[Path]) -> Iterator[Path]:
    """Supported files under the given files and folders, in a stable order (see candidates)."""
    for path, reason in candidates(paths):
        if reason is None:
            yield path


def candidates(paths: Sequence[Path]) -> Iterator[tuple[Path, str | None]]:
    """(file, None) for each file to load, (link, reason) for each link that is not followed.

    Inside folders, hidden files and README files (notes about the folder, not sources) are
    left out, and a link that leads outside the given paths is not followed: a link in a corpus
    folder must not publish /etc/passwd. A file named on its own is always taken.
    """
    roots = [p.resolve() for p in paths]
    for path in paths:
        if not path.is_dir():
            yield path, None
            continue
        # rglob does not descend into linked folders, and files in linked folders inside the
        # roots are found at their real place; the resolved-path check holds either way.
        for child in sorted(path.rglob("*")):
            hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
            readme = child.stem.upper() == "README"  # notes about the folder, not a source
            if hidden or readme:
                continue
            if escapes(child, roots):  # a link, or a file reached through a linked folder
                yield child, _link_reason(child)
            elif child.is_file() and child.suffix.lower() in LOADERS:
                yield child, None


def _link_reason(link: Path) -> str:
    return (
        f"{link}: een koppeling (symlink) naar {link.resolve()}, buiten de mappen "
        "die worden ingelezen. Kopieer het bestand in de map als het erbij hoort."
    )


def load_all(paths: Sequence[Path], skipped: list[tuple[str, str]]) -> list[SourceDocument]:
    """Load every file under ``paths``; what is not loaded is appended to ``skipped`` as
    (path, Dutch reason), so ingest goes on with the rest."""
    docs: dict[str, SourceDocument] = {}
    for path, reason in candidates(paths):
        try:
            if reason is not None:
                raise UnsafeFileError(reason)
            doc = load_document(path)
        except UnreadableDocumentError as e:
            log.warning("skipped %s: %s", path, e)
            skipped.append((str(path), str(e)))
            continue
        if doc.doc_id in docs:
            reason = f"{path}: document-id {doc.doc_id!r} bestaat al ({docs[doc.doc_id].path})"
            skipped.append((str(path), reason))
            continue
        docs[doc.doc_id] = doc
    return list(docs.values())


def load_document(path: Path) -> SourceDocument:
    """Read and clean one file; raises UnreadableDocumentError with the reason."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        known = ", ".join(sorted(LOADERS))
        raise UnreadableDocumentError(
            f"{path}: bestandstype {path.suffix or '(geen)'} wordt niet ondersteund ({known})"
        )
    if not path.is_file():
        raise UnreadableDocumentError(f"{path}: bestand bestaat niet")
    check_size(path)
    if path.suffix.lower() in ZIP_FORMATS:
        check_archive(path)
    raw, meta = _parse(loader, path)
    check_text(raw, str(path))
    check_text_length(len(raw), path)
    text = clean_text(raw)
    if not any(ch.isalnum() for ch in HEADING.sub("", text)):
        what = "alleen koppen, geen tekst" if any(ch.isalnum() for ch in text) else "geen tekst"
        raise UnreadableDocumentError(f"{path}: bevat {what}")
    title = str(meta.pop("title", "") or _first_heading(text) or path.stem)
    url = meta.pop("url", None) or meta.pop("source", None)
    return SourceDocument(
        doc_id=path.stem,
        title=title,
        text=text,
        path=path,
        url=_normalise_url(url),
        meta={k: v for k, v in meta.items() if v not in (None, "", [])},
    )


def _parse(
    loader: Callable[[Path], tuple[str, dict[str, Any]]], path: Path
) -> tuple[str, dict[str, Any]]:
    from pypdf.errors import LimitReachedError

    try:
        return loader(path)
    except UnreadableDocumentError:
        raise
    except LimitReachedError as e:
        raise pdf_bomb(path) from e
    except Exception as e:  # each format's parser raises its own exception types
        raise UnreadableDocumentError(
            f"{path}: kan niet worden gelezen ({type(e).__name__}: {e})"
        ) from e


# Bounded on any input. An emphasis opener scans at most 300 characters for its closer (a line
# of "**a " repeated made the unbounded pattern quadratic); link text has no brackets, so no
# "[" scans past the next one.
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)([^\n]{1,300}?)(?<=\S)\1")
_LINK = re.compile(r"\[([^\[\]]+)\]\((?:[^()\s]+)\)")
# A footnote reference glued to its word ("wijkschool[4]", "112%[3]", Markdown's "[^4]"): not
# content, and in a quoted sentence it would read as a citation of a source that is not there.
_FOOTNOTE_MARK = re.compile(r"(?<=[^\s\[\]])\[\^?\d{1,3}\](?![(:\[])")


def clean_text(raw: str) -> str:
    """Normalise Unicode and whitespace and drop Markdown markup that is not content."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\u00a0", " ")
    text = GARBAGE.sub("", text.replace("\ufeff", ""))  # stray control characters, BOMs
    text = re.sub("[\v\f\r]", "\n", text)  # Word's line breaks, page breaks, old Mac lines
    text = _LINK.sub(r"\1", text)
    text = _FOOTNOTE_MARK.sub("", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def _first_heading(text: str) -> str | None:
    match = re.search(r"^#{1,6}\s+(.+)$", text, flags=re.MULTILINE)
    return match.group(1).strip() if match else None


def _normalise_url(url: object) -> str | None:
    if not url:
        return None
    value = str(url).strip()
    if value.startswith("www."):
        value = "https://" + value
    return value
