"""Server mode: ingest into and answer from a real `chroma run` server over HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from processes import stop

from assistant import Assistant
from assistant.errors import VectorStoreUnavailableError
from assistant.settings import Settings
from ingest import ingest_paths
from ingest.index import write_lock

pytestmark = pytest.mark.server

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `chroma run` server on a free port with its data in a temporary folder."""
    port = free_port()
    folder = tmp_path_factory.mktemp("chroma-server")
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [
            str(CHROMA),
            "run",
            "--path",
            str(folder / "db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (folder / "server.log").read_text(errors="replace")
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "chroma run did not answer its heartbeat"
            time.sleep(0.2)
        yield url
    finally:
        stop(server, timeout=10)
        log.close()


@pytest.fixture(scope="module")
def server_settings(
    chroma_url: str, tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path
) -> Settings:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("server-data"), corpus_dir=corpus_dir, chroma=chroma_url
    )
    summary = ingest_paths([corpus_dir], settings, progress=False)
    assert sorted(summary.added) == ["integrale-kindcentra", "unesco-learning-cities"]
    return settings


def test_ingest_writes_to_the_server(server_settings: Settings, corpus_dir: Path) -> None:
    import chromadb

    client = chromadb.HttpClient(
        host="127.0.0.1", port=int(server_settings.chroma.rsplit(":", 1)[1])
    )
    collection = client.get_collection(server_settings.collection)
    assert collection.count() > 0
    assert collection.metadata["embedding_model"] == server_settings.embedding_model
    assert not server_settings.chroma_dir.exists()  # nothing embedded next to the server
    again = ingest_paths([corpus_dir], server_settings, progress=False)
    assert again.embedded == 0 and len(again.unchanged) == 2


def test_answer_from_the_server(server_settings: Settings) -> None:
    answer = Assistant(server_settings).answer(
        "Moet onze gemeente betalen om lid te worden van het netwerk?"
    )
    assert "niet vereist" in answer.text
    assert answer.sources[0].doc_id == "unesco-learning-cities"


def test_server_mode_needs_no_file_lock(server_settings: Settings, corpus_dir: Path) -> None:
    # The server serialises writers itself; a held lock on the data folder does not block.
    with write_lock(server_settings.with_(chroma="persistent")):
        summary = ingest_paths([corpus_dir], server_settings, progress=False)
    assert len(summary.unchanged) == 2


def test_assistant_sees_another_writers_changes(server_settings: Settings, tmp_path: Path) -> None:
    assistant = Assistant(server_settings)
    assert "zwembad" not in {d["doc_id"] for d in assistant.documents()}
    extra = tmp_path / "zwembad.txt"
    extra.write_text("Het zwembad opent de knorretjesbaan op zaterdag om negen uur.\n")
    ingest_paths([extra], server_settings, progress=False)

    assert "zwembad" in {d["doc_id"] for d in assistant.documents()}
    answer = assistant.answer("Op welke dag opent de knorretjesbaan van het zwembad?")
    assert "zaterdag" in answer.text
    assert answer.sources[0].doc_id == "zwembad"


@pytest.mark.parametrize(
    "use",
    [
        lambda s: Assistant(s).answer("Wie moet de aanvraag steunen?"),
        lambda s: ingest_paths([s.corpus_dir], s, progress=False),
    ],
    ids=["answer", "ingest"],
)
def test_unreachable_server(tmp_path: Path, corpus_dir: Path, use: object) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = Settings(data_dir=tmp_path, corpus_dir=corpus_dir, chroma=url)
    with pytest.raises(VectorStoreUnavailableError) as info:
        use(settings)  # type: ignore[operator]
    message = str(info.value)
    assert f"De Chroma-server op {url} is niet bereikbaar" in message
    assert "LEERSTAD_CHROMA" in message


# A second app replica: its own process and data folder (replicas share no disk), answering the
# questions it reads from stdin with one JSON line each.
REPLICA = """
import json, sys
from pathlib import Path
from assistant import Assistant
from assistant.text.analysis import tokenize
from assistant.settings import Settings

assistant = Assistant(Settings(data_dir=Path(sys.argv[1]), chroma=sys.argv[2]))
for question in sys.stdin:
    answer = assistant.answer(question.strip())
    status = assistant.status()
    print(json.dumps({
        "doc": answer.sources[0].doc_id if answer.sources else None,
        "revision": status["revision"],
        "documents": status["documents"],
        "chunks": assistant.retriever.keyword.size,
        "keyword_hits": [i for i, _ in assistant.retriever.keyword.search(tokenize(question), 3)],
    }), flush=True)
"""


def test_replica_notices_a_new_revision_and_reloads_its_keyword_index(
    server_settings: Settings, tmp_path: Path
) -> None:
    import json

    replica = subprocess.Popen(
        [sys.executable, "-c", REPLICA, str(tmp_path / "replica"), server_settings.chroma],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**__import__("os").environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    assert replica.stdin is not None and replica.stdout is not None

    def ask(question: str) -> dict[str, object]:
        replica.stdin.write(question + "\n")  # type: ignore[union-attr]
        replica.stdin.flush()  # type: ignore[union-attr]
        return json.loads(replica.stdout.readline())  # type: ignore[union-attr]

    try:
        question = "Op welke dag leent de bibliotheek plinkeboeken uit?"
        before = ask(question)
        extra = tmp_path / "plinkeboek.txt"
        extra.write_text("De bibliotheek leent elk plinkeboek gratis uit, op woensdagmiddag.\n")
        ingest_paths([extra], server_settings, progress=False)  # this process is the writer

        after = ask(question)
    finally:
        replica.stdin.close()
        replica.wait(timeout=60)

    assert after["revision"] == before["revision"] + 1  # type: ignore[operator]
    assert after["documents"] == before["documents"] + 1  # type: ignore[operator]
    assert after["chunks"] == before["chunks"] + 1  # type: ignore[operator]
    assert "plinkeboek#0000" not in before["keyword_hits"]  # type: ignore[operator]
    assert after["keyword_hits"][0] == "plinkeboek#0000"  # type: ignore[index]
    assert after["doc"] == "plinkeboek"


def test_a_build_in_progress_on_the_server_is_not_dropped_by_another_writer(
    server_settings: Settings, corpus_dir: Path
) -> None:
    from assistant.errors import IndexLockedError
    from assistant.store import open_client, open_for_write, staging_name

    # Another writer (e.g. a replica's admin) is rebuilding: its staging collection is fresh.
    building = open_for_write(server_settings, rebuild=True)

    with pytest.raises(IndexLockedError) as info:
        ingest_paths([corpus_dir], server_settings, progress=False)
    assert "Een ander proces bouwt de index" in str(info.value)
    assert "probeer het opnieuw" in str(info.value)

    # Abandoned (no progress for longer than STALE_BUILD_S): the next writer clears it away.
    building.collection.modify(metadata={**building.state.to_metadata(), "heartbeat": 0.0})
    summary = ingest_paths([corpus_dir], server_settings, progress=False)
    assert len(summary.unchanged) == 2
    names = {c.name for c in open_client(server_settings).list_collections()}
    assert staging_name(server_settings) not in names


def test_a_build_whose_writer_on_this_host_has_ended_is_cleared_at_once(
    server_settings: Settings, corpus_dir: Path
) -> None:
    from assistant.store import open_client, open_for_write, staging_name

    building = open_for_write(server_settings, rebuild=True)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    owner = f"{socket.gethostname()}:{gone.pid}"
    building.collection.modify(metadata={**building.collection.metadata, "owner": owner})

    # Fresh progress, but its writer (a killed `leerstad ingest`, say) is gone: no 10-minute wait.
    summary = ingest_paths([corpus_dir], server_settings, progress=False)
    assert len(summary.unchanged) == 2
    names = {c.name for c in open_client(server_settings).list_collections()}
    assert staging_name(server_settings) not in names
