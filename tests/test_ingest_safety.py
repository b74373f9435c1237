"""Bad files: each is skipped with a named Dutch reason or decoded right; the good ones still load.

One folder holds good files and one file per kind of bad input; a single real ingest into
Chroma runs over it. A second part checks the bounds: long single lines are chunked in linear
time and a 20 MB single-line file is refused by its size without holding anything up.
"""

from __future__ import annotations

import codecs
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings
from assistant.store import open_client
from ingest import ingest_paths
from ingest.chunk import chunk_document
from ingest.limits import MAX_TEXT_CHARS
from ingest.load import SourceDocument, clean_text, load_document

GOOD_SENTENCE = "De bibliotheek leent elke plinkeboek gratis uit aan kinderen."
DUTCH = "Café de coördinator: één ideeën-avond per maand, ‘s avonds, € 5.\n"


def docx_bytes(path: Path, body_xml: str | None = None, text: str = GOOD_SENTENCE) -> None:
    """A real .docx; with ``body_xml`` its document.xml body is replaced (to build a bomb)."""
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    document.save(str(path))
    if body_xml is None:
        return
    with zipfile.ZipFile(path) as z:
        parts = {i: z.read(i.filename) for i in z.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts.items():
            if info.filename == "word/document.xml":
                head, tail = data.decode().split("<w:body>", 1)
                data = (head + "<w:body>" + body_xml + tail.split("</w:body>", 1)[1]).encode()
                data = data.replace(b"</w:document>", b"</w:body></w:document>")
            out.writestr(info.filename, data, zipfile.ZIP_DEFLATED)


def pdf_bomb(path: Path) -> None:
    """A one-page PDF whose content stream inflates from ~20 KB to 20 MB."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    stream = DecodedStreamObject()
    stream.set_data(b"BT 10 10 Td (a) Tj ET\n" + b" " * (20 * 1024 * 1024))
    page[NameObject("/Contents")] = writer._add_object(stream.flate_encode())
    writer.write(str(path))


@dataclass(frozen=True)
class Bad:
    """A bad file: how to write it, and what its skip reason must say."""

    name: str
    write: Callable[[Path], Any]
    reason: tuple[str, ...]


def _front(text: str) -> Callable[[Path], int]:
    return lambda p: p.write_text(f"---\n{text}\n---\n\n{GOOD_SENTENCE}\n", encoding="utf-8")


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("bcdefgh", "cdefghi", strict=True)
)

BAD = [
    Bad("leeg.txt", lambda p: p.write_bytes(b""), ("bevat geen tekst",)),
    Bad("spaties.txt", lambda p: p.write_text(" \n\t\n  \n"), ("bevat geen tekst",)),
    Bad("nul.txt", lambda p: p.write_bytes(b"\x00" * 4096), ("NUL-bytes", "geen tekst")),
    Bad(
        "besturingstekens.txt",
        lambda p: p.write_bytes(bytes(range(1, 9)) * 500 + b"\x1b[0m" * 200),
        ("besturingstekens", "geen tekst"),
    ),
    Bad(
        "binair.txt",
        lambda p: p.write_bytes(random.Random(7).randbytes(8192)),
        ("binair bestand",),
    ),
    Bad(
        "half-nul.md",
        lambda p: p.write_bytes(GOOD_SENTENCE.encode() + b"\x00" * 200),
        ("NUL-bytes",),
    ),
    Bad("alleen-koppen.md", lambda p: p.write_text("# Titel\n\n## Kop\n"), ("alleen koppen",)),
    Bad("dict-titel.md", _front("title: {a: 1}"), ("'title'", "woordenboek", "{'a': 1}")),
    Bad("lijst-titel.md", _front("title: [a, b]"), ("'title'", "lijst")),
    Bad("goals-tekst.md", _front("global_goals: [vier]"), ("'global_goals'", "1 tot en met 17")),
    Bad("lijst-frontmatter.md", _front("- title\n- url"), ("moet velden zijn", "lijst")),
    Bad("kapotte-yaml.md", _front('title: "open\nurl: [x'), ("geen geldige YAML",)),
    Bad("verwijzingen.md", _front(LAUGHS), ("YAML-verwijzingen",)),
    Bad(
        "zip-bom.docx",
        lambda p: docx_bytes(p, "<w:p/>" * (5 * 1024 * 1024 // 6)),
        ("zip-bom", "word/document.xml", "keer gecomprimeerd"),
    ),
    Bad(
        "xml-bom.docx",
        lambda p: docx_bytes(p, "<w:p/>" * (25 * 1024 * 1024 // 6)),
        ("zip-bom", "XML-delen", "maximaal 20,0 MB"),
    ),
    Bad("geen-zip.docx", lambda p: p.write_bytes(b"PK? nee"), ("geen geldig zip-bestand",)),
    Bad("kapot.pdf", lambda p: p.write_bytes(b"%PDF-1.4\n\x00\x01 kapot" * 40), ("kan niet",)),
    Bad("pdf-bom.pdf", pdf_bomb, ("PDF-bom", "16,0 MB")),
]


@dataclass(frozen=True)
class Decoded:
    """A file in an awkward encoding: how to write it and the text it must load as."""

    name: str
    write: Callable[[Path], Any]
    text: str
    title: str | None = None


DECODED = [
    Decoded("cp1252.txt", lambda p: p.write_bytes(DUTCH.encode("cp1252")), DUTCH),
    Decoded(
        "latin1.txt",
        lambda p: p.write_bytes("Naïef? Reünie in één café.\n".encode("latin-1")),
        "Naïef? Reünie in één café.\n",
    ),
    Decoded(
        "bom.md",
        lambda p: p.write_bytes(
            codecs.BOM_UTF8 + f'---\ntitle: "Met BOM"\n---\n\n{DUTCH}'.encode()
        ),
        DUTCH,
        "Met BOM",
    ),
    Decoded(
        "utf16.txt", lambda p: p.write_bytes(codecs.BOM_UTF16_LE + DUTCH.encode("utf-16-le")), DUTCH
    ),
    Decoded(
        "stuurteken.txt",
        lambda p: p.write_text(DUTCH.replace("maand", "maand\x07"), encoding="utf-8"),
        DUTCH,
    ),
    Decoded("getal-titel.md", _front("title: 2030"), GOOD_SENTENCE + "\n", "2030"),
    Decoded(
        "regeleinden.txt",
        lambda p: p.write_bytes(b"Regel een.\vRegel twee.\fPagina twee.\rOude Mac-regel.\r\n"),
        "Regel een.\nRegel twee.\nPagina twee.\nOude Mac-regel.\n",
    ),
]


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside the ingested one, with a secret the links point to."""
    folder = tmp_path_factory.mktemp("buiten")
    (folder / "geheim.txt").write_text("Het wachtwoord van de beheerder is zonnebloem42.\n")
    (folder / "map").mkdir()
    (folder / "map" / "ook-geheim.txt").write_text("Nog een geheim: tulpenbol.\n")
    return folder


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, outside: Path) -> tuple[Settings, Path, Any]:
    base = tmp_path_factory.mktemp("slecht")
    folder = base / "docs"
    folder.mkdir()
    (folder / "goed.txt").write_text(GOOD_SENTENCE + "\n", encoding="utf-8")
    docx_bytes(folder / "tuin.docx", text="Elke leerling van groep zes krijgt een tuintje.")
    (folder / "sub").mkdir()
    (folder / "sub" / "echt.md").write_text("# Echt\n\nDe speeltuin gaat om negen uur open.\n")
    (folder / "binnen.md").symlink_to(folder / "sub" / "echt.md")  # stays inside: followed
    (folder / "passwd.txt").symlink_to(outside / "geheim.txt")
    (folder / "uitweg").symlink_to(outside / "map", target_is_directory=True)
    for bad in BAD:
        bad.write(folder / bad.name)
    for good in DECODED:
        good.write(folder / good.name)
    settings = Settings(data_dir=base / "data")
    return settings, folder, ingest_paths([folder], settings, progress=False)


GOOD_IDS = {"goed", "tuin", "binnen", "echt"} | {Path(d.name).stem for d in DECODED}


def test_good_and_decoded_files_are_ingested(ingested: tuple[Settings, Path, Any]) -> None:
    settings, _, summary = ingested
    assert set(summary.added) == GOOD_IDS
    got = open_client(settings).get_collection(settings.collection).get(include=["metadatas"])
    assert {m["doc_id"] for m in got["metadatas"]} == GOOD_IDS


@pytest.mark.parametrize("bad", BAD, ids=[b.name for b in BAD])
def test_bad_file_is_skipped_with_its_reason(
    ingested: tuple[Settings, Path, Any], bad: Bad
) -> None:
    _, _, summary = ingested
    reasons = {Path(p).name: r for p, r in summary.skipped}
    assert bad.name in reasons, sorted(reasons)
    assert bad.name in reasons[bad.name]
    for part in bad.reason:
        assert part in reasons[bad.name]


@pytest.mark.parametrize("link", ["passwd.txt", "uitweg"])
def test_link_out_of_the_folder_is_not_followed(
    ingested: tuple[Settings, Path, Any], outside: Path, link: str
) -> None:
    settings, _, summary = ingested
    reasons = {Path(p).name: r for p, r in summary.skipped}
    assert "symlink" in reasons[link]
    assert str(outside) in reasons[link]
    texts = open_client(settings).get_collection(settings.collection).get()["documents"]
    assert not any("zonnebloem42" in t or "tulpenbol" in t for t in texts)


def test_every_skip_is_named_once(ingested: tuple[Settings, Path, Any]) -> None:
    _, _, summary = ingested
    names = [Path(p).name for p, _ in summary.skipped]
    assert sorted(names) == sorted([b.name for b in BAD] + ["passwd.txt", "uitweg"])


@pytest.mark.parametrize("case", DECODED, ids=[d.name for d in DECODED])
def test_awkward_encodings_are_decoded(ingested: tuple[Settings, Path, Any], case: Decoded) -> None:
    _, folder, _ = ingested
    doc = load_document(folder / case.name)
    assert doc.text == case.text
    assert doc.title == (case.title or Path(case.name).stem)
    assert "\ufeff" not in doc.text and "---" not in doc.text


# --- bounds: linear splitting, size limits --------------------------------------------------


def _check_chunks(doc: SourceDocument, max_size: int = 600) -> int:
    chunks = [c for c in chunk_document(doc, max_size) if c.kind == "text"]
    previous_end = 0
    for chunk in chunks:
        assert 0 < len(chunk.text) <= max_size
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.start >= previous_end
        previous_end = chunk.end
    return len(chunks)


PATHOLOGICAL = {
    "sentences": "De gemeente opent een kindcentrum in de wijk. " * 5_000,
    "one-word": "x" * 200_000,
    "emphasis-openers": "**a " * 50_000,
    "link-openers": "[" * 200_000,
    "spaces": "a" + " " * 200_000 + "b",
    "heading-hashes": "# a" + "#" * 200_000 + "b\n\nTekst.",
    "long-paragraphs": ("Een zin van een paar woorden. " * 600 + "\n\n") * 10,
}


@pytest.mark.timeout(120)  # the quadratic versions took many minutes on these
@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_long_lines_are_cleaned_and_chunked_in_bounds(name: str) -> None:
    text = clean_text(PATHOLOGICAL[name])
    count = _check_chunks(SourceDocument("lang", "Lang", text, Path("lang.txt")))
    assert count >= 1


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("een ‘wijkschool[4] ’ zijn.", "een ‘wijkschool ’ zijn."),
        ("hoger dan de norm ad. 112%[3] .", "hoger dan de norm ad. 112% ."),
        ("Markdown zegt het zo[^12].", "Markdown zegt het zo."),
        ("Zie bron [1] en [2] hierboven.", "Zie bron [1] en [2] hierboven."),
        ("[3] De voetnoot zelf.", "[3] De voetnoot zelf."),
        ("Een [verwijzing][4] als link.", "Een [verwijzing][4] als link."),
    ],
)
def test_footnote_marks_glued_to_a_word_are_not_kept(raw: str, cleaned: str) -> None:
    """A quoted "wijkschool[4]" read as a citation of a fourth source that was not there."""
    assert clean_text(raw) == cleaned + "\n"


@pytest.mark.parametrize("size", [5_000, 30_000], ids=["pysbd-windows", "regex"])
def test_long_paragraphs_are_cut_at_sentence_ends(size: int) -> None:
    sentence = "Het kindcentrum (0-12 jaar) opent om 7.30 uur. Ouders zijn welkom! "
    text = clean_text(sentence * (size // len(sentence)))
    doc = SourceDocument("lang", "Lang", text, Path("lang.txt"))
    chunks = [c.text for c in chunk_document(doc, 600) if c.kind == "text"]
    assert len(chunks) > size // 600
    for chunk in chunks:
        assert chunk.startswith(("Het kindcentrum", "Ouders")), chunk[:40]
        assert chunk.endswith(("uur.", "welkom!")), chunk[-40:]


@pytest.mark.timeout(300)
def test_20_mb_single_line_file_is_chunked_and_refused_by_size(
    tmp_path: Path, fresh_settings: Settings
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    line = ("De gemeente opent een nieuw kindcentrum in de wijk. " * 420_000)[: 20 * 1024 * 1024]
    (folder / "groot.txt").write_text(line, encoding="utf-8")
    (folder / "klein.txt").write_text(GOOD_SENTENCE + "\n", encoding="utf-8")

    # Chunking itself is linear and bounded, whatever the ingest limit is.
    assert _check_chunks(SourceDocument("groot", "Groot", line, folder / "groot.txt")) > 30_000

    summary = ingest_paths([folder], fresh_settings, progress=False)
    assert summary.added == ["klein"]
    [(path, reason)] = summary.skipped
    assert Path(path).name == "groot.txt"
    assert "groot.txt: het bevat 20.971.520 tekens tekst" in reason
    assert f"maximaal {MAX_TEXT_CHARS:,}".replace(",", ".") in reason
    assert "Splits het" in reason
