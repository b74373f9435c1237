"""Ingest: load, clean, chunk, embed and index source documents into Chroma."""

from ingest.index import IngestSummary, delete_documents, ingest_paths

__all__ = ["IngestSummary", "delete_documents", "ingest_paths"]
