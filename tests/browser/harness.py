"""Start the real app (python app.py) on a free port against a real index, for UI and API tests."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from processes import stop

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "beheer-wachtwoord-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_env(workdir: Path, port: int, **extra: str) -> dict[str, str]:
    """The environment of the app process: a fresh data dir and a copy of corpus/."""
    corpus = workdir / "corpus"
    if not corpus.exists():
        shutil.copytree(ROOT / "corpus", corpus)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEERSTAD_")}
    env.update(
        LEERSTAD_DATA_DIR=str(workdir / "data"),
        LEERSTAD_CORPUS_DIR=str(corpus),
        LEERSTAD_HOST="127.0.0.1",
        LEERSTAD_PORT=str(port),
        LEERSTAD_LLM="extractive",
        LEERSTAD_ADMIN_PASSWORD=ADMIN_PASSWORD,
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
    )
    env.update(extra)
    return env


@contextmanager
def running_app(workdir: Path, timeout: float = 240, **extra: str) -> Iterator[str]:
    """Run ``python app.py`` (which builds the index on first start); yield its base URL."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    log = (workdir / "app.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")],
        cwd=workdir,
        env=app_env(workdir, port, **extra),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, url, timeout, workdir / "app.log")
        yield url
    finally:
        stop(proc, timeout=20)
        log.close()


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"app did not become healthy in {timeout}s:\n{log.read_text()[-4000:]}")


class RawGradioSession:
    """One browser-like session that calls events over Gradio's HTTP queue, as the page does.

    This is how an attacker would reach private (api_visibility="private") events too, so the
    admin-guard tests use it.
    """

    def __init__(self, url: str, session_hash: str) -> None:
        self.url = url
        self.session_hash = session_hash
        self.config = httpx.get(url + "/config", timeout=10).json()

    def component_id(self, elem_id: str) -> int:
        for comp in self.config["components"]:
            if comp["props"].get("elem_id") == elem_id:
                return int(comp["id"])
        raise KeyError(elem_id)

    def fn_index(self, elem_id: str, event: str) -> int:
        target = [self.component_id(elem_id), event]
        for dep in self.config["dependencies"]:
            if target in dep["targets"]:
                return int(dep["id"])
        raise KeyError((elem_id, event))

    def upload(self, path: Path) -> dict[str, object]:
        """Upload a file the way the page does; returns the FileData an event receives."""
        with path.open("rb") as f:
            response = httpx.post(
                self.url + "/gradio_api/upload", files={"files": (path.name, f)}, timeout=30
            )
        response.raise_for_status()
        return {
            "path": response.json()[0],
            "orig_name": path.name,
            "meta": {"_type": "gradio.FileData"},
        }

    def call(self, elem_id: str, event: str, data: list[object]) -> dict[str, object]:
        """Run the event; returns the final 'process_completed' message."""
        return self.messages(elem_id, event, data)[-1]

    def messages(self, elem_id: str, event: str, data: list[object]) -> list[dict[str, object]]:
        """Run the event; returns every message it streamed, the 'process_completed' last."""
        fn_index = self.fn_index(elem_id, event)
        body = {
            "data": data,
            "event_data": None,
            "fn_index": fn_index,
            "trigger_id": self.component_id(elem_id),
            "session_hash": self.session_hash,
        }
        with httpx.Client(base_url=self.url + "/gradio_api", timeout=120) as client:
            joined = client.post("/queue/join", json=body)
            joined.raise_for_status()
            params = {"session_hash": self.session_hash}
            received: list[dict[str, object]] = []
            with client.stream("GET", "/queue/data", params=params) as stream:
                for line in stream.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    received.append(json.loads(line[5:]))
                    if received[-1].get("msg") == "process_completed":
                        return received
        raise RuntimeError(f"no result for {elem_id}.{event}")
