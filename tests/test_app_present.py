"""How answers, sources and documents are rendered for the web UI: escaped, linked, highlighted."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.records import Answer, Source
from assistant.settings import Settings
from web.render import (
    answer_markdown,
    documents_html,
    escape_markdown,
    highlighted_passage,
    notices_html,
    sources_html,
    welcome_markdown,
)
from web.service import Service
from web.texts import TEXTS

NL = TEXTS["nl"]


def source(n: int = 1, **changes: object) -> Source:
    values: dict[str, object] = {
        "n": n,
        "doc_id": "unesco-learning-cities",
        "title": "UNESCO Learning Cities",
        "section": "Lid worden",
        "url": "https://www.uil.unesco.org/lifelong-learning/learning-cities",
        "text": "Gemeenten kunnen lid worden door zich aan te melden. Contributie is niet vereist.",
        "score": 0.9,
        "chunk_id": f"unesco-learning-cities#000{n}",
        "start": 0,
        "end": 80,
        "quote": "Gemeenten kunnen lid worden door zich aan te melden.",
    }
    values.update(changes)
    return Source(**values)  # type: ignore[arg-type]


def test_citations_link_to_their_source_and_unknown_numbers_stay_text() -> None:
    answer = Answer(text="Meld u aan [1]. Zie ook [1, 3].", sources=(source(1),))
    md = answer_markdown(answer)
    assert md.count('<a href="#bron-1" class="cite"') == 2
    assert "#bron-3" not in md
    assert "\\[3\\]" in md


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[klik](javascript:alert(1))",
        "![pixel](https://evil.example/p.png)",
    ],
)
def test_user_and_answer_text_cannot_inject_html_or_links(hostile: str) -> None:
    for rendered in (escape_markdown(hostile), answer_markdown(Answer(text=hostile))):
        assert "<script" not in rendered
        assert "<img" not in rendered
        assert "](" not in rendered  # no Markdown link or image can form


def test_notices_are_shown_under_the_answer() -> None:
    md = answer_markdown(Answer(text="Antwoord.", notices=("Let op: <b>beperkt</b>",)))
    assert "\n\n> Let op: &lt;b&gt;beperkt&lt;/b&gt;" in md


def test_supporting_sentence_is_highlighted_and_passage_escaped() -> None:
    s = source(text="Intro <b>x</b>. Gemeenten  kunnen lid worden door zich aan te melden. Einde.")
    rendered = highlighted_passage(s)
    assert rendered.startswith("Intro &lt;b&gt;x&lt;/b&gt;. <mark>Gemeenten  kunnen lid")
    assert rendered.endswith("aan te melden.</mark> Einde.")


def test_passage_without_the_quote_is_shown_without_highlight() -> None:
    assert highlighted_passage(source(quote="Iets anders.")) == source().text
    assert "<mark>" not in highlighted_passage(source(quote=None))


def test_sources_panel_has_title_section_passage_and_safe_link() -> None:
    hostile = source(2, title="<i>T</i>", url="javascript:alert(1)", section=None)
    panel = sources_html(Answer(text="x", sources=(source(1), hostile)), NL)
    assert '<li id="bron-1"' in panel and '<li id="bron-2"' in panel
    assert "UNESCO Learning Cities</h3>" in panel
    assert '<p class="source-section">Lid worden</p>' in panel
    assert "<mark>Gemeenten kunnen lid worden door zich aan te melden.</mark>" in panel
    assert 'href="https://www.uil.unesco.org/lifelong-learning/learning-cities"' in panel
    assert "javascript:" not in panel
    assert "&lt;i&gt;T&lt;/i&gt;" in panel


def test_sources_panel_messages_without_answer_or_sources() -> None:
    assert NL["sources_empty"] in sources_html(None, NL)
    assert NL["sources_none"] in sources_html(Answer(text="Weet ik niet.", abstained=True), NL)


def test_documents_table_lists_title_link_date_and_chunks() -> None:
    docs = [
        {
            "doc_id": "ikc",
            "title": "Integrale Kindcentra",
            "url": "https://www.kindcentra2020.nl",
            "chunks": 5,
            "ingested_at": "2025-01-31T10:00:00+00:00",
        },
        {"doc_id": "up", "title": "<b>Upload</b>", "url": None, "chunks": 2, "ingested_at": ""},
    ]
    table = documents_html(docs, NL)
    assert "Leerstad kent 2 document(en)" in table
    assert '<th scope="row">Integrale Kindcentra</th>' in table
    assert 'href="https://www.kindcentra2020.nl"' in table
    assert "<td>2025-01-31</td><td>5</td>" in table
    assert "&lt;b&gt;Upload&lt;/b&gt;" in table
    assert NL["documents_empty"] in documents_html([], NL)


def test_welcome_is_two_lines_with_topics_count_and_a_link_to_the_sources() -> None:
    welcome = welcome_markdown([{"title": "Alfa-rapport"}, {"title": "Beta-gids"}], NL)
    lines = [line for line in welcome.split("\n") if line.strip()]
    assert len(lines) == 2
    assert "Integrale Kindcentra" in lines[0] and "2 documenten" in lines[0]
    assert "(#tab-documents-button)" in lines[0]  # the link to the Bronnen tab
    assert "Staat het niet in de bronnen" in lines[1]
    assert "Alfa-rapport" not in welcome  # the titles are on the Bronnen tab, not here
    assert NL["welcome_none"] in welcome_markdown([], NL)
    # Topics configured for the assistant (LEERSTAD_TOPICS) are what the welcome names.
    assert "Gezondheid" in welcome_markdown([{"title": "Alfa"}], NL, "Gezondheid en sport")


def test_status_notices_are_an_escaped_status_region() -> None:
    assert notices_html([]) == ""
    html = notices_html(["Chroma <offline>"])
    assert 'role="status"' in html and "Chroma &lt;offline&gt;" in html


def test_english_texts_cover_every_dutch_key() -> None:
    assert set(TEXTS["en"]) == set(TEXTS["nl"])


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_chroma_server_and_llm_are_reported(tmp_path: Path) -> None:
    port = _closed_port()  # nothing listens here once the socket is closed
    settings = Settings(
        data_dir=tmp_path,
        chroma=f"http://127.0.0.1:{port}",
        llm="ollama:llama3.1",
        llm_base_url=f"http://127.0.0.1:{port}",
        llm_timeout=2,
    )
    notices = Service(settings).notices()
    assert any("Chroma-server" in n and "niet bereikbaar" in n for n in notices)
    assert any("taalmodel" in n and "niet bereikbaar" in n for n in notices)


def test_the_offline_default_has_no_notices_once_warm(tmp_path: Path) -> None:
    service = Service(Settings(data_dir=tmp_path))
    assert "opstarten" in " ".join(service.notices())  # before the warm-up has finished
    service.warm.set()
    assert service.notices() == []


def test_a_quote_of_separate_sentences_marks_each_sentence() -> None:
    s = source(
        text="Een. Gemeenten kunnen lid worden. Twee. De aanvraag moet worden gesteund. Drie.",
        quote="Gemeenten kunnen lid worden. De aanvraag moet worden gesteund.",
    )
    assert highlighted_passage(s) == (
        "Een. <mark>Gemeenten kunnen lid worden.</mark> Twee. "
        "<mark>De aanvraag moet worden gesteund.</mark> Drie."
    )
