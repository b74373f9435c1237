"""The benchmark puts the embedding cache back as an ingest left it, so answers see passages
for the first time in every run, and back as the enrichment left it after that."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.embedding_cache import EmbeddingCache, cache_file
from assistant.settings import Settings
from bench.cachestate import forget_since, kept, vector_keys


def test_forget_since_keeps_what_the_ingest_left(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    cache = EmbeddingCache(cache_file(settings.embedding_cache_dir, settings.embedding_model))
    vector = np.ones(4, dtype=np.float32)
    cache.put_many({b"ingested-1": vector, b"ingested-2": vector})
    ingested = vector_keys(settings)
    cache.put_many({b"answered-1": vector, b"answered-2": vector, b"answered-3": vector})
    assert forget_since(settings, ingested) == 3
    assert vector_keys(settings) == {b"ingested-1", b"ingested-2"}


def test_kept_puts_back_what_forget_since_deleted(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    cache = EmbeddingCache(cache_file(settings.embedding_cache_dir, settings.embedding_model))
    vector = np.ones(4, dtype=np.float32)
    cache.put_many({b"ingested": vector})
    ingested = vector_keys(settings)
    cache.put_many({b"enriched": vector * 2})
    cache.put_splits({b"splits": "1-pysbd0.3.4:0,3"})
    before = vector_keys(settings)
    with kept(settings):
        assert forget_since(settings, ingested) == 2
        assert vector_keys(settings) == ingested
    assert vector_keys(settings) == before
    assert np.array_equal(cache.get_many([b"enriched"])[b"enriched"], vector * 2)
    assert not list(settings.embedding_cache_dir.glob("*.kept"))
