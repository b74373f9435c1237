"""An interrupted build is never served, and the next writer finishes or removes it (SIGKILL)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.errors import IndexIncompleteError, IndexMissingError
from assistant.settings import Settings
from assistant.store import open_client, open_index, read_state, reset_client_cache, staging_name
from ingest import ingest_paths

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Moet onze gemeente betalen om lid te worden?"

# Runs an ingest in a child process that SIGKILLs itself at one named moment:
# "upsert" after the first batch of chunks is written, "drop" when the old index is about to be
# dropped in the swap, "rename" after it was dropped and before the new one takes its name.
KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import assistant.store.build, ingest.index
    from assistant.settings import Settings
    from ingest import ingest_paths

    moment, data_dir, rebuild, *paths = sys.argv[1:]

    def die(real):
        def wrapper(*args, **kwargs):
            if moment == "upsert":
                real(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
        return wrapper

    ingest.index.BATCH = 8
    if moment == "upsert":
        ingest.index._upsert = die(ingest.index._upsert)
    elif moment == "drop":
        assistant.store.build._drop = die(assistant.store.build._drop)
    else:
        def publish(client, settings, staged):
            old = assistant.store.build._get(client, settings.collection)
            if old is not None:
                assistant.store.build._drop(client, old)
            os.kill(os.getpid(), signal.SIGKILL)
        assistant.store.build._publish = publish
    settings = Settings(data_dir=Path(data_dir))
    ingest_paths([Path(p) for p in paths], settings, rebuild=rebuild == "1", progress=False)
    """
)


def killed_ingest(moment: str, settings: Settings, paths: list[Path], rebuild: bool) -> None:
    """Run an ingest in a child process and check that it died of SIGKILL at ``moment``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [moment, str(settings.data_dir), "1" if rebuild else "0", *map(str, paths)]
    done = subprocess.run(
        [sys.executable, "-c", KILLER, *args], env=env, capture_output=True, timeout=300
    )
    assert done.returncode == -9, done.stderr.decode(errors="replace")[-2000:]
    reset_client_cache()  # see what the killed process left on disk, not a cached view


def collections(settings: Settings) -> set[str]:
    return {c.name for c in open_client(settings).list_collections()}


def test_killed_first_build_is_not_served_and_the_next_ingest_finishes_it(
    fresh_settings: Settings, corpus_dir: Path
) -> None:
    killed_ingest("upsert", fresh_settings, [corpus_dir], rebuild=False)

    # Some chunks were written, but only to the staging collection: nothing is served.
    staged = open_client(fresh_settings).get_collection(staging_name(fresh_settings))
    assert staged.count() > 0
    assert read_state(open_client(fresh_settings), fresh_settings.collection) is None
    with pytest.raises(IndexIncompleteError) as info:
        Assistant(fresh_settings).answer(QUESTION)
    assert "nog niet af" in str(info.value) and "leerstad ingest" in str(info.value)

    summary = ingest_paths([corpus_dir], fresh_settings, progress=False)

    assert sorted(summary.added) == ["integrale-kindcentra", "unesco-learning-cities"]
    assert collections(fresh_settings) == {fresh_settings.collection}
    # The vectors the killed run computed were cached: the model recomputed none of them.
    assert summary.computed < summary.embedded
    assert "niet vereist" in Assistant(fresh_settings).answer(QUESTION).text


def test_killed_rebuild_keeps_serving_and_leaves_no_orphan(
    fresh_settings: Settings, corpus_dir: Path, tmp_path: Path
) -> None:
    extra = tmp_path / "zwembad.txt"
    extra.write_text("Het zwembad opent de knorretjesbaan op zaterdag om negen uur.\n")
    ingest_paths([corpus_dir, extra], fresh_settings, progress=False)
    before = open_index(fresh_settings)

    killed_ingest("upsert", fresh_settings, [corpus_dir], rebuild=True)

    served = open_index(fresh_settings)
    assert served.collection.id == before.collection.id
    assert "zwembad" in served.state.documents
    assert "niet vereist" in Assistant(fresh_settings).answer(QUESTION).text

    ingest_paths([corpus_dir, extra], fresh_settings, progress=False)  # any next writer
    assert collections(fresh_settings) == {fresh_settings.collection}


@pytest.mark.parametrize("moment", ["drop", "rename"])
def test_killed_swap_is_served_and_finished_by_the_next_writer(
    fresh_settings: Settings, corpus_dir: Path, tmp_path: Path, moment: str
) -> None:
    extra = tmp_path / "zwembad.txt"
    extra.write_text("Het zwembad opent de knorretjesbaan op zaterdag om negen uur.\n")
    ingest_paths([corpus_dir, extra], fresh_settings, progress=False)
    old_revision = open_index(fresh_settings).revision

    killed_ingest(moment, fresh_settings, [corpus_dir], rebuild=True)

    # Before the drop the old index is served, after it the complete rebuild: never nothing.
    served = open_index(fresh_settings)
    expect_new = moment == "rename"
    assert ("zwembad" not in served.state.documents) == expect_new
    assert "niet vereist" in Assistant(fresh_settings).answer(QUESTION).text

    summary = ingest_paths([corpus_dir], fresh_settings, progress=False)

    assert collections(fresh_settings) == {fresh_settings.collection}
    state = read_state(open_client(fresh_settings), fresh_settings.collection)
    assert state is not None and state.complete and state.revision > old_revision
    assert "zwembad" not in state.documents  # the rebuild was finished, not lost
    assert summary.embedded == 0


def test_no_index_at_all_is_missing_not_incomplete(fresh_settings: Settings) -> None:
    with pytest.raises(IndexMissingError) as info:
        open_index(fresh_settings)
    assert not isinstance(info.value, IndexIncompleteError)
    assert "Bouw hem met: leerstad ingest" in str(info.value)
