"""A saved keyword index that no longer matches its collection is detected and rebuilt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.retrieval.keyword import KeywordIndex
from assistant.settings import Settings
from assistant.store import open_index, reset_client_cache
from assistant.text.analysis import tokenize
from ingest import ingest_paths


@pytest.fixture
def indexed(fresh_settings: Settings, ingested_docs: Path) -> Settings:
    return fresh_settings


def test_chunks_written_without_a_new_revision_make_the_index_stale(
    indexed: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.retrieval.keyword

    index = open_index(indexed)
    before = index.keyword()
    # What a writer killed before it moved the revision on leaves behind: one more chunk.
    vector = index.vectors.embeddings.embed_query("knorretjesbaan")  # type: ignore[union-attr]
    index.collection.add(
        ids=["zwembad#0000"],
        embeddings=[vector],
        documents=["Het zwembad opent de knorretjesbaan op zaterdag."],
        metadatas=[{"doc_id": "zwembad", "title": "Zwembad"}],
    )
    monkeypatch.setattr(
        assistant.retrieval.keyword, "_MEMORY", {}
    )  # as in a freshly started process

    after = index.keyword()

    assert after.revision == before.revision
    assert after.size == before.size + 1
    assert [i for i, _ in after.search(tokenize("knorretjesbaan"), 3)] == ["zwembad#0000"]


def test_an_index_saved_for_another_collection_of_the_same_name_is_rebuilt(
    indexed: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.retrieval.keyword

    old = open_index(indexed).keyword()
    folder = KeywordIndex.folder(indexed, indexed.collection, old.revision)
    kept = tmp_path / "kept"
    shutil.copytree(folder, kept)
    # The data folder's index is thrown away and built again: same name, same revision.
    shutil.rmtree(indexed.chroma_dir)
    reset_client_cache()
    only = tmp_path / "only"
    only.mkdir()
    (only / "a.txt").write_text("Het zwembad opent de knorretjesbaan op zaterdag.\n")
    ingest_paths([only], indexed, progress=False)
    index = open_index(indexed)
    shutil.rmtree(KeywordIndex.folder(indexed, indexed.collection, index.revision))
    shutil.copytree(kept, KeywordIndex.folder(indexed, indexed.collection, index.revision))
    monkeypatch.setattr(assistant.retrieval.keyword, "_MEMORY", {})

    rebuilt = index.keyword()

    assert index.revision == old.revision
    assert rebuilt.size == 1 and rebuilt.collection_id == str(index.collection.id)
