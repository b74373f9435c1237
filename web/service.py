"""The process-wide services behind the page: the Assistant, its warm-up, health and feedback."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import LeerstadError
from assistant.feedback import FeedbackStore
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.assistant import Assistant

log = logging.getLogger("leerstad.web")

# Asked once at start so the embedding model, the index and the keyword index are loaded
# before the first visitor's question.
WARM_UP_QUESTION = "Wat is een integraal kindcentrum?"
STARTING = "Leerstad is nog aan het opstarten; de eerste vraag kan even duren."


@dataclass(frozen=True)
class Health:
    """What /healthz reports: overall status, the store, the models."""

    status: str  # "ok", "loading" or "unavailable"
    store: dict[str, Any]
    models: dict[str, Any]

    @property
    def http_status(self) -> int:
        return 200 if self.status == "ok" else 503

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "store": self.store, "models": self.models}


class Service:
    """The one Assistant of this process, built on first use and warmed before serving."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.feedback = FeedbackStore.from_settings(settings)
        self._assistant: Assistant | None = None
        self._lock = threading.Lock()
        self.warm = threading.Event()
        self.warm_error: str | None = None

    def assistant(self) -> Assistant:
        with self._lock:
            if self._assistant is None:
                from assistant.assistant import Assistant

                self._assistant = Assistant(self.settings)
            return self._assistant

    def warm_up(self, on_done: Callable[[str | None], None] | None = None) -> None:
        """Load the models and indexes by answering one question; records why it failed.

        ``on_done`` gets None when ready, or the Dutch reason it is not.
        """
        try:
            self.assistant().answer(WARM_UP_QUESTION)
            self.warm_error = None
        except LeerstadError as e:
            self.warm_error = str(e)
            log.warning("warm-up failed: %s", e)
        except Exception as e:  # the server must still start and say why it is not ready
            self.warm_error = f"{type(e).__name__}: {e}"
            log.exception("warm-up failed")
        finally:
            self.warm.set()
        if on_done:
            on_done(self.warm_error)

    def start_warm_up(
        self, on_done: Callable[[str | None], None] | None = None
    ) -> threading.Thread:
        thread = threading.Thread(
            target=self.warm_up, args=(on_done,), name="leerstad-warm-up", daemon=True
        )
        thread.start()
        return thread

    def documents(self) -> list[dict[str, Any]]:
        try:
            return list(self.assistant().documents())
        except LeerstadError as e:
            log.warning("documents unavailable: %s", e)
        except Exception:  # the page must still load; the log keeps the details
            log.exception("listing documents failed")
        return []

    def indexed_sources(self) -> dict[str, dict[str, Any]]:
        """Every indexed document with the source file it was read from (doc_id -> info)."""
        from assistant.store import open_client, read_state

        state = read_state(open_client(self.settings), self.settings.collection)
        return dict(state.documents) if state else {}

    def store_problem(self) -> str | None:
        """A Dutch reason when the vector store cannot be read right now, else None."""
        from assistant.store import open_client, read_state

        try:
            state = read_state(open_client(self.settings), self.settings.collection)
        except LeerstadError as e:
            return str(e)
        except Exception as e:  # a server that dies mid-request raises transport errors
            log.warning("vector store check failed: %s: %s", type(e).__name__, e)
            return (
                f"De index ({self.settings.chroma}) is nu niet bereikbaar ({type(e).__name__}). "
                "Probeer het over een minuut opnieuw; blijft dit zo, start dan de Chroma-server "
                "opnieuw."
            )
        if state is None:
            return "Er is nog geen index. Bouw hem met: leerstad ingest"
        return None

    def health(self) -> Health:
        problem = self.store_problem()
        self._retry_warm_up(problem)
        store = {"kind": self.settings.chroma, "ok": problem is None}
        if problem:
            store["error"] = problem
        models = {
            "embedding_model": self.settings.embedding_model,
            "llm": self.settings.llm,
            "loaded": self.warm.is_set() and self.warm_error is None,
        }
        if self.warm_error:
            models["error"] = self.warm_error
        if problem:
            status = "unavailable"
        elif not self.warm.is_set():
            status = "loading"
        else:
            status = "ok" if self.warm_error is None else "unavailable"
        return Health(status, store, models)

    def _retry_warm_up(self, store_problem: str | None) -> None:
        """After a failed warm-up (store down at start), warm up again once the store is back."""
        with self._lock:
            if self.warm.is_set() and self.warm_error and store_problem is None:
                self.warm.clear()
                self.start_warm_up()

    def notices(self) -> list[str]:
        """Dutch warnings for configured services that cannot be reached right now."""
        from assistant.answering.llm import llm_status

        notices = []
        if not self.warm.is_set():
            notices.append(STARTING)

        status = llm_status(self.settings)
        if status:
            notices.append(status)
        if self.settings.chroma != "persistent":
            problem = self.store_problem()
            if problem:
                notices.append(problem)
        return notices
