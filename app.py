"""Leerstad's web app entry point: `python app.py [--host H] [--port P]` (see web/)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.errors import LeerstadError
from assistant.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI


def create_app(settings: Settings) -> FastAPI:
    """The FastAPI app: /healthz, /api/ask and the Gradio page at /."""
    from web.server import create_app as build

    return build(settings)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="app.py",
        description="Start de Leerstad-webapp (chat, bronnen, beheer, /healthz en /api/ask).",
    )
    parser.add_argument("--host", help="adres om op te luisteren (standaard LEERSTAD_HOST)")
    parser.add_argument("--port", type=int, help="poort (standaard LEERSTAD_PORT)")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except LeerstadError as e:
        print(f"Leerstad kan niet starten: {e}", file=sys.stderr)
        return 1
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    from web.server import serve

    return serve(settings, args.host or settings.host, args.port or settings.port)


if __name__ == "__main__":
    raise SystemExit(main())
