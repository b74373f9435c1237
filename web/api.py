"""The HTTP API: GET /healthz and POST /api/ask, every error a Dutch JSON message."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictStr
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import LeerstadError
from assistant.limits import (
    MAX_BODY_BYTES,
    MAX_HISTORY_TURNS,
    MAX_JSON_DEPTH,
    MAX_QUESTION_CHARS,
    MAX_SOURCE_IDS_PER_TURN,
    MAX_TURN_CHARS,
    thousands,
)
from assistant.records import Turn
from web.service import Service

log = logging.getLogger("leerstad.web.api")

ASK_PATH = "/api/ask"
ASK_EXAMPLE = '{"question": "Wat is een integraal kindcentrum?", "history": []}'
HISTORY_LIMIT = (
    f"maximaal {MAX_HISTORY_TURNS} beurten van {thousands(MAX_TURN_CHARS)} tekens "
    f"(per vraag en per antwoord)"
)
BODY_LIMIT = f"maximaal {MAX_BODY_BYTES // 1024} kB"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


class TurnIn(BaseModel):
    """A previous exchange sent by an embedding website."""

    question: StrictStr
    answer: StrictStr = ""
    source_ids: list[StrictStr] = Field(default_factory=list)


class AskIn(BaseModel):
    """The body of POST /api/ask."""

    question: StrictStr
    history: list[TurnIn | StrictStr] = Field(default_factory=list)


class ApiError(Exception):
    """A request refused with a Dutch message (becomes {"error": ...} with its status)."""

    def __init__(self, status: int, message: str, **extra: object) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": message, **extra}


def error(status: int, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def invalid_request(errors: Sequence[Any]) -> dict[str, object]:
    """A Dutch message for a body that does not fit AskIn (pydantic's errors name the fields)."""
    if any(e.get("type") == "json_invalid" for e in errors):
        fields, problem = ["body"], "Het verzoek is geen geldige JSON."
    else:
        fields = sorted({str(e["loc"][1]) if len(e["loc"]) > 1 else "body" for e in errors})
        names = ", ".join(f"'{f}'" for f in fields)
        problem = f"Ongeldig verzoek: {names} ontbreekt of heeft een verkeerd type."
    message = f"{problem} Stuur JSON zoals {ASK_EXAMPLE} (question is tekst, history een lijst)."
    return {"error": message, "fields": fields}


def json_depth(text: str, limit: int) -> int:
    """How deeply ``text`` nests arrays/objects, counting only up to ``limit + 1`` (linear)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif char in "]}":
            depth -= 1
    return deepest


def check_body(raw: bytes) -> None:
    """Refuse bodies that are too large, not UTF-8 or nested too deeply, before parsing."""
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(
            413,
            f"Het verzoek is te groot ({BODY_LIMIT}). De history mag {HISTORY_LIMIT} bevatten.",
            limits=LIMITS,
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ApiError(
            400, f"Het verzoek is geen geldige UTF-8-tekst (byte {e.start}). Stuur JSON in UTF-8."
        ) from e
    if json_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise ApiError(
            400,
            f"Het verzoek is te diep genest (meer dan {MAX_JSON_DEPTH} niveaus). "
            f"Stuur JSON zoals {ASK_EXAMPLE}.",
        )


LIMITS = {
    "question_chars": MAX_QUESTION_CHARS,
    "history_turns": MAX_HISTORY_TURNS,
    "turn_chars": MAX_TURN_CHARS,
    "body_bytes": MAX_BODY_BYTES,
}


class BodyGuard:
    """ASGI middleware: reads the body of POST /api/ask up to the limit and checks it first."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != ASK_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_BODY_BYTES or not message.get("more_body"):
                break
        raw = b"".join(chunks)
        try:
            check_body(raw)
        except ApiError as e:
            await JSONResponse(e.body, status_code=e.status)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await self.app(scope, replay, send)


def checked_text(field: str, text: str, limit: int) -> str:
    """``text`` when it is valid Unicode within ``limit`` characters, else an ApiError."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ApiError(
            400,
            f"'{field}' bevat een ongeldig teken (U+{ord(text[e.start]):04X}, een losse "
            "surrogaat). Stuur gewone Unicode-tekst.",
            fields=[field.split("[")[0]],
        ) from e
    if len(text) > limit:
        raise ApiError(
            400 if field == "question" else 413,
            f"'{field}' is te lang ({thousands(len(text))} tekens; maximaal "
            f"{thousands(limit)}). "
            + (
                "Maak de vraag korter."
                if field == "question"
                else f"De history mag {HISTORY_LIMIT} bevatten."
            ),
            limits=LIMITS,
        )
    return text


def history_of(body: AskIn) -> list[Turn | str]:
    if len(body.history) > MAX_HISTORY_TURNS:
        raise ApiError(
            413,
            f"De history heeft {len(body.history)} beurten; {HISTORY_LIMIT}. Stuur alleen de "
            "laatste beurten mee.",
            limits=LIMITS,
        )
    history: list[Turn | str] = []
    for i, turn in enumerate(body.history):
        if isinstance(turn, str):
            history.append(checked_text(f"history[{i}]", turn, MAX_TURN_CHARS))
            continue
        question = checked_text(f"history[{i}].question", turn.question, MAX_TURN_CHARS)
        answer = checked_text(f"history[{i}].answer", turn.answer, MAX_TURN_CHARS)
        ids = turn.source_ids[:MAX_SOURCE_IDS_PER_TURN]
        for j, source_id in enumerate(ids):
            checked_text(f"history[{i}].source_ids[{j}]", source_id, MAX_TURN_CHARS)
        history.append(Turn(question, answer, tuple(ids)))
    return history


def build_api(service: Service) -> FastAPI:
    """/healthz and /api/ask; errors are Dutch JSON messages, never stack traces."""
    api = FastAPI(title="Leerstad", docs_url="/api/docs", openapi_url="/api/openapi.json")
    api.add_middleware(BodyGuard)

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(invalid_request(exc.errors()), status_code=422)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error(exc.status_code, http_message(exc.status_code, request))

    @api.exception_handler(ApiError)
    async def refused(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body, status_code=exc.status)

    @api.get("/healthz")
    def healthz() -> JSONResponse:
        health = service.health()
        return JSONResponse(health.to_json(), status_code=health.http_status)

    @api.post(ASK_PATH)
    def ask_api(body: AskIn) -> JSONResponse:
        return answer_request(service, body)

    @api.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def unknown(rest: str, request: Request) -> JSONResponse:
        status = 405 if f"/api/{rest}" == ASK_PATH else 404
        return error(status, http_message(status, request))

    return api


def answer_request(service: Service, body: AskIn) -> JSONResponse:
    """The answer to a checked request, or a Dutch error: 503 when the index cannot be used."""
    question = checked_text("question", body.question, MAX_QUESTION_CHARS).strip()
    if not question:
        return error(400, "De vraag is leeg. Zet een vraag in het veld 'question'.")
    history = history_of(body)
    try:
        answer = service.assistant().answer(question, history)
    except LeerstadError as e:
        return error(503, str(e))
    except Exception:  # never a stack trace to the caller; the log keeps it (not the question)
        log.exception("POST /api/ask failed")
        problem = service.store_problem()
        if problem:
            return error(503, problem)
        return error(500, "Er ging iets onverwachts mis. Probeer het later opnieuw.")
    return JSONResponse(answer.to_json())


def http_message(status: int, request: Request) -> str:
    path = request.url.path
    if status == 404:
        return f"Het adres {path} bestaat niet. De API kent GET /healthz en POST {ASK_PATH}."
    if status == 405:
        return f"{request.method} kan niet op {path}. Gebruik POST met JSON zoals {ASK_EXAMPLE}."
    return f"Het verzoek aan {path} kan niet worden verwerkt (HTTP {status})."
