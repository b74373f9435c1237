"""Load source files (.md, .txt, .html, .pdf, .docx) into clean text documents with metadata."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import UnreadableDocumentError


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


def _load_markdown(path: Path) -> tuple[str, dict[str, Any]]:
    import frontmatter

    post = frontmatter.loads(path.read_text(encoding="utf-8"))
    return post.content, dict(post.metadata)


def _load_text(path: Path) -> tuple[str, dict[str, Any]]:
    return path.read_text(encoding="utf-8"), {}


def _load_html(path: Path) -> tuple[str, dict[str, Any]]:
    import html2text
    from bs4 import BeautifulSoup

    raw = path.read_text(encoding="utf-8", errors="strict")
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

    reader = PdfReader(str(path), strict=False)
    text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
    meta: dict[str, Any] = {}
    title = reader.metadata.title if reader.metadata else None
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


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Supported files under the given files and folders, in a stable order.

    Inside folders, hidden files and README files (notes about the folder, not sources) are
    left out; a file named on its own is always taken.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                readme = child.stem.upper() == "README"  # notes about the folder, not a source
                if child.is_file() and child.suffix.lower() in LOADERS and not (hidden or readme):
                    yield child
        else:
            yield path


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
    try:
        raw, meta = loader(path)
    except Exception as e:  # each format's parser raises its own exception types
        raise UnreadableDocumentError(
            f"{path}: kan niet worden gelezen ({type(e).__name__}: {e})"
        ) from e
    text = clean_text(raw)
    if not text.strip():
        raise UnreadableDocumentError(f"{path}: bevat geen tekst")
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


_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^)\s]+)\)")


def clean_text(raw: str) -> str:
    """Normalise Unicode and whitespace and drop Markdown markup that is not content."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\u00a0", " ")
    text = _LINK.sub(r"\1", text)
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
