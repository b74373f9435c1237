"""Dataset loading and validation, and the shape of the bundled dev set."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals import matching
from evals.dataset import load_dataset
from evals.errors import DatasetError

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "evals" / "datasets" / "dev.jsonl"
HOLDOUT = ROOT / "evals" / "datasets" / "holdout.jsonl"
GOOD = {"id": "a", "question": "Kost het iets?", "answerable": True}


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_loads_examples_and_skips_blank_and_comment_lines(tmp_path: Path) -> None:
    line = {
        **GOOD,
        "history": ["Hoe word ik lid?"],
        "expected_facts": [["gratis", "niets"]],
        "tags": {"category": "costs"},
    }
    examples = load_dataset(write(tmp_path, "// comment", "", json.dumps(line)))
    assert len(examples) == 1
    ex = examples[0]
    assert ex.history == ("Hoe word ik lid?",)
    assert ex.expected_facts == (("gratis", "niets"),)
    assert ex.tags == {"category": "costs", "answerable": "true"}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([json.dumps(GOOD), "{not json"], "regel 2: geen geldige JSON"),
        ([json.dumps({"id": "a", "question": "q"})], "regel 1: verplicht veld ontbreekt"),
        ([json.dumps({**GOOD, "answerable": "ja"})], "regel 1: 'answerable' moet true of false"),
        ([json.dumps({**GOOD, "question": " "})], "regel 1: 'question' moet een niet-lege tekst"),
        ([json.dumps({**GOOD, "expected_facts": ["gratis"]})], "regel 1: 'expected_facts' moet"),
        ([json.dumps({**GOOD, "history": "Hoe?"})], "regel 1: 'history' moet een lijst"),
        ([json.dumps({**GOOD, "tags": ["x"]})], "regel 1: 'tags' moet een object zijn"),
        ([json.dumps(GOOD), "", json.dumps(GOOD)], "regel 3: id 'a' komt ook voor op regel 1"),
        (["[1, 2]"], "regel 1: de regel is geen JSON-object"),
    ],
)
def test_invalid_lines_name_the_line_and_the_problem(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    with pytest.raises(DatasetError, match="set.jsonl, " + message.replace("'", ".")):
        load_dataset(write(tmp_path, *lines))


@pytest.mark.parametrize("content", ["", "\n\n// alleen commentaar\n"])
def test_empty_dataset_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match="bevat geen vragen"):
        load_dataset(path)


def test_missing_dataset_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="bestaat niet"):
        load_dataset(tmp_path / "nope.jsonl")


# --- the bundled dev set -----------------------------------------------------------------------


def test_dev_set_is_valid_and_covers_the_required_ground() -> None:
    examples = load_dataset(DEV)
    assert len(examples) >= 85
    categories = Counter(e.tags["category"] for e in examples)
    for required in (
        "joining",
        "costs",
        "who_may_apply",
        "application_support",
        "contact",
        "themes",
        "global_goals",
        "ikc_definition",
        "ages",
        "vng_handreiking",
        "members",
        "collection",
        "followup",
        "injection",
        "unanswerable_in_domain",
        "unanswerable_out_of_domain",
    ):
        assert categories[required] >= 3, required
    assert sum(not e.answerable for e in examples) >= 12
    assert sum(e.tags["language"] == "en" for e in examples) >= 5
    followups = [e for e in examples if e.history]
    assert len(followups) >= 8 and any(len(e.history) >= 2 for e in followups)
    assert all(e.tags["turns"] == ("followup" if e.history else "standalone") for e in examples)
    for e in examples:
        assert e.answerable == bool(e.expected_facts), e.id
        assert set(e.expected_sources) <= {"unesco-learning-cities", "integrale-kindcentra"}


@pytest.mark.parametrize("dataset", [DEV, HOLDOUT], ids=["dev", "holdout"])
def test_every_expected_fact_is_in_the_corpus(dataset: Path) -> None:
    corpus = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "corpus").glob("*.md")}
    for e in load_dataset(dataset):
        texts = [corpus[d] for d in e.expected_sources] or list(corpus.values())
        for alternatives in e.expected_facts:
            # contains(), not fact_found(): front matter such as "[4, 10]" is not a citation.
            found = any(matching.contains(t, alt) for t in texts for alt in alternatives)
            assert found, (e.id, alternatives)


@pytest.mark.parametrize("dataset", [DEV, HOLDOUT], ids=["dev", "holdout"])
def test_forbidden_strings_are_not_in_the_expected_sources(dataset: Path) -> None:
    """A right answer quoting its source must never trip a forbidden string."""
    corpus = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "corpus").glob("*.md")}
    for e in load_dataset(dataset):
        for doc in e.expected_sources:
            assert not matching.found_forbidden(corpus[doc], e.forbidden), e.id
