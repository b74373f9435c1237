"""Leerstad's web app: the Gradio page, the HTTP API and the server that runs them."""
