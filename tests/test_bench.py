"""Benchmark smoke test on a tiny corpus: every figure is produced; no timing is asserted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.settings import Settings
from bench.cli import main
from bench.corpora import build, variant
from bench.run import TOP_LEVEL

REQUIRED = {
    "chunks",
    "ingest_chunks_per_s",
    "raw_encode_chunks_per_s",
    "retrieval_p50_ms",
    "retrieval_p95_ms",
    "answer_p50_ms",
    "naive_p50_ms",
    "speedup_vs_naive",
    "evidence_recall",
    "naive_evidence_recall",
    "cold_start_s",
    "peak_rss_mb",
}


@pytest.fixture(scope="module")
def tiny_shared(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    """A ../shared with two distractor documents, so the variants are few."""
    shared = tmp_path_factory.mktemp("shared")
    (shared / "corpus-extra").mkdir()
    for name in ("alcoholwet.md", "wmo-2015.md"):
        shutil.copy2(shared_dir / "corpus-extra" / name, shared / "corpus-extra" / name)
    return shared


def test_variants_are_deterministic_and_differ_per_copy(shared_dir: Path) -> None:
    path = shared_dir / "corpus-extra" / "alcoholwet.md"
    assert variant(path, 3) == variant(path, 3)
    (name_a, text_a), (name_b, text_b) = variant(path, 3), variant(path, 4)
    assert name_a != name_b and text_a != text_b
    assert "Alcoholwet" in text_a


def test_corpus_keeps_the_seed_documents(tmp_path: Path, tiny_shared: Path) -> None:
    from assistant.settings import Settings

    root = Path(__file__).resolve().parents[1]
    corpus = build("tiny", tmp_path, root, tiny_shared, Settings())
    seeds = {p.name for p in (corpus.folder / "seed").iterdir()}
    assert {"integrale-kindcentra.md", "unesco-learning-cities.md", "alcoholwet.md"} <= seeds
    assert corpus.chunks > 60 and corpus.documents > len(seeds)


def test_bench_json_has_every_figure(
    tmp_path: Path,
    tiny_shared: Path,
    capsys: pytest.CaptureFixture[str],
    clean_env: pytest.MonkeyPatch,
) -> None:
    # The numpy encoder starts fastest in the four fresh processes the benchmark runs.
    clean_env.setenv("LEERSTAD_EMBEDDING_MODEL", "use-multilingual-v3")
    work = tmp_path / "work"
    args = ["--sizes", "tiny", "--encoders", "", "--work", str(work), "--shared", str(tiny_shared)]
    assert main([*args, "--repeat", "2", "--json"]) == 0

    result = json.loads(capsys.readouterr().out)
    assert set(result) >= REQUIRED and set(TOP_LEVEL) >= REQUIRED
    assert all(result[key] is not None for key in REQUIRED)
    [size] = result["sizes"]
    assert size["chunks"] == result["chunks"] > 0
    assert size["ingest_computed"] == size["chunks"]  # a cold cache: everything embedded once
    assert len(size["ingest_vs_raw_encode_runs"]) == 2  # two ingests, each with a cold cache
    assert size["reingest_unchanged_embedded"] == 0
    assert size["reingest_1pct_documents"] == 1 and size["reingest_1pct_embedded"] >= 1
    assert 0 <= result["evidence_recall"] <= 1 and 0 <= result["naive_evidence_recall"] <= 1
    assert result["machine"]["cores"] >= 1
    # The changed documents were put back: the next run measures the same corpus.
    [folder] = work.glob("corpus-tiny-*")
    assert not [p for p in folder.rglob("*.md") if "Gewijzigd:" in p.read_text("utf-8")]


def test_answers_beside_a_baseline_checkout(corpus_settings: Settings) -> None:
    """Both codes answer the same questions on the same index in fresh processes; with this
    checkout as its own baseline, both runs find the same evidence."""
    from bench.fresh import ROOT, answer_rounds
    from bench.run import QUESTIONS

    result = answer_rounds(corpus_settings, ROOT, 1, QUESTIONS, naive_dir=None)

    assert result["rounds"] == 1 and len(result["new_vs_baseline_answer_p50_per_round"]) == 1
    [new], [old] = result["runs"]["new"], result["runs"]["baseline"]
    assert new["code"] == old["code"] == str(ROOT)
    assert new["questions"] == old["questions"] == 45
    assert result["new"]["evidence_recall"] == result["baseline"]["evidence_recall"] > 0
    assert result["new"]["answer_p50_ms"] > 0 and result["new"]["naive_p50_ms"] is None
