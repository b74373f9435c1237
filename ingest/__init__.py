"""Ingest: load, clean, chunk, embed and index source documents into Chroma."""

from ingest.enrich import (
    EnrichSummary,
    enrich,
    enrich_if_asked,
    enrich_in_background,
    is_prepared,
)
from ingest.index import IngestSummary, delete_documents, ingest_paths

__all__ = [
    "EnrichSummary",
    "IngestSummary",
    "delete_documents",
    "enrich",
    "enrich_if_asked",
    "enrich_in_background",
    "ingest_paths",
    "is_prepared",
]
