"""A local HTTP server that speaks Ollama's and OpenAI's chat APIs with scripted replies.

The real ChatOllama / ChatOpenAI clients talk to it over TCP, so the tests check the wire format
(request bodies, NDJSON and SSE streams, HTTP errors) without any model running.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    """One scripted HTTP response; ``lines`` are written one by one and flushed (a stream)."""

    status: int = 200
    lines: tuple[bytes, ...] = ()
    content_type: str = "application/json"
    delay: float = 0.0  # seconds to wait before answering (longer than the client's timeout)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: dict = field(default_factory=dict)


def ollama_stream(tokens: list[str], model: str = "llama3.1") -> Reply:
    """Ollama's /api/chat NDJSON stream: one message per token, then a ``done`` line."""
    lines = [
        {
            "model": model,
            "created_at": "2025-01-01T00:00:00Z",
            "message": {"role": "assistant", "content": t},
            "done": False,
        }
        for t in tokens
    ]
    lines.append(
        {
            "model": model,
            "created_at": "2025-01-01T00:00:01Z",
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": "stop",
            "total_duration": 1000,
            "prompt_eval_count": 100,
            "eval_count": len(tokens),
        }
    )
    return Reply(
        lines=tuple(json.dumps(x).encode() + b"\n" for x in lines),
        content_type="application/x-ndjson",
    )


def openai_stream(tokens: list[str], model: str = "gpt-4o-mini") -> Reply:
    """OpenAI's /v1/chat/completions SSE stream: ``data: {chunk}`` per token, then [DONE]."""

    def chunk(delta: dict, finish: str | None = None) -> bytes:
        body = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1735689600,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return b"data: " + json.dumps(body).encode() + b"\n\n"

    lines = [chunk({"role": "assistant", "content": ""})]
    lines += [chunk({"content": t}) for t in tokens]
    lines += [chunk({}, "stop"), b"data: [DONE]\n\n"]
    return Reply(lines=tuple(lines), content_type="text/event-stream")


def openai_completion(text: str, model: str = "gpt-4o-mini") -> Reply:
    """OpenAI's non-streaming /v1/chat/completions response."""
    body = {
        "id": "chatcmpl-2",
        "object": "chat.completion",
        "created": 1735689600,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60},
    }
    return Reply(lines=(json.dumps(body).encode(),))


def error(status: int, payload: dict) -> Reply:
    return Reply(status=status, lines=(json.dumps(payload).encode(),))


def malformed_ollama() -> Reply:
    """A stream that starts well and then sends a line that is not JSON."""
    good = ollama_stream(["De ", "bronnen "]).lines[:2]
    return Reply(
        lines=(*good, b'{"model": "llama3.1", "message": {"content": "kap\n'),
        content_type="application/x-ndjson",
    )


def malformed_openai() -> Reply:
    good = openai_stream(["De ", "bronnen "]).lines[:3]
    return Reply(lines=(*good, b"data: {not json at all\n\n"), content_type="text/event-stream")


def closed_port() -> int:
    """A local port with nothing listening on it (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LLMServer:
    """Serves scripted replies per path, records every request; use as a context manager."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._replies: dict[str, deque[Reply]] = defaultdict(deque)
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def reply(self, path: str, *replies: Reply) -> None:
        """Answer the next requests to ``path`` with ``replies``, in order."""
        self._replies[path].extend(replies)

    def posted(self, path: str) -> list[dict]:
        """The JSON bodies POSTed to ``path``."""
        return [r.body for r in self.requests if r.method == "POST" and r.path == path]

    def __enter__(self) -> LLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                server.requests.append(
                    Received(
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        json.loads(raw) if raw else {},
                    )
                )
                queue = server._replies[self.path]
                reply = queue.popleft() if queue else error(404, {"error": "no reply scripted"})
                if reply.delay and server._stop.wait(reply.delay):
                    return
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for line in reply.lines:
                        self.wfile.write(line)
                        self.wfile.flush()
                except OSError:
                    pass  # the client gave up (timeout); nothing left to tell it

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
