"""Leerstad's benchmark: speed, memory and evidence recall at 1k-100k chunks, beside a naive
LangChain pipeline. Run it with `python -m bench` (or `leerstad bench`, `make bench`)."""

from bench.cli import main
from bench.run import Options, run

__all__ = ["Options", "main", "run"]
