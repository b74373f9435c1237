"""A passage's prepared sentence vectors depend on the passage alone and are read from the
embedding cache in any process; a passage not prepared is computed with the question (as the
`answer` setting does) and nothing is written; LEERSTAD_SENTENCE_VECTORS=ingest prepares them
at ingest."""

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


class _Other:
    """The embed function for texts the passages do not give: records what it is asked."""

    def __init__(self, settings: Settings) -> None:
        from assistant.answering.extractive import SentenceVectors

        self.vectors = SentenceVectors(settings)
        self.asked: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.asked.extend(texts)
        return self.vectors(texts)


def test_prepared_vectors_depend_on_the_passage_alone_and_unprepared_ones_are_not_kept(
    corpus_settings: Settings, tmp_path: Path
) -> None:
    from bench.cachestate import vector_keys
    from ingest import enrich

    settings = corpus_settings.with_(cache_dir=tmp_path / "cache", sentence_vectors="after")
    other = _Other(settings)
    vectors = passage_vectors.PassageVectors(settings, other)
    a, b, c = vectors.with_splits(_chunks(settings))
    assert a.sentences is None  # not prepared: split later, as by default
    texts = [*passage_vectors.batch(a), *passage_vectors.passage_words(a)[:5]]
    vectors.for_passages([a])(texts)
    assert other.asked == texts  # all with the question's batch, in one call
    assert not vector_keys(settings)  # and nothing kept

    enrich(settings, progress=False)
    other = _Other(settings)
    a, b, c = passage_vectors.PassageVectors(settings, other).with_splits([a, b, c])
    assert a.sentences is not None
    alone = passage_vectors.PassageVectors(settings, other).for_passages([a])(texts)
    # Other passages beside it, and other texts in the same call, change nothing.
    beside = passage_vectors.PassageVectors(settings, other).for_passages([c, a, b])
    assert np.array_equal(beside([QUESTION, *texts])[1:], alone)
    assert other.asked == [QUESTION]  # the rest from the cache, in each new PassageVectors


def test_ingest_prepares_them_when_asked(
    fresh_settings: Settings, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With LEERSTAD_SENTENCE_VECTORS=ingest no answer encodes a passage's sentences or text:
    the default's answer, but for the confidence's 7th digit; on an index built without it,
    the setting answers as the default, the confidence included."""
    from assistant import Assistant
    from assistant.answering import extractive
    from ingest import ingest_paths

    docs = tmp_path / "docs"
    shutil.copytree(corpus_dir, docs)
    by_default = fresh_settings.with_(data_dir=tmp_path / "default")
    ingest_paths([docs], by_default, progress=False)
    default = Assistant(by_default).answer(QUESTION)
    unprepared = Assistant(by_default.with_(sentence_vectors="ingest")).answer(QUESTION)
    assert (unprepared.text, unprepared.sources, unprepared.confidence) == (
        default.text,
        default.sources,
        default.confidence,
    )

    at_ingest = fresh_settings.with_(sentence_vectors="ingest")
    ingest_paths([docs], at_ingest, progress=False)
    passages = {t for c in _chunks(at_ingest) for t in passage_vectors.batch(c)}
    encoded: list[str] = []
    original = extractive.encode

    def counted(model: object, batches: list[list[str]]) -> np.ndarray:
        encoded.extend(t for b in batches for t in b)
        return original(model, batches)

    monkeypatch.setattr(extractive, "encode", counted)
    answer = Assistant(at_ingest).answer(QUESTION)
    assert encoded and not passages & set(encoded)
    assert not answer.abstained
    assert (answer.text, answer.sources) == (default.text, default.sources)
    assert answer.confidence == pytest.approx(default.confidence, abs=1e-6)
