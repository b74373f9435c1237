"""The passage enrichment after an ingest (LEERSTAD_SENTENCE_VECTORS=after): answers before it
(the `answer` setting's), halfway, after it and with the `ingest` setting say the same, after it
they split and encode no passage, and an interrupted enrichment resumes where it stopped."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant import passage_vectors
from assistant.settings import Settings
from assistant.text import sentences
from bench.cachestate import forget_since

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fresh_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """An empty data directory of this test, with the passages prepared after the ingest (the
    CLI reads the setting from the environment)."""
    monkeypatch.setenv("LEERSTAD_SENTENCE_VECTORS", "after")
    return Settings(
        data_dir=tmp_path / "data", corpus_dir=ROOT / "corpus", sentence_vectors="after"
    )


QUESTIONS = (
    "Hoe kan onze gemeente lid worden van het UNESCO Learning Cities netwerk?",
    "Wat is een integraal kindcentrum?",
)


def _answers(settings: Settings) -> list[tuple[str, tuple[object, ...], bool, float]]:
    from assistant import Assistant

    assistant = Assistant(settings)
    return [
        (a.text, a.sources, a.abstained, a.confidence)
        for a in (assistant.answer(q) for q in QUESTIONS)
    ]


def _docs(corpus_dir: Path, tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    shutil.copytree(corpus_dir, docs)
    return docs


def _passage_texts(settings: Settings) -> set[str]:
    from assistant.store import open_index

    return set(open_index(settings).collection.get(include=["documents"])["documents"])


def _encoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the answers hand the model from now on (passage batches, words alone, or
    with the question)."""
    from assistant.answering import extractive

    seen: list[str] = []

    def counted(model: object, batches: list[list[str]]) -> np.ndarray:
        seen.extend(t for b in batches for t in b)
        return original(model, batches)

    original = passage_vectors.encode
    monkeypatch.setattr(passage_vectors, "encode", counted)
    monkeypatch.setattr(extractive, "encode", counted)
    return seen


def _split(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every passage split into sentences from now on (any way of splitting one ends here)."""
    split: list[str] = []
    original = sentences.sentence_offsets

    def counted(text: str) -> list[tuple[int, int]]:
        split.append(text)
        return original(text)

    monkeypatch.setattr(sentences, "sentence_offsets", counted)
    sentences.split_sentences.cache_clear()
    return split


def _same_answers(a: list[tuple], b: list[tuple]) -> None:
    """Text, sources and abstained identical; the confidence may differ in its 7th digit (a
    vector of a text encoded in another batch differs by up to 3e-7 per component)."""
    assert [x[:3] for x in a] == [x[:3] for x in b]
    assert [x[3] for x in a] == pytest.approx([x[3] for x in b], abs=1e-6)


def test_answers_before_during_and_after_the_enrichment_are_the_same(
    fresh_settings: Settings, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the enrichment an answer computes what it lacks as the `answer` setting does (its
    very answers) and writes nothing; halfway, and after it, the same text, sources and
    abstentions; after it, what the `ingest` setting gives, splitting and encoding no passage."""
    from bench.cachestate import vector_keys
    from ingest import enrich, ingest_paths

    assert fresh_settings.sentence_vectors == "after"
    docs = _docs(corpus_dir, tmp_path)
    # The `ingest` setting's index and answers, in a folder (and embedding cache) of its own.
    at_ingest = fresh_settings.with_(data_dir=tmp_path / "at-ingest", sentence_vectors="ingest")
    ingest_paths([docs], at_ingest, progress=False)
    prepared_at_ingest = _answers(at_ingest)
    assert any(not abstained for _, _, abstained, _ in prepared_at_ingest)

    ingest_paths([docs], fresh_settings, progress=False)
    ingested = vector_keys(fresh_settings)
    by_default = _answers(fresh_settings.with_(sentence_vectors="answer"))
    before = _answers(fresh_settings)
    assert before == by_default  # the confidence included: the same computation
    assert vector_keys(fresh_settings) == ingested  # answers leave the storing to the enrichment

    first = enrich(fresh_settings, progress=False)
    texts = _passage_texts(fresh_settings)
    assert (first.chunks, first.split) == (len(texts), len(texts))
    assert first.vectors > 2 * len(texts)  # each passage's sentences and text, and its words
    enriched = vector_keys(fresh_settings)

    encoded, split = _encoded(monkeypatch), _split(monkeypatch)
    after = _answers(fresh_settings)
    assert after == prepared_at_ingest
    _same_answers(after, before)
    assert not texts & set(split)
    passage_sentences = {s for t in texts for s in sentences.split_sentences(t)}
    assert not (texts | passage_sentences) & set(encoded)

    # Halfway: half of what the enrichment added is gone again.
    added = sorted(enriched - ingested)
    forget_since(fresh_settings, enriched - set(added[len(added) // 2 :]))
    _same_answers(_answers(fresh_settings), before)


def test_an_interrupted_enrichment_resumes_and_a_complete_one_computes_nothing(
    fresh_settings: Settings, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.embedding_cache import EmbeddingCache, cache_file
    from bench.cachestate import vector_keys
    from ingest import encoder as encoders
    from ingest import enrich, ingest_paths
    from ingest.enrich import PREPARED

    ingest_paths([_docs(corpus_dir, tmp_path)], fresh_settings, progress=False)
    ingested = vector_keys(fresh_settings)
    first = enrich(fresh_settings, progress=False)
    enriched = vector_keys(fresh_settings)
    # As if it had stopped halfway: the second half of what it added is gone, and so is the
    # mark a complete run leaves.
    added = sorted(enriched - ingested)
    forget_since(fresh_settings, enriched - set(added[len(added) // 2 :]))
    cache_path = cache_file(fresh_settings.embedding_cache_dir, fresh_settings.embedding_model)
    EmbeddingCache(cache_path).put_mark(PREPARED, "stopped halfway")
    again = enrich(fresh_settings, progress=False)
    assert 0 < again.vectors + again.split < first.vectors + first.split
    assert vector_keys(fresh_settings) == enriched

    def refuse(*_: object) -> None:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(encoders, "build_embeddings", refuse)
    last = enrich(fresh_settings, progress=False)
    assert (last.chunks, last.split, last.vectors) == (first.chunks, 0, 0)


def test_the_command_says_the_index_is_usable_before_it_enriches(
    fresh_settings: Settings,
    corpus_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from leerstad.cli import main

    monkeypatch.setenv("LEERSTAD_DATA_DIR", str(fresh_settings.data_dir))
    assert main(["ingest", "--quiet", str(_docs(corpus_dir, tmp_path))]) == 0
    out = capsys.readouterr().out.splitlines()
    usable = next(i for i, line in enumerate(out) if "klaar voor gebruik" in line)
    enriched = next(i for i, line in enumerate(out) if line.startswith("Zinnen voorbereid"))
    assert usable < enriched
    assert f"voor {len(_passage_texts(fresh_settings))} stukken" in out[enriched]


def test_a_stopped_preparation_leaves_the_index_in_use_and_says_so(
    fresh_settings: Settings,
    corpus_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ingest
    from leerstad.cli import main

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest, "enrich", interrupted)
    monkeypatch.setenv("LEERSTAD_DATA_DIR", str(fresh_settings.data_dir))
    assert main(["ingest", "--quiet", str(_docs(corpus_dir, tmp_path))]) == 130
    err = capsys.readouterr().err
    assert "Voorbereiden afgebroken" in err and "klaar en in gebruik" in err
    assert _passage_texts(fresh_settings)  # the index was committed before


def test_the_web_app_s_ingests_prepare_in_the_background_with_the_setting(
    fresh_settings: Settings, corpus_dir: Path, tmp_path: Path
) -> None:
    from assistant.store import open_index, reset_client_cache
    from ingest import enrich, enrich_in_background, ingest_paths

    ingest_paths([_docs(corpus_dir, tmp_path)], fresh_settings, progress=False)
    assert enrich_in_background(fresh_settings.with_(sentence_vectors="answer")) is None
    process = enrich_in_background(fresh_settings)
    assert process is not None and process.pid != os.getpid()
    # Meanwhile this process's own Chroma client is reset (as the app does when the index
    # changed) and used: with the preparation in a thread of this process that broke both.
    reset_client_cache()
    assert open_index(fresh_settings).state.documents
    process.join(timeout=300)
    assert process.exitcode == 0
    again = enrich(fresh_settings, progress=False)  # everything was prepared already
    assert again.chunks == len(_passage_texts(fresh_settings)) > 0
    assert (again.split, again.vectors) == (0, 0)


def test_by_default_the_eval_s_own_index_is_prepared_before_it_asks(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from evals.run import eval_settings
    from ingest import enrich

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=ROOT / "corpus")
    assert settings.sentence_vectors == "after"  # the default
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "extra.md").write_text("# Extra\n\nEen extra document. Met twee zinnen.\n")
    with eval_settings(settings, [extra], progress=False) as scratch:
        again = enrich(scratch, progress=False)  # finds everything prepared
        assert again.chunks == len(_passage_texts(scratch)) > 0
        assert (again.split, again.vectors) == (0, 0)


def test_the_web_app_prepares_what_the_cache_lacks_of_an_existing_index_at_start(
    fresh_settings: Settings, corpus_dir: Path, tmp_path: Path
) -> None:
    from ingest import enrich, ingest_paths
    from web.server import ensure_index

    ingest_paths([_docs(corpus_dir, tmp_path)], fresh_settings, progress=False)  # not prepared
    assert ensure_index(fresh_settings.with_(sentence_vectors="answer")) is None
    process = ensure_index(fresh_settings)  # an index that exists: nothing built, prepared
    assert process is not None
    process.join(timeout=300)
    again = enrich(fresh_settings, progress=False)
    assert again.chunks == len(_passage_texts(fresh_settings)) > 0
    assert (again.split, again.vectors) == (0, 0)
    # The cache marks the revision as prepared: the next start reads no passage at all.
    assert again.already and ensure_index(fresh_settings) is None


def test_a_new_revision_is_not_taken_for_prepared(
    fresh_settings: Settings, corpus_dir: Path, tmp_path: Path
) -> None:
    from ingest import enrich, ingest_paths, is_prepared

    docs = _docs(corpus_dir, tmp_path)
    ingest_paths([docs], fresh_settings, progress=False)
    assert not is_prepared(fresh_settings)
    first = enrich(fresh_settings, progress=False)
    assert not first.already and first.vectors > 0 and is_prepared(fresh_settings)
    (docs / "nieuw.md").write_text("# Nieuw\n\nEen nieuw document met een eigen zin.\n")
    ingest_paths([docs], fresh_settings, progress=False)
    assert not is_prepared(fresh_settings)  # the new passage is not in the cache yet
    second = enrich(fresh_settings, progress=False)
    assert not second.already and second.split >= 1 and is_prepared(fresh_settings)
