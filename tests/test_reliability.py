"""Reliability kept in CI: concurrent conversations without crosstalk, kill -9 during ingest, and
a Chroma server lost during `ingest --rebuild`.

Real components throughout: the real index, the real app (`python app.py`) over HTTP, the real
CLI in subprocesses killed with SIGKILL, a real `chroma run` server. Latencies are printed (run
with -s), never asserted; docs/reliability.md reports them.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from subprocess import PIPE
from typing import Any

import httpx
import pytest
from processes import stop

from assistant import Assistant
from assistant.settings import Settings
from assistant.store import open_client, read_state
from ingest import ingest_paths
from ingest.chunk import chunk_document
from ingest.index import write_lock
from ingest.load import load_all

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SESSIONS = 20


def questions(count: int = SESSIONS) -> list[tuple[str, list[str]]]:
    """Different questions (some follow-ups with history) from the dev set."""
    rows = [json.loads(line) for line in (ROOT / "evals/datasets/dev.jsonl").open()]
    picked = [r for r in rows if r["answerable"]][: count - 5] + [r for r in rows if r["history"]][
        :5
    ]
    assert len({r["question"] for r in picked}) == count
    return [(r["question"], list(r["history"])) for r in picked]


def fingerprint(answer: dict[str, Any]) -> tuple[Any, ...]:
    """What makes an answer this question's answer: text, cited chunks, searched query."""
    return answer["answer"], [s["chunk_id"] for s in answer["sources"]], answer["query"]


def concurrently(
    ask: Callable[[str, list[str]], dict[str, Any]], cases: Sequence[tuple[str, list[str]]]
) -> list[tuple[dict[str, Any], float]]:
    """Each case in its own thread, all started together: (answer json, seconds) per case."""
    start = threading.Barrier(len(cases))

    def run(case: tuple[str, list[str]]) -> tuple[dict[str, Any], float]:
        start.wait()
        began = time.perf_counter()
        answer = ask(*case)
        return answer, time.perf_counter() - began

    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        return list(pool.map(run, cases))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def check_no_crosstalk(
    name: str,
    ask: Callable[[str, list[str]], dict[str, Any]],
    reference: dict[str, tuple[Any, ...]],
    rounds: int = 2,
) -> None:
    cases = questions()
    latencies: list[float] = []
    for _ in range(rounds):
        for (question, _history), (answer, seconds) in zip(
            cases, concurrently(ask, cases), strict=True
        ):
            assert fingerprint(answer) == reference[question], question
            latencies.append(seconds)
    p50, p95 = (percentile(latencies, share) * 1000 for share in (0.5, 0.95))
    print(
        f"\n{name}: {len(latencies)} answers from {SESSIONS} concurrent sessions, latency "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )


@pytest.fixture(scope="module")
def reference(corpus_assistant: Assistant) -> dict[str, tuple[Any, ...]]:
    """Each question's answer asked alone, one after the other."""
    answers = {
        question: fingerprint(corpus_assistant.answer(question, history).to_json())
        for question, history in questions()
    }
    # Distinct answers, or crosstalk between two questions could go unnoticed.
    assert len(set(map(repr, answers.values()))) == len(answers)
    return answers


def test_concurrent_conversations_in_process(
    corpus_assistant: Assistant, reference: dict[str, tuple[Any, ...]]
) -> None:
    def ask(question: str, history: list[str]) -> dict[str, Any]:
        return corpus_assistant.answer(question, history).to_json()

    check_no_crosstalk("Assistant.answer", ask, reference)


def test_sentence_splitting_is_thread_safe() -> None:
    """pysbd keeps the text it splits on the segmenter: a shared one mixed up conversations."""
    from assistant.text.sentences import sentence_spans

    texts = [
        f"Zin {i} gaat over de gemeente. Dan zin twee van {i}! En drie {i}? " * 3 for i in range(20)
    ]
    alone = [sentence_spans(text) for text in texts]

    def split(i: int) -> int:
        return sum(sentence_spans(texts[i]) != alone[i] for _ in range(40))

    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        assert sum(pool.map(split, range(len(texts)))) == 0


# --- the app over HTTP ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEERSTAD_")}
    env.update(HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def app_url(corpus_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python app.py` on a free port, reading the session's index of corpus/."""
    workdir = tmp_path_factory.mktemp("app")
    port = free_port()
    env = clean_env(
        LEERSTAD_DATA_DIR=str(corpus_settings.data_dir.resolve()),
        LEERSTAD_CORPUS_DIR=str(ROOT / "corpus"),
        LEERSTAD_HOST="127.0.0.1",
        LEERSTAD_PORT=str(port),
        LEERSTAD_LLM="extractive",
    )
    log_path = workdir / "app.log"
    with log_path.open("wb") as log:
        app = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")], cwd=workdir, env=env, stdout=log, stderr=log
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 240
            while True:
                assert app.poll() is None, log_path.read_text(errors="replace")[-3000:]
                try:
                    if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, log_path.read_text(errors="replace")[-3000:]
                time.sleep(0.5)
            # The first question loads the models; that is start-up, not load.
            httpx.post(url + "/api/ask", json={"question": "Wat is een IKC?"}, timeout=300)
            yield url
        finally:
            stop(app, timeout=20)


def test_concurrent_conversations_over_http(
    app_url: str, reference: dict[str, tuple[Any, ...]]
) -> None:
    def ask(question: str, history: list[str]) -> dict[str, Any]:
        body = {"question": question, "history": history}
        response = httpx.post(app_url + "/api/ask", json=body, timeout=300)
        assert response.status_code == 200, response.text
        return dict(response.json())

    check_no_crosstalk("POST /api/ask", ask, reference)


# --- kill -9 during ingest ----------------------------------------------------------------------

PROGRESS = re.compile(rb"inbedden:[^\r\n]*?(\d+)/(\d+)")


def run_until(
    args: list[str], env: dict[str, str], moment: Callable[[float, int], bool], timeout: float
) -> tuple[bool, bytes]:
    """Run the CLI and SIGKILL it at ``moment(seconds, documents done)``: (killed?, stderr)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "leerstad.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    err = bytearray()
    reader = threading.Thread(target=lambda: _drain(proc.stderr, err), daemon=True)
    reader.start()
    began = time.monotonic()
    killed = False
    while proc.poll() is None and time.monotonic() - began < timeout:
        if moment(time.monotonic() - began, progress(err)):
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.05)
    if not killed and proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)
    reader.join(timeout=10)
    return killed and proc.returncode == -signal.SIGKILL, bytes(err)


def progress(err: bytearray) -> int:
    """How many chunks the CLI's embedding bar says are done (-1 before it shows)."""
    return max((int(m.group(1)) for m in PROGRESS.finditer(bytes(err))), default=-1)


def _drain(stream: Any, into: bytearray) -> None:
    while chunk := stream.read1(4096):
        into.extend(chunk)


def after(seconds: float = 0.0, chunks: int = -1) -> Callable[[float, int], bool]:
    return lambda elapsed, done: elapsed >= seconds and done >= chunks


# (name, CLI arguments after `ingest`, when to kill). New text is embedded in batches across
# documents, so the moments are: loading, embedding of a first build, embedding of a rebuild
# (the swap itself is covered in tests/test_store_index.py).
KILLS = [
    ("while starting", [], after(seconds=1.0)),
    ("while embedding", [], after(chunks=0)),
    ("while embedding for --rebuild", ["--rebuild"], after(chunks=0)),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """corpus/ plus every distractor: enough text to be killed while embedding it."""
    import shutil

    target = tmp_path_factory.mktemp("kill") / "docs"
    shutil.copytree(ROOT / "corpus", target)
    for path in sorted((SHARED / "corpus-extra").glob("*.md")):
        shutil.copy(path, target / path.name)
    return target


@pytest.mark.timeout(600)
def test_sigkill_during_ingest_leaves_no_lock_and_no_duplicates(
    folder: Path, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    env = clean_env(LEERSTAD_DATA_DIR=str(settings.data_dir))
    for name, extra, moment in KILLS:
        killed, err = run_until(["ingest", str(folder), *extra], env, moment, timeout=300)
        assert killed, f"{name}: the ingest ended before the kill:\n{err.decode()[-2000:]}"
        with write_lock(settings):  # no stale lock: a new writer gets it at once
            pass

    summary = ingest_paths([folder], settings, progress=False)

    docs = load_all([folder], [])
    expected = {c.chunk_id for doc in docs for c in chunk_document(doc, settings.chunk_size, 200)}
    got = open_client(settings).get_collection(settings.collection).get(include=["metadatas"])
    assert sorted(got["ids"]) == sorted(expected)  # nothing missing, nothing twice
    spans = [(m["doc_id"], m["start"], m["end"], m["kind"]) for m in got["metadatas"]]
    assert len(spans) == len(set(spans))
    state = read_state(open_client(settings), settings.collection)
    assert state is not None and sorted(state.documents) == sorted(d.doc_id for d in docs)
    assert summary.chunks == len(expected)
    answer = Assistant(settings).answer("Moet onze gemeente betalen om lid te worden?")
    assert "niet vereist" in answer.text


# --- a Chroma server lost during ingest --rebuild ---------------------------------------------


@contextmanager
def chroma_server(folder: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`chroma run` on ``port`` with its data in ``folder``, answering its heartbeat."""
    chroma = Path(sys.executable).parent / "chroma"
    with (folder / "chroma.log").open("ab") as log:
        server = subprocess.Popen(
            [str(chroma), "run", "--path", str(folder / "db"), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
                    if httpx.get(url, timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.2)
            yield server
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()


@pytest.mark.server
@pytest.mark.timeout(300)
def test_chroma_server_lost_during_rebuild_is_a_dutch_error(folder: Path, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = clean_env(LEERSTAD_DATA_DIR=str(tmp_path / "data"), LEERSTAD_CHROMA=url)
    args = [sys.executable, "-m", "leerstad.cli", "ingest", str(folder), "--rebuild"]
    with chroma_server(tmp_path, port) as server:
        cli = subprocess.Popen(args, cwd=ROOT, env=env, stdout=PIPE, stderr=PIPE)
        assert cli.stderr is not None
        err = bytearray()
        reader = threading.Thread(target=lambda: _drain(cli.stderr, err), daemon=True)
        reader.start()
        while cli.poll() is None and progress(err) < 0:
            time.sleep(0.05)
        server.kill()  # the server dies in the middle of the rebuild
        server.wait()
        cli.wait(timeout=120)
        reader.join(timeout=10)
    stderr = err.decode(errors="replace")
    assert cli.returncode == 1, stderr[-3000:]
    assert "Traceback" not in stderr
    assert "Fout: De Chroma-server op " + url in stderr
    assert "reageert niet meer" in stderr and "vorige index" in stderr

    # The server comes back on the same data: the same command now succeeds.
    with chroma_server(tmp_path, port):
        settings = Settings(data_dir=tmp_path / "data", chroma=url)
        summary = ingest_paths([folder], settings, rebuild=True, progress=False)
        documents = [p for p in folder.glob("*.md") if p.name != "README.md"]  # not a document
        assert len(summary.added) == len(documents)
        assert open_client(settings).get_collection(settings.collection).count() == summary.chunks
