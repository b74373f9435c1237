"""Shared fixtures for the core tests: real Chroma indexes of the corpus, built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from assistant.settings import PREFIX, Settings

if TYPE_CHECKING:
    from assistant import Assistant

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The assistant's own corpus (two Dutch documents)."""
    return ROOT / "corpus"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared``: the seed text and the distractor corpus."""
    return SHARED


def build_index(data_dir: Path, *paths: Path) -> Settings:
    """Ingest ``paths`` into a fresh embedded index under ``data_dir``."""
    from ingest import ingest_paths

    settings = Settings(data_dir=data_dir, corpus_dir=ROOT / "corpus")
    ingest_paths(list(paths), settings, progress=False)
    return settings


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of an index of corpus/ only. Read it, do not write to it."""
    return build_index(tmp_path_factory.mktemp("corpus-index"), ROOT / "corpus")


@pytest.fixture(scope="session")
def corpus_assistant(corpus_settings: Settings) -> Assistant:
    from assistant import Assistant

    return Assistant(corpus_settings)


@pytest.fixture(scope="session")
def mixed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of an index of corpus/ plus the distractors in ../shared/corpus-extra/."""
    return build_index(
        tmp_path_factory.mktemp("mixed-index"), ROOT / "corpus", SHARED / "corpus-extra"
    )


@pytest.fixture(scope="session")
def mixed_assistant(mixed_settings: Settings) -> Assistant:
    from assistant import Assistant

    return Assistant(mixed_settings)


@pytest.fixture
def fresh_settings(tmp_path: Path) -> Settings:
    """Settings pointing at an empty data directory of this test."""
    return Settings(data_dir=tmp_path / "data", corpus_dir=ROOT / "corpus")


@pytest.fixture
def ingested_docs(fresh_settings: Settings, corpus_dir: Path, tmp_path: Path) -> Path:
    """A writable copy of corpus/, ingested into ``fresh_settings``' index; returns its folder."""
    from ingest import ingest_paths

    docs = tmp_path / "docs"
    shutil.copytree(corpus_dir, docs)
    ingest_paths([docs], fresh_settings, progress=False)
    return docs


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A monkeypatch with every LEERSTAD_* variable of the caller's environment removed."""
    for name in list(os.environ):
        if name.startswith(PREFIX):
            monkeypatch.delenv(name)
    return monkeypatch
