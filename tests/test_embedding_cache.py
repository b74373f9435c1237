"""The embedding cache: no text is embedded twice across indexes that share it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.catalog import CATALOG_FILE
from assistant.embedding_cache import EmbeddingCache, cache_file
from assistant.embedding_models import build_embeddings, cached_embeddings
from assistant.settings import Settings
from assistant.store import open_client, read_state
from ingest import ingest_paths


def test_a_second_index_with_the_same_cache_computes_nothing(
    tmp_path: Path, corpus_dir: Path
) -> None:
    shared = tmp_path / "cache"
    first = ingest_paths(
        [corpus_dir], Settings(data_dir=tmp_path / "a", cache_dir=shared), progress=False
    )
    second = ingest_paths(
        [corpus_dir], Settings(data_dir=tmp_path / "b", cache_dir=shared), progress=False
    )
    assert first.computed == first.embedded == first.chunks > 0
    assert second.embedded == second.chunks == first.chunks
    assert second.computed == 0
    [file] = shared.glob("embeddings-*.sqlite3")
    assert len(EmbeddingCache(file)) == first.chunks


def test_cached_vectors_are_the_models_vectors(fresh_settings: Settings) -> None:
    texts = ["De gemeente steunt de aanvraag.", "Een kindcentrum is er voor kinderen van 0-12."]
    cached = cached_embeddings(fresh_settings)
    computed = cached.embed_array(texts)
    again = cached_embeddings(fresh_settings).embed_array([texts[1], texts[0], texts[1]])
    direct = np.asarray(build_embeddings(fresh_settings).embed_documents(texts), np.float32)
    assert cached.computed == 2
    np.testing.assert_allclose(computed, direct, atol=1e-6)
    np.testing.assert_array_equal(again, computed[[1, 0, 1]])


def test_each_model_has_its_own_cache_file(tmp_path: Path) -> None:
    assert cache_file(tmp_path, "all-MiniLM-L6-v2") != cache_file(tmp_path, "use-multilingual-v3")
    # Two local folders with the same last name are different models.
    assert cache_file(tmp_path, "/a/model") != cache_file(tmp_path, "/b/model")


def test_documents_are_recorded_in_the_catalog_not_in_collection_metadata(
    fresh_settings: Settings, corpus_dir: Path
) -> None:
    ingest_paths([corpus_dir], fresh_settings, progress=False)
    client = open_client(fresh_settings)
    meta = client.get_collection(fresh_settings.collection).metadata
    assert "documents" not in meta and meta["documents_count"] == 2
    assert (fresh_settings.chroma_dir / CATALOG_FILE).is_file()
    state = read_state(client, fresh_settings.collection)
    assert state is not None
    assert sorted(state.documents) == ["integrale-kindcentra", "unesco-learning-cities"]
    assert state.documents["unesco-learning-cities"]["chunks"] > 0


def test_an_open_cache_sees_what_another_writes_and_serves_every_thread(tmp_path: Path) -> None:
    """Each thread keeps its connection open (with its pages): a lookup still sees what another
    process (here another cache object on the same file) committed since, and threads do not
    share a connection."""
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "cache.sqlite3"
    reader, writer = EmbeddingCache(path), EmbeddingCache(path)
    key, vector = b"k" * 16, np.arange(4, dtype=np.float32)
    assert reader.get_many([key]) == {}
    assert reader.get_splits([key]) == {}
    writer.put_many({key: vector})
    writer.put_splits({key: "1-pysbd0.3.4:0,3"})
    np.testing.assert_array_equal(reader.get_many([key])[key], vector)
    assert reader.get_splits([key]) == {key: "1-pysbd0.3.4:0,3"}

    def round_trip(n: int) -> bool:
        own = bytes([n]) * 16
        reader.put_many({own: vector + n})
        return bool(np.array_equal(reader.get_many([own])[own], vector + n))

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(round_trip, range(16)))
    assert len(writer) == 17
