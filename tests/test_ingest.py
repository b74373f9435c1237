"""Ingest: every format loads, bad files are skipped by name, updates are incremental and locked."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.errors import IndexLockedError, ModelMismatchError
from assistant.settings import Settings
from assistant.store import HNSW, open_client, read_state
from assistant.text.analysis import tokenize
from ingest import delete_documents, ingest_paths
from ingest.errors import NoDocumentsError
from ingest.index import write_lock
from ingest.load import load_document


@dataclass(frozen=True)
class Fixture:
    doc_id: str
    title: str
    sentence: str  # a sentence with a made-up word, so a hit can only come from this file


FORMATS = {
    ".md": Fixture(
        "speeltuinen",
        "Speeltuinen in de wijk",
        "De gemeente onderhoudt elke zwaluwkwast speeltuin twee keer per jaar.",
    ),
    ".txt": Fixture(
        "bibliotheek",
        "bibliotheek",
        "De bibliotheek leent elke plinkeboek gratis uit aan kinderen.",
    ),
    ".html": Fixture(
        "zwembad",
        "Openingstijden zwembad",
        "Het zwembad opent de knorretjesbaan op zaterdag om negen uur.",
    ),
    ".pdf": Fixture(
        "fietspad",
        "Fietspaden rond school",
        "Langs elke school komt een veilig trompelfietspad voor kinderen.",
    ),
    ".docx": Fixture(
        "schooltuin",
        "Schooltuinen voor groep zes",
        "Elke leerling van groep zes krijgt een eigen wortelpluk tuintje.",
    ),
}


def write_markdown(path: Path, f: Fixture) -> None:
    path.write_text(
        f'---\ntitle: "{f.title}"\nlanguage: nl\nurl: "https://example.nl/{f.doc_id}"\n'
        "global_goals: [3, 11]\n---\n\n"
        f"# {f.title}\n\n## Onderhoud\n\n{f.sentence}\n\n## Veiligheid\n\n"
        "Toestellen worden gekeurd volgens de Europese norm voor speeltoestellen.\n",
        encoding="utf-8",
    )


def write_html(path: Path, f: Fixture) -> None:
    path.write_text(
        f"<html><head><title>{f.title}</title>"
        f'<link rel="canonical" href="https://example.nl/{f.doc_id}"></head>'
        f"<body><h1>{f.title}</h1><p>{f.sentence}</p><p>Zwemmen is <b>goed</b>.</p></body></html>",
        encoding="utf-8",
    )


def write_pdf(path: Path, f: Fixture) -> None:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.setTitle(f.title)
    pdf.drawString(72, 750, f.sentence)
    pdf.save()


def write_docx(path: Path, f: Fixture) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = f.title
    document.add_heading(f.title, level=1)
    document.add_heading("Aanmelden", level=2)
    document.add_paragraph(f.sentence)
    document.save(str(path))


def write_formats(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_markdown(folder / "speeltuinen.md", FORMATS[".md"])
    (folder / "bibliotheek.txt").write_text(FORMATS[".txt"].sentence + "\n", encoding="utf-8")
    write_html(folder / "zwembad.html", FORMATS[".html"])
    write_pdf(folder / "fietspad.pdf", FORMATS[".pdf"])
    write_docx(folder / "schooltuin.docx", FORMATS[".docx"])


def collection_of(settings: Settings) -> Any:
    return open_client(settings).get_collection(settings.collection)


def chunks_of(settings: Settings, doc_id: str) -> dict[str, dict[str, Any]]:
    """chunk id -> {"text": ..., **metadata} for one document."""
    got = collection_of(settings).get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
    return {
        i: {"text": text, **meta}
        for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
    }


@pytest.fixture(scope="module")
def formats(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path, Any]:
    """An index of one file per format plus two corrupt files: (settings, folder, summary)."""
    base = tmp_path_factory.mktemp("formats")
    folder = base / "docs"
    write_formats(folder)
    (folder / "kapot.pdf").write_bytes(b"dit is geen pdf \x00\x01\x02" * 50)
    (folder / "kapot.docx").write_bytes(b"PK? nee, geen zip")
    (folder / "README.md").write_text("# docs/\n\nNotities over deze map, geen bron.\n")
    (folder / ".verborgen.md").write_text("# Verborgen\n\nGeen bron.\n")
    settings = Settings(data_dir=base / "data")
    summary = ingest_paths([folder], settings, progress=False)
    return settings, folder, summary


def test_every_format_is_ingested(formats: tuple[Settings, Path, Any]) -> None:
    _, _, summary = formats
    # A folder's README and hidden files are notes, not sources.
    assert sorted(summary.added) == sorted(f.doc_id for f in FORMATS.values())
    assert summary.embedded == summary.chunks > 0


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_format_text_and_title_are_in_the_index(
    formats: tuple[Settings, Path, Any], suffix: str
) -> None:
    settings, _, _ = formats
    fixture = FORMATS[suffix]
    chunks = chunks_of(settings, fixture.doc_id)
    assert any(fixture.sentence in c["text"] for c in chunks.values())
    assert {c["title"] for c in chunks.values()} == {fixture.title}


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_format_is_findable_by_its_words(formats: tuple[Settings, Path, Any], suffix: str) -> None:
    settings, _, _ = formats
    fixture = FORMATS[suffix]
    docs = Assistant(settings).retriever.invoke(fixture.sentence)
    assert docs[0].metadata["doc_id"] == fixture.doc_id


def test_corrupt_files_are_skipped_and_named(formats: tuple[Settings, Path, Any]) -> None:
    settings, _, summary = formats
    skipped = dict(summary.skipped)
    assert sorted(Path(p).name for p in skipped) == ["kapot.docx", "kapot.pdf"]
    for path, reason in skipped.items():
        assert Path(path).name in reason
        assert "kan niet worden gelezen" in reason
    assert not chunks_of(settings, "kapot")


def test_only_corrupt_files_is_no_documents_error(fresh_settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "kapot.pdf").write_bytes(b"geen pdf")
    with pytest.raises(NoDocumentsError, match=r"kapot\.pdf"):
        ingest_paths([folder], fresh_settings, progress=False)


def test_chunk_metadata_points_into_the_document(formats: tuple[Settings, Path, Any]) -> None:
    settings, folder, _ = formats
    doc = load_document(folder / "speeltuinen.md")
    chunks = chunks_of(settings, "speeltuinen")
    text_chunks = {i: c for i, c in chunks.items() if c["kind"] == "text"}
    assert text_chunks
    for chunk_id, c in chunks.items():
        assert chunk_id.startswith("speeltuinen#")
        assert c["doc_id"] == "speeltuinen"
        assert c["title"] == "Speeltuinen in de wijk"
        assert c["url"] == "https://example.nl/speeltuinen"
        assert Path(c["source"]).name == "speeltuinen.md"
        assert c["content_hash"] == hashlib.sha256(c["text"].encode()).hexdigest()[:16]
    for c in text_chunks.values():
        assert c["text"] == doc.text[c["start"] : c["end"]]
    sections = {c["section"] for c in text_chunks.values() if FORMATS[".md"].sentence in c["text"]}
    assert sections == {"Onderhoud"}
    # The front matter's Global Goals become a searchable chunk of their own.
    meta_chunks = [c for c in chunks.values() if c["kind"] == "meta"]
    assert len(meta_chunks) == 1
    assert "Global Goal 3 en Global Goal 11" in meta_chunks[0]["text"]


# -- incremental updates ---------------------------------------------------------------------


@pytest.fixture
def corpus_copy(tmp_path: Path, corpus_dir: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(corpus_dir, target)
    return target


def test_second_ingest_changes_nothing(corpus_copy: Path, fresh_settings: Settings) -> None:
    first = ingest_paths([corpus_copy], fresh_settings, progress=False)
    state = read_state(open_client(fresh_settings), fresh_settings.collection)
    second = ingest_paths([corpus_copy], fresh_settings, progress=False)
    assert (
        sorted(second.unchanged)
        == sorted(first.added)
        == [
            "integrale-kindcentra",
            "unesco-learning-cities",
        ]
    )
    assert (second.added, second.updated, second.removed, second.embedded) == ([], [], [], 0)
    assert second.chunks == first.chunks
    after = read_state(open_client(fresh_settings), fresh_settings.collection)
    assert state is not None and after is not None
    assert after.revision == state.revision


def test_an_index_built_with_another_search_width_gets_the_configured_one(
    corpus_copy: Path, fresh_settings: Settings
) -> None:
    ingest_paths([corpus_copy], fresh_settings, progress=False)
    hnsw = collection_of(fresh_settings).configuration_json["hnsw"]
    assert hnsw["space"] == "cosine" and hnsw["ef_search"] == HNSW["ef_search"]
    collection_of(fresh_settings).modify(configuration={"hnsw": {"ef_search": 100}})  # older
    ingest_paths([corpus_copy], fresh_settings, progress=False)
    hnsw = collection_of(fresh_settings).configuration_json["hnsw"]
    assert hnsw["ef_search"] == HNSW["ef_search"]


def test_changed_document_reembeds_only_changed_chunks(
    corpus_copy: Path, fresh_settings: Settings
) -> None:
    ingest_paths([corpus_copy], fresh_settings, progress=False)
    before = chunks_of(fresh_settings, "unesco-learning-cities")
    path = corpus_copy / "unesco-learning-cities.md"
    # Same length, so the chunk boundaries stay where they are.
    path.write_text(path.read_text("utf-8").replace("250 steden", "260 steden"), "utf-8")

    summary = ingest_paths([corpus_copy], fresh_settings, progress=False)

    assert summary.updated == ["unesco-learning-cities"]
    assert summary.unchanged == ["integrale-kindcentra"]
    assert summary.embedded == 1
    after = chunks_of(fresh_settings, "unesco-learning-cities")
    assert sorted(after) == sorted(before)  # stable ids
    changed = [i for i in after if after[i]["content_hash"] != before[i]["content_hash"]]
    assert len(changed) == 1
    assert "260 steden" in after[changed[0]]["text"]


def test_changed_metadata_refreshes_chunks_without_embedding(
    corpus_copy: Path, fresh_settings: Settings
) -> None:
    ingest_paths([corpus_copy], fresh_settings, progress=False)
    path = corpus_copy / "integrale-kindcentra.md"
    new_url = "https://example.nl/kindcentra"
    path.write_text(
        path.read_text("utf-8").replace(
            'url: "https://www.kindcentra2020.nl"', f'url: "{new_url}"'
        ),
        "utf-8",
    )

    summary = ingest_paths([corpus_copy], fresh_settings, progress=False)

    assert summary.updated == ["integrale-kindcentra"]
    assert summary.embedded == 0
    assert {c["url"] for c in chunks_of(fresh_settings, "integrale-kindcentra").values()} == {
        new_url
    }


def test_removed_file_is_deleted_from_the_index(
    corpus_copy: Path, fresh_settings: Settings
) -> None:
    ingest_paths([corpus_copy], fresh_settings, progress=False)
    (corpus_copy / "integrale-kindcentra.md").unlink()

    summary = ingest_paths([corpus_copy], fresh_settings, progress=False)

    assert summary.removed == ["integrale-kindcentra"]
    assert not chunks_of(fresh_settings, "integrale-kindcentra")
    state = read_state(open_client(fresh_settings), fresh_settings.collection)
    assert state is not None and sorted(state.documents) == ["unesco-learning-cities"]
    assert summary.chunks == collection_of(fresh_settings).count()


def test_files_outside_the_given_paths_stay_indexed(
    corpus_copy: Path, fresh_settings: Settings, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    write_formats(other)
    ingest_paths([corpus_copy, other / "bibliotheek.txt"], fresh_settings, progress=False)
    summary = ingest_paths([corpus_copy], fresh_settings, progress=False)
    assert summary.removed == []
    assert chunks_of(fresh_settings, "bibliotheek")


def test_delete_documents(corpus_copy: Path, fresh_settings: Settings) -> None:
    ingest_paths([corpus_copy], fresh_settings, progress=False)
    removed = delete_documents(["integrale-kindcentra", "bestaat-niet"], fresh_settings)
    assert removed == ["integrale-kindcentra"]
    assert not chunks_of(fresh_settings, "integrale-kindcentra")
    assert [d["doc_id"] for d in Assistant(fresh_settings).documents()] == [
        "unesco-learning-cities"
    ]


def test_chunk_ids_are_stable_across_indexes(corpus_dir: Path, tmp_path: Path) -> None:
    one, two = Settings(data_dir=tmp_path / "one"), Settings(data_dir=tmp_path / "two")
    ingest_paths([corpus_dir], one, progress=False)
    ingest_paths([corpus_dir], two, progress=False)
    first = collection_of(one).get(include=["metadatas"])
    second = collection_of(two).get(include=["metadatas"])
    assert sorted(first["ids"]) == sorted(second["ids"])
    assert "unesco-learning-cities#0000" in first["ids"]
    assert hashes_of(first) == hashes_of(second)


def hashes_of(got: Any) -> dict[str, str]:
    return {i: m["content_hash"] for i, m in zip(got["ids"], got["metadatas"], strict=True)}


# -- model, rebuild, lock --------------------------------------------------------------------


def record_model(settings: Settings, model: str) -> None:
    """Make the index claim it was built with ``model``, as if another model had built it."""
    collection = collection_of(settings)
    collection.modify(metadata={**collection.metadata, "embedding_model": model})


def test_ingest_with_another_model_than_the_index_is_refused(
    corpus_copy: Path, fresh_settings: Settings
) -> None:
    ingest_paths([corpus_copy], fresh_settings, progress=False)
    record_model(fresh_settings, "intfloat/multilingual-e5-small")
    with pytest.raises(ModelMismatchError) as info:
        ingest_paths([corpus_copy], fresh_settings, progress=False)
    assert "intfloat/multilingual-e5-small" in str(info.value)
    assert "leerstad ingest --rebuild" in str(info.value)


def test_query_with_another_model_than_the_index_is_refused(
    corpus_copy: Path, fresh_settings: Settings
) -> None:
    ingest_paths([corpus_copy], fresh_settings, progress=False)
    other = fresh_settings.with_(embedding_model="intfloat/multilingual-e5-small")
    with pytest.raises(ModelMismatchError, match="leerstad ingest --rebuild"):
        Assistant(other).answer("Hoe kan onze gemeente lid worden?")


def test_rebuild_fixes_a_model_mismatch(corpus_copy: Path, fresh_settings: Settings) -> None:
    ingest_paths([corpus_copy], fresh_settings, progress=False)
    record_model(fresh_settings, "intfloat/multilingual-e5-small")
    summary = ingest_paths([corpus_copy], fresh_settings, rebuild=True, progress=False)
    assert sorted(summary.added) == ["integrale-kindcentra", "unesco-learning-cities"]
    state = read_state(open_client(fresh_settings), fresh_settings.collection)
    assert state is not None and state.embedding_model == fresh_settings.embedding_model


def test_rebuild_swaps_in_a_fresh_collection(
    corpus_copy: Path, fresh_settings: Settings, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    write_formats(other)
    ingest_paths([corpus_copy, other / "bibliotheek.txt"], fresh_settings, progress=False)

    summary = ingest_paths([corpus_copy], fresh_settings, rebuild=True, progress=False)

    assert summary.embedded == summary.chunks
    assert sorted(summary.added) == ["integrale-kindcentra", "unesco-learning-cities"]
    names = {c.name for c in open_client(fresh_settings).list_collections()}
    assert names == {fresh_settings.collection}
    assert not chunks_of(fresh_settings, "bibliotheek")
    assert {d["doc_id"] for d in Assistant(fresh_settings).documents()} == {
        "integrale-kindcentra",
        "unesco-learning-cities",
    }


def test_rebuild_moves_the_revision_on(corpus_copy: Path, fresh_settings: Settings) -> None:
    ingest_paths([corpus_copy], fresh_settings, progress=False)
    before = read_state(open_client(fresh_settings), fresh_settings.collection)
    ingest_paths([corpus_copy], fresh_settings, rebuild=True, progress=False)
    after = read_state(open_client(fresh_settings), fresh_settings.collection)
    assert before is not None and after is not None
    # Readers (running assistants, the BM25 index on disk) key their caches on the revision.
    assert after.revision > before.revision


def test_rebuilt_text_is_keyword_searchable(fresh_settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("De gemeente plant elk voorjaar nieuwe bomen in het park.\n")
    ingest_paths([docs], fresh_settings, progress=False)
    (docs / "a.txt").write_text("Het zwembad opent de knorretjesbaan op zaterdag.\n")

    ingest_paths([docs], fresh_settings, rebuild=True, progress=False)

    keyword = Assistant(fresh_settings).retriever.keyword
    assert [i for i, _ in keyword.search(tokenize("knorretjesbaan"), 5)] == ["a#0000"]
    assert keyword.search(tokenize("bomen"), 5) == []


def test_running_assistant_sees_a_rebuild(
    corpus_copy: Path, fresh_settings: Settings, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    write_formats(other)
    ingest_paths([corpus_copy, other / "bibliotheek.txt"], fresh_settings, progress=False)
    assistant = Assistant(fresh_settings)
    assert "bibliotheek" in {d["doc_id"] for d in assistant.documents()}

    ingest_paths([corpus_copy], fresh_settings, rebuild=True, progress=False)

    assert "bibliotheek" not in {d["doc_id"] for d in assistant.documents()}
    answer = assistant.answer("Moet onze gemeente betalen om lid te worden?")
    assert "niet vereist" in answer.text


def test_failed_rebuild_keeps_the_old_index(
    corpus_copy: Path, fresh_settings: Settings, tmp_path: Path
) -> None:
    ingest_paths([corpus_copy], fresh_settings, progress=False)
    empty = tmp_path / "leeg"
    empty.mkdir()
    with pytest.raises(NoDocumentsError) as info:
        ingest_paths([empty], fresh_settings, rebuild=True, progress=False)
    assert "Geen leesbare documenten" in str(info.value)
    answer = Assistant(fresh_settings).answer("Moet onze gemeente betalen om lid te worden?")
    assert "niet vereist" in answer.text


def test_rebuild_that_fails_halfway_keeps_the_old_index(
    corpus_copy: Path, fresh_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingest.index

    ingest_paths([corpus_copy], fresh_settings, progress=False)
    real_upsert = ingest.index._upsert
    calls: list[object] = []

    def fail_on_second_document(*args: Any, **kwargs: Any) -> None:
        calls.append(args[1])  # one batch of chunks
        if len(calls) == 2:
            raise RuntimeError("schijf vol")  # fault injection: the rebuild dies halfway
        real_upsert(*args, **kwargs)

    monkeypatch.setattr(ingest.index, "BATCH", 8)  # batches span documents; make several
    monkeypatch.setattr(ingest.index, "_upsert", fail_on_second_document)
    with pytest.raises(RuntimeError, match="schijf vol"):
        ingest_paths([corpus_copy], fresh_settings, rebuild=True, progress=False)
    monkeypatch.undo()

    assert collection_of(fresh_settings).count() > 0
    answer = Assistant(fresh_settings).answer("Moet onze gemeente betalen om lid te worden?")
    assert "niet vereist" in answer.text
    # A later rebuild starts over and succeeds.
    summary = ingest_paths([corpus_copy], fresh_settings, rebuild=True, progress=False)
    assert len(summary.added) == 2


@pytest.mark.parametrize(
    "write",
    [
        lambda s, paths: ingest_paths(paths, s, progress=False),
        lambda s, paths: delete_documents(["unesco-learning-cities"], s),
    ],
    ids=["ingest", "delete"],
)
def test_second_writer_is_refused_while_the_lock_is_held(
    corpus_copy: Path, fresh_settings: Settings, write: Any
) -> None:
    ingest_paths([corpus_copy], fresh_settings, progress=False)
    with write_lock(fresh_settings), pytest.raises(IndexLockedError) as info:
        write(fresh_settings, [corpus_copy])
    message = str(info.value)
    assert "Een ander proces schrijft al naar de index" in message
    assert "Chroma-server" in message
    assert "LEERSTAD_CHROMA" in message
    # Released again: the same write now goes through.
    write(fresh_settings, [corpus_copy])
