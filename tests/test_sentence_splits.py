"""Sentence splits stored at ingest (LEERSTAD_SENTENCE_VECTORS=ingest): answers use them, and
an index without them says the same (splitting the passages themselves)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.text import sentences

QUESTIONS = (
    "Hoe kan onze gemeente lid worden van het UNESCO Learning Cities netwerk?",
    "Wat is een integraal kindcentrum?",
    "Wat kost een parkeervergunning?",
)


def _collection(settings: Settings):
    from assistant.store import open_index

    return open_index(settings).collection


def _answers(settings: Settings) -> list[tuple[str, tuple[str, ...], bool, float | None]]:
    from assistant import Assistant

    assistant = Assistant(settings)
    out = []
    for question in QUESTIONS:
        a = assistant.answer(question)
        out.append((a.text, tuple(s.chunk_id for s in a.sources), a.abstained, a.confidence))
    return out


def test_the_default_ingest_stores_no_splits_in_the_index(corpus_settings: Settings) -> None:
    got = _collection(corpus_settings).get(include=["metadatas"])
    assert got["ids"]
    assert not any("sentences" in meta for meta in got["metadatas"])


def test_ingest_stores_splits_answers_use_them_and_an_index_without_them_answers_alike(
    fresh_settings: Settings, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every chunk carries its sentences, exactly as the answer would split them; answers then
    split no passage; with the splits removed the answer splits them itself, to the same
    answers."""
    from ingest import ingest_paths

    settings = fresh_settings.with_(sentence_vectors="ingest")
    docs = tmp_path / "docs"
    shutil.copytree(corpus_dir, docs)
    ingest_paths([docs], settings, progress=False)
    collection = _collection(settings)
    got = collection.get(include=["documents", "metadatas"])
    for text, meta in zip(got["documents"], got["metadatas"], strict=True):
        assert meta["sentences"].startswith(sentences.splits_version() + ":")
        assert sentences.passage_sentences(text, meta["sentences"]) == (
            sentences.split_sentences(text)
        )

    texts = set(got["documents"])
    split = []
    original = sentences.sentence_offsets

    def counted(text: str) -> list[tuple[int, int]]:
        split.append(text)
        return original(text)

    # Every way of splitting a passage goes through sentence_offsets: count passages only.
    monkeypatch.setattr(sentences, "sentence_offsets", counted)
    sentences.split_sentences.cache_clear()  # passages split earlier in this process
    stored = _answers(settings)
    assert not texts & set(split)
    assert any(not abstained for _, _, abstained, _ in stored)

    ids = got["ids"]
    collection.update(ids=ids, metadatas=[{"sentences": None}] * len(ids))
    assert "sentences" not in collection.get(ids=ids[:1], include=["metadatas"])["metadatas"][0]
    # Without the splits the passages' prepared vectors are not used: computed with the
    # question instead, so only the confidence may move (in its 7th digit).
    again = _answers(settings)
    assert [a[:3] for a in again] == [a[:3] for a in stored]
    assert [a[3] for a in again] == pytest.approx([a[3] for a in stored], abs=1e-6)
    assert texts & set(split)


def test_splits_of_another_version_are_not_used() -> None:
    text = "Dit is de eerste zin. En dit de tweede zin.\nEen regel."
    wrong = "0-pysbd0.0:0,3"
    assert sentences.passage_sentences(text, wrong) == sentences.split_sentences(text)
    assert sentences.passage_sentences(text, sentences.stored_splits(text)) == (
        "Dit is de eerste zin.",
        "En dit de tweede zin.",
        "Een regel.",
    )


def test_a_text_without_a_mark_pysbd_cuts_at_is_one_sentence_as_pysbd_says() -> None:
    """The short cut for questions, headings and list items (no pysbd call) gives pysbd's spans:
    checked on every question of the held-out set and every line of the corpus."""
    import json

    root = Path(__file__).resolve().parents[1]
    lines = (root / "evals" / "datasets" / "holdout.jsonl").read_text().splitlines()
    texts = [json.loads(line)["question"] for line in lines if line.strip()]
    for doc in sorted((root / "corpus").glob("*.md")):
        texts += doc.read_text(encoding="utf-8").split("\n")
    texts += ["  Wat kost een IKC?  ", "Lid worden\tvan het netwerk", "   ", ""]
    short = [t for t in texts if not sentences._MAY_CUT.search(t.strip()[:-1])]
    assert len(short) > 40
    for text in short:
        assert sentences.sentence_spans(text) == sentences.pysbd_spans(text, 0, len(text)), text
    assert sentences.sentence_spans("Eerste zin. Tweede zin?") == [(0, 11), (12, 23)]


def test_a_quotation_s_sentences_know_who_said_them() -> None:
    from assistant.text.sentences import speaker

    sentences = (
        "Het netwerk richt zich op onderwijs, onderwerpen waar Groningen zich ook op richt:",
        "Door samen te werken biedt dit Groningen de kans om kennis te ontwikkelen.",
        "Onderwijswethouder Carine Bloemhoff, Gemeente Groningen",
        "Een financiële contributie is niet vereist.",
    )
    said_by = "Onderwijswethouder Carine Bloemhoff, Gemeente Groningen"
    assert speaker(sentences, 0) == said_by  # its colon introduces the next sentence
    assert speaker(sentences, 1) == said_by
    assert speaker(sentences, 3) == ""
    assert speaker(sentences[1:], 2) == ""  # nothing follows
