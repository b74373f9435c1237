"""The ingest pipeline: a large build encodes in a worker process while chunks are made and
written; a failure in any stage ends the ingest with that error and leaves the old index."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant import Assistant
from assistant.embeddings import UniversalSentenceEncoder
from assistant.errors import EmbeddingModelError
from assistant.settings import Settings
from assistant.store import open_client, read_state
from ingest import ingest_paths
from ingest.encoder import LocalEncoder, ProcessEncoder, result
from ingest.errors import EncoderLostError

QUESTION = "Moet onze gemeente betalen om lid te worden?"


@pytest.fixture
def corpus_copy(tmp_path: Path, corpus_dir: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(corpus_dir, target)
    return target


@pytest.fixture
def in_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make even this small corpus a 'large' ingest, encoded in a worker process, in batches
    of 8 chunks, so several are on their way at once."""
    import ingest.encoder
    import ingest.index

    monkeypatch.setattr(ingest.encoder, "PROCESS_FROM", 0)
    monkeypatch.setattr(ingest.index, "BATCH", 8)


def stored(settings: Settings) -> dict[str, Any]:
    got = open_client(settings).get_collection(settings.collection).get(include=["embeddings"])
    return dict(zip(got["ids"], got["embeddings"], strict=True))


def test_a_build_encoded_in_a_worker_process_equals_one_encoded_here(
    corpus_copy: Path, tmp_path: Path, in_a_process: None
) -> None:
    here = Settings(data_dir=tmp_path / "here", corpus_dir=corpus_copy)
    there = Settings(data_dir=tmp_path / "there", corpus_dir=corpus_copy)
    import ingest.encoder

    summary = ingest_paths([corpus_copy], there, progress=False)
    ingest.encoder.PROCESS_FROM = 10**9  # the same ingest with the model in this process
    ingest_paths([corpus_copy], here, progress=False)

    assert summary.computed == summary.embedded == summary.chunks > 8  # several batches
    assert summary.encode_seconds > 0  # measured in the worker, reported here
    a, b = stored(here), stored(there)
    assert a.keys() == b.keys()
    assert all(np.allclose(a[i], b[i], atol=1e-6) for i in a)
    assert "niet vereist" in Assistant(there).answer(QUESTION).text
    assert multiprocessing.active_children() == []  # the worker has ended


def test_a_build_encoded_in_a_worker_loads_the_model_only_there(
    corpus_copy: Path, tmp_path: Path, in_a_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.embedding_models
    import ingest.encoder

    built: list[int] = []

    class Counted(UniversalSentenceEncoder):
        """The real model, counting how often this process constructs it."""

        def __init__(self, threads: int = 2) -> None:
            built.append(threads)
            super().__init__(threads)

    monkeypatch.setattr(assistant.embedding_models, "UniversalSentenceEncoder", Counted)
    # Another batch size than the session's, so no model this process built before is reused.
    there = Settings(data_dir=tmp_path / "there", corpus_dir=corpus_copy, embedding_batch_size=17)

    summary = ingest_paths([corpus_copy], there, progress=False)

    assert summary.computed == summary.chunks > 8  # the worker embedded every chunk...
    assert built == []  # ...and this process never loaded the model beside it
    state = read_state(open_client(there), there.collection)
    assert state is not None and state.embedding_dim == 512  # learnt from the vectors
    # The count is real: the same ingest with the model in this process loads it here, once.
    monkeypatch.setattr(ingest.encoder, "PROCESS_FROM", 10**9)
    ingest_paths([corpus_copy], there.with_(data_dir=tmp_path / "here"), progress=False)
    assert len(built) == 1


@pytest.mark.parametrize("process_from", [0, 10**9], ids=["worker", "here"])
def test_an_unavailable_model_fails_the_rebuild_clearly_and_keeps_the_old_index(
    corpus_copy: Path,
    fresh_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    process_from: int,
) -> None:
    import huggingface_hub.constants

    import ingest.encoder

    ingest_paths([corpus_copy], fresh_settings, progress=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # inherited by the worker process
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(ingest.encoder, "PROCESS_FROM", process_from)
    missing = fresh_settings.with_(embedding_model="leerstad-test/bestaat-niet")

    with pytest.raises(EmbeddingModelError) as info:
        ingest_paths([corpus_copy], missing, rebuild=True, progress=False)

    assert "'leerstad-test/bestaat-niet'" in str(info.value)
    assert "LEERSTAD_EMBEDDING_MODEL" in str(info.value)  # the fix is named
    assert multiprocessing.active_children() == []
    assert "niet vereist" in Assistant(fresh_settings).answer(QUESTION).text


def fail_in_chunking(monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.index

    real = ingest.index.chunk_document
    seen: list[str] = []

    def chunk(doc: Any, *args: Any) -> Any:
        seen.append(doc.doc_id)
        if len(seen) == 2:
            raise RuntimeError("kapotte tekst")  # fault injection in the chunking stage
        return real(doc, *args)

    monkeypatch.setattr(ingest.index, "chunk_document", chunk)


def fail_in_writing(monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.index

    real = ingest.index._upsert
    calls: list[object] = []

    def upsert(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("schijf vol")  # fault injection in the writing stage
        real(*args)

    monkeypatch.setattr(ingest.index, "_upsert", upsert)


@pytest.mark.parametrize(
    ("fault", "message"),
    [(fail_in_chunking, "kapotte tekst"), (fail_in_writing, "schijf vol")],
    ids=["chunking", "writing"],
)
def test_a_failing_stage_ends_the_rebuild_with_its_error_and_keeps_the_old_index(
    corpus_copy: Path,
    fresh_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    in_a_process: None,
    fault: Any,
    message: str,
) -> None:
    ingest_paths([corpus_copy], fresh_settings, progress=False)
    before = stored(fresh_settings)
    fault(monkeypatch)

    with pytest.raises(RuntimeError, match=message):
        ingest_paths([corpus_copy], fresh_settings, rebuild=True, progress=False)

    assert multiprocessing.active_children() == []  # the worker was stopped, not left behind
    assert stored(fresh_settings).keys() == before.keys()
    assert "niet vereist" in Assistant(fresh_settings).answer(QUESTION).text


def test_an_error_in_the_worker_is_raised_here_as_the_same_error(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    bad = [123]  # not a text: the model itself raises
    with pytest.raises(Exception) as here:
        result(LocalEncoder(settings).submit(bad))  # type: ignore[arg-type]
    encoder = ProcessEncoder(settings)
    try:
        assert result(encoder.submit(["Een zin over de bibliotheek."])).vectors.shape == (1, 512)
        with pytest.raises(here.type, match=re.escape(str(here.value))):
            result(encoder.submit(bad))  # type: ignore[arg-type]
        # The worker survives a failing batch.
        assert result(encoder.submit(["Nog een zin."])).vectors.shape == (1, 512)
    finally:
        encoder.close(cancel=True)


def test_a_worker_that_dies_is_a_clear_error(tmp_path: Path) -> None:
    encoder = ProcessEncoder(Settings(data_dir=tmp_path))
    try:
        dying = encoder._pool.submit(os._exit, 1)  # fault injection: the worker process dies
        with pytest.raises(EncoderLostError, match="onverwacht gestopt"):
            result(dying)
        with pytest.raises(EncoderLostError, match="nog eens uit"):
            result(encoder.submit(["Een zin."]))
    finally:
        encoder.close(cancel=True)
    assert multiprocessing.active_children() == []


def test_the_keyword_index_from_the_ingest_tokens_equals_one_read_back(
    corpus_copy: Path, fresh_settings: Settings
) -> None:
    from assistant.retrieval.keyword import KeywordIndex
    from assistant.store import open_index
    from assistant.text.analysis import tokenize

    ingest_paths([corpus_copy], fresh_settings, progress=False)
    index = open_index(fresh_settings)
    made = index.keyword()  # saved by the ingest, from the tokens it made while writing
    read = KeywordIndex._build(index.collection, index.revision, {})
    assert sorted(made.ids) == sorted(read.ids) and len(made.ids) == index.collection.count()
    assert made.doc_freq == read.doc_freq
    query = tokenize("Moet onze gemeente betalen om lid te worden?")
    assert made.search(query, 5) == read.search(query, 5) != []
