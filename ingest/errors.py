"""Errors raised while ingesting; each carries a Dutch message for the CLI and the UI."""

from __future__ import annotations

from assistant.errors import LeerstadError


class IngestError(LeerstadError):
    """Base class for ingest failures."""


class UnreadableDocumentError(IngestError):
    """One file could not be read; ingest skips it and names it in the summary."""


class NoDocumentsError(IngestError):
    """The given paths hold no supported documents."""
