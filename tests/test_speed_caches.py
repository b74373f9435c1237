"""What answers keep between questions to be fast never outlives a change of the collection."""

from __future__ import annotations

from pathlib import Path

from assistant.settings import Settings


def test_spelling_candidates_follow_a_changed_collection(
    fresh_settings: Settings, tmp_path: Path
) -> None:
    """A misspelt word is matched to the words of the index as it is now: the index's words by
    first letters (assistant.text.concepts) are rebuilt when an ingest adds a document."""
    from assistant import Assistant
    from assistant.text.analysis import stem
    from assistant.text.concepts import concepts
    from ingest import ingest_paths

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "afval.md").write_text(
        "# Afval\n\nDe gemeente haalt het afval elke week op bij alle woningen in de wijk.\n",
        encoding="utf-8",
    )
    ingest_paths([docs], fresh_settings, progress=False)
    assistant = Assistant(fresh_settings)
    word = stem("zonnepanelen")

    def corrected() -> bool:
        keyword = assistant.retriever.keyword
        found = concepts("Wat kosten zonnepanelne?", assistant.vocabulary, keyword.doc_freq, 9)
        return any(word in group.stems for group, _, _ in found.groups)

    assert not corrected()
    (docs / "energie.md").write_text(
        "# Energie\n\nZonnepanelen op het dak van een woning leveren stroom voor het hele huis.\n",
        encoding="utf-8",
    )
    ingest_paths([docs], fresh_settings, progress=False)
    assert corrected()
