"""Errors raised while ingesting; each carries a Dutch message for the CLI and the UI."""

from __future__ import annotations

from assistant.errors import LeerstadError, VectorStoreUnavailableError


class IngestError(LeerstadError):
    """Base class for ingest failures."""


class UnreadableDocumentError(IngestError):
    """One file could not be read; ingest skips it and names it in the summary."""


class BinaryContentError(UnreadableDocumentError):
    """A file's content is not text (NUL bytes, control characters, an unknown encoding)."""


class FrontMatterError(UnreadableDocumentError):
    """A Markdown file's front matter is not valid YAML or has a field of the wrong type."""


class UnsafeFileError(UnreadableDocumentError):
    """A file exceeds a stated bound (size, unpacked size, ratio) or leads outside the roots."""


class NoDocumentsError(IngestError):
    """The given paths hold no supported documents."""


class StoreLostError(IngestError, VectorStoreUnavailableError):
    """The Chroma server stopped answering while the index was being written."""


class EncoderLostError(IngestError):
    """The process that embeds the texts of a large ingest died before it was done."""
