"""Build the web app (FastAPI + Gradio) and serve it: port checked first, models warmed."""

from __future__ import annotations

import errno
import logging
import socket
import sys
from typing import TYPE_CHECKING

from assistant.errors import LeerstadError
from assistant.settings import Settings

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from fastapi import FastAPI

    from web.service import Service

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2  # the port is taken or the address cannot be used

log = logging.getLogger("leerstad.web")


def create_app(settings: Settings, service: Service | None = None) -> FastAPI:
    """The FastAPI app with /healthz, /api/ask and the Gradio page mounted at /."""
    import gradio as gr

    from web.api import build_api
    from web.layout import build_ui
    from web.page import CSS, head, theme
    from web.service import Service
    from web.texts import GRADIO_NL

    service = service or Service(settings)
    demo = build_ui(service)
    demo.queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(
        build_api(service),
        demo,
        path="/",
        footer_links=[],
        run_history=False,
        max_file_size=f"{settings.max_upload_mb}mb",
        theme=theme(),
        css=CSS,
        head=head(),
        i18n=gr.I18n(nl=GRADIO_NL),
        show_error=False,
        mcp_server=False,
        ssr_mode=False,
    )


def ensure_index(settings: Settings) -> BaseProcess | None:
    """Build the index from the corpus when there is none yet (first start, embedded index).
    Then, with LEERSTAD_SENTENCE_VECTORS=after, prepare in the background what this app's
    embedding cache lacks of the passages (all of them after a first build; what an interrupted
    preparation left, or a replica's own cache): that process, or None."""
    from assistant.store import open_client, read_state
    from ingest import enrich_in_background, ingest_paths, is_prepared

    exists = read_state(open_client(settings), settings.collection) is not None
    if not exists and settings.chroma == "persistent":
        print(
            f"Nog geen index: documenten in {settings.corpus_dir} worden ingelezen ...", flush=True
        )
        print(ingest_paths([settings.corpus_dir], settings).line(), flush=True)
        exists = True
    if not exists or settings.sentence_vectors != "after" or is_prepared(settings):
        return None
    return enrich_in_background(settings)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; OSError when it is taken or not an address here."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def port_message(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"Poort {port} op {host} is al in gebruik. Stop het programma dat die poort gebruikt, "
            "of kies een andere poort met --port (of LEERSTAD_PORT)."
        )
    if error.errno == errno.EACCES:
        return f"Leerstad mag poort {port} niet gebruiken. Kies een poort boven 1024 met --port."
    return (
        f"Leerstad kan niet luisteren op {host}:{port} ({error.strerror or error}). Kies een "
        "ander adres met --host of een andere poort met --port."
    )


def announce(problem: str | None) -> None:
    if problem is None:
        print("Leerstad is klaar: de modellen en de index zijn geladen.", flush=True)
    else:
        print(f"Leerstad draait, maar kan nog geen vragen beantwoorden: {problem}", flush=True)


def serve(settings: Settings, host: str, port: int) -> int:
    """Serve the app on host:port until stopped; returns the exit code (2: port unusable)."""
    import uvicorn

    from web.service import Service

    try:
        sock = bind(host, port)
    except (OSError, OverflowError) as e:
        error = e if isinstance(e, OSError) else OSError(errno.EINVAL, str(e))
        print(port_message(host, port, error), file=sys.stderr)
        return EXIT_USAGE
    try:
        ensure_index(settings)
        service = Service(settings)
        app = create_app(settings, service)
    except LeerstadError as e:
        sock.close()
        print(f"Leerstad kan niet starten: {e}", file=sys.stderr)
        return EXIT_ERROR
    print(f"Leerstad draait op http://{host}:{port} (modellen worden geladen ...)", flush=True)
    service.start_warm_up(announce)  # /healthz says "loading" until the models and index are in
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])
    return EXIT_OK
