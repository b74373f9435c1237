"""A passage's sentence vectors depend on the passage alone and are computed once, in any
process (kept in the embedding cache), or at ingest with LEERSTAD_SENTENCE_VECTORS=ingest."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant import passage_vectors
from assistant.settings import Settings

QUESTION = "Hoe kan onze gemeente lid worden van het UNESCO Learning Cities netwerk?"


def _chunks(settings: Settings) -> list:  # a few chunks of the index, as retrieval reads them
    from assistant.retrieval.hybrid import chunks_from
    from assistant.store import open_index

    got = open_index(settings).collection.get(limit=3, include=["documents", "metadatas"])
    return chunks_from(got)


def _forbid_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> np.ndarray:
        raise AssertionError("a passage was encoded")

    monkeypatch.setattr(passage_vectors, "encode", refuse)


def _vectors(settings: Settings) -> passage_vectors.PassageVectors:
    from assistant.answering.extractive import SentenceVectors

    return passage_vectors.PassageVectors(settings, SentenceVectors(settings))


def test_vectors_depend_on_the_passage_alone_and_are_kept(
    corpus_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = corpus_settings.with_(cache_dir=tmp_path / "cache")
    a, b, c = _chunks(settings)
    texts = [*passage_vectors.batch(a), *passage_vectors.passage_words(a)[:5]]
    alone = _vectors(settings).for_passages([a])(texts)
    # Other passages beside it, and other texts in the same call, change nothing.
    beside = _vectors(settings).for_passages([c, a, b])
    assert np.array_equal(beside([QUESTION, "gemeente", *texts])[2:], alone)
    # A new process (new PassageVectors) finds them in the embedding cache.
    _forbid_encoding(monkeypatch)
    assert np.array_equal(_vectors(settings).for_passages([b, a])(texts), alone)


def test_ingest_computes_them_when_asked(
    fresh_settings: Settings, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With LEERSTAD_SENTENCE_VECTORS=ingest no answer encodes a passage or a word: the answer
    is the one computed at answer time, and the default's but for the confidence's 7th digit."""
    from assistant import Assistant
    from ingest import ingest_paths

    docs = tmp_path / "docs"
    shutil.copytree(corpus_dir, docs)
    by_default = fresh_settings.with_(data_dir=tmp_path / "default")
    ingest_paths([docs], by_default, progress=False)
    default = Assistant(by_default).answer(QUESTION)
    expected = Assistant(by_default.with_(sentence_vectors="ingest")).answer(QUESTION)

    at_ingest = fresh_settings.with_(sentence_vectors="ingest")
    ingest_paths([docs], at_ingest, progress=False)
    _forbid_encoding(monkeypatch)
    answer = Assistant(at_ingest).answer(QUESTION)
    assert not answer.abstained
    assert (answer.text, answer.sources, answer.confidence) == (
        expected.text,
        expected.sources,
        expected.confidence,
    )
    assert (answer.text, answer.sources) == (default.text, default.sources)
    assert answer.confidence == pytest.approx(default.confidence, abs=1e-6)
