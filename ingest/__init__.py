"""Ingest: load, clean, chunk, embed and index source documents into Chroma."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING

from assistant.lazy import lazy_exports

if TYPE_CHECKING:
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

# The module each public name comes from, imported when the name is first asked for (PEP 562),
# so the encoder's worker process (`ingest.encoder`) imports neither of them.
_HOMES = {
    "EnrichSummary": "ingest.enrich",
    "IngestSummary": "ingest.index",
    "delete_documents": "ingest.index",
    "enrich": "ingest.enrich",
    "enrich_if_asked": "ingest.enrich",
    "enrich_in_background": "ingest.enrich",
    "ingest_paths": "ingest.index",
    "is_prepared": "ingest.enrich",
}


# Type checkers see only the imports above, so a name that is not there is still an error.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _HOMES, __all__)


class _Package(ModuleType):
    """This package, whose `enrich` stays the function when the submodule `ingest.enrich` loads."""

    def __setattr__(self, name: str, value: object) -> None:
        # The import system binds a submodule on its package once it has loaded (here:
        # `ingest.enrich`, the module, over `enrich`, the function). The eager package bound the
        # function last, so `from ingest import enrich` gave the function whatever was imported
        # first; this keeps it so.
        if name == "enrich" and isinstance(value, ModuleType):
            value = value.enrich
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
