"""store.open_index: one Index per revision, reopened when a writer moved the revision on."""

from __future__ import annotations

from pathlib import Path

import pytest

import assistant.retrieval.keyword
from assistant.settings import Settings
from assistant.store import open_index, warm_up
from ingest import ingest_paths


def test_index_is_fresh_until_a_writer_changes_it(
    fresh_settings: Settings, ingested_docs: Path
) -> None:
    docs = ingested_docs
    index = open_index(fresh_settings)
    assert index.is_current() and index.fresh() is index

    ingest_paths([docs], fresh_settings, progress=False)  # nothing changed
    assert index.fresh() is index

    (docs / "extra.txt").write_text("Het zwembad opent de knorretjesbaan op zaterdag.\n")
    ingest_paths([docs], fresh_settings, progress=False)
    assert not index.is_current()
    newer = index.fresh()
    assert newer.revision == index.revision + 1
    assert "extra" in newer.state.documents and "extra" not in index.state.documents


def test_warm_up_loads_the_model_and_the_keyword_index(
    corpus_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assistant.retrieval.keyword, "_MEMORY", {})
    index = warm_up(corpus_settings)
    assert index.vectors.embeddings is not None
    assert len(assistant.retrieval.keyword._MEMORY) == 1
    assert next(iter(assistant.retrieval.keyword._MEMORY.values())).size == index.collection.count()


def test_an_index_from_before_the_catalog_is_read_and_migrated(
    fresh_settings: Settings, corpus_dir: Path
) -> None:
    import json

    from assistant.catalog import catalog_for

    ingest_paths([corpus_dir], fresh_settings, progress=False)
    index = open_index(fresh_settings)
    # As the previous version wrote it: the documents as one JSON value in the metadata.
    legacy = {
        d: {k: v for k, v in i.items() if k != "chunking"} for d, i in index.state.documents.items()
    }
    catalog_for(index.client).drop(str(index.collection.id))
    meta = {k: v for k, v in index.collection.metadata.items() if k != "complete"}
    index.collection.modify(metadata={**meta, "documents": json.dumps(legacy)})

    assert sorted(open_index(fresh_settings).state.documents) == sorted(legacy)
    summary = ingest_paths([corpus_dir], fresh_settings, progress=False)

    assert summary.embedded == 0 and sorted(summary.unchanged) == sorted(legacy)
    migrated = open_index(fresh_settings)
    assert "documents" not in migrated.collection.metadata
    assert sorted(catalog_for(migrated.client).load(str(migrated.collection.id))) == sorted(legacy)
