"""Leerstad's command line: ingest, ask, eval, serve, feedback."""
