"""Runtime settings, read once from LEERSTAD_* environment variables and passed down."""

from __future__ import annotations

import difflib
import os
import types
import typing
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from annotated_types import Ge, Gt, Le, Lt
from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

from assistant.errors import ConfigError

PREFIX = "LEERSTAD_"
DEFAULT_EMBEDDING_MODEL = "use-multilingual-v3"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class UnknownSettingWarning(UserWarning):
    """A LEERSTAD_* variable that is no setting (a typo, most likely); it is ignored."""


class Settings(BaseSettings):
    """Every knob of Leerstad, each with an offline default and, for numbers, a range.

    Environment variable names are the field names upper-cased with the ``LEERSTAD_`` prefix,
    e.g. ``LEERSTAD_DATA_DIR`` or ``LEERSTAD_EMBEDDING_MODEL``. ``Settings(...)`` takes only
    the values given; ``Settings.from_env()`` reads the environment.
    """

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_ignore_empty=True, frozen=True, extra="forbid"
    )

    data_dir: Path = Path("data")
    # Embeddings cached by text and model, shared by re-ingests, rebuilds, eval and bench indexes;
    # empty: data_dir/cache.
    cache_dir: Path | None = None
    corpus_dir: Path = Path("corpus")
    collection: str = "leerstad"
    # "persistent" (embedded, under data_dir) or an http(s) URL of a `chroma run` server.
    chroma: str = "persistent"
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_device: str = "cpu"
    embedding_batch_size: int = Field(32, ge=1, le=4096)
    chunk_size: int = Field(600, ge=50, le=20_000)
    chunk_min_size: int = Field(200, ge=0, le=20_000)
    top_k: int = Field(8, ge=1, le=100)
    dense_k: int = Field(20, ge=1, le=1000)
    keyword_k: int = Field(20, ge=1, le=1000)
    rrf_k: int = Field(60, ge=0, le=1000)
    rerank_k: int = Field(30, ge=1, le=1000)
    # Abstain below this confidence (0-1); None: the threshold fitted with the answer model
    # (`leerstad eval fit`, chosen on the dev sets). Higher refuses more, lower answers more.
    answer_threshold: float | None = Field(None, ge=0, le=1)
    unknown_word_weight: float = Field(0.5, ge=0, le=1)
    # Each chunk's sentence splits and the vectors of its sentences, its text and its words,
    # each chunk (word) encoded on its own, for the answers (assistant/passage_vectors.py):
    # "after" (the default): every ingest (`leerstad ingest`, the web app's own, the eval's)
    # prepares them into the embedding cache once the index is usable (ingest/enrich.py);
    # answers use what is prepared and compute the rest with the question, as "answer" does;
    # "ingest": ingest computes them with the chunks (a slower ingest); "answer": answers
    # encode every passage with the question. The answers' text, sources and abstentions are
    # the same in all three; confidences differ in the 7th digit (docs/benchmarks.md).
    sentence_vectors: Literal["answer", "ingest", "after"] = "after"
    # What the assistant answers questions about, as its welcome tells the user. A first
    # question that refers to something it does not name ("Wie is de contactpersoon?") is read
    # as following on from this, and a first question with nothing before or beside it ranks
    # the passages of the documents this retrieves a little higher. Empty: neither.
    topics: str = "lerende steden (UNESCO Learning Cities) en Integrale Kindcentra"
    llm: str = "extractive"
    llm_base_url: str | None = None
    llm_api_key: str | None = Field(None, repr=False)
    llm_timeout: float = Field(60.0, gt=0, le=3600)
    # The chat model that grades answers in `leerstad eval --judge`; None: the one in `llm`.
    judge_llm: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    admin_password: str | None = Field(None, repr=False)
    max_upload_mb: int = Field(20, ge=1, le=1024)
    log_level: LogLevel = "WARNING"
    # Privacy (docs/privacy.md): question text stays out of logs unless this is switched on.
    log_questions: bool = False
    feedback_retention_days: int = Field(180, ge=1, le=3650)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: Any, **_sources: Any
    ) -> tuple[Any, ...]:
        # Only the values given: the environment is read by from_env(), on purpose and once.
        return (init_settings,)

    @model_validator(mode="before")
    @classmethod
    def _upper_case_log_level(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("log_level"), str):
            return {**data, "log_level": data["log_level"].strip().upper()}
        return data

    @model_validator(mode="after")
    def _chunk_sizes_fit(self) -> Settings:
        if self.chunk_min_size > self.chunk_size:
            raise ValueError(
                f"{PREFIX}CHUNK_MIN_SIZE ({self.chunk_min_size}) is groter dan "
                f"{PREFIX}CHUNK_SIZE ({self.chunk_size}). Maak de minimale grootte kleiner."
            )
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``environ`` (default: the process environment), then overrides.

        Overrides that are None count as "not given". An invalid value raises ConfigError
        naming the variable and what is allowed; an unknown ``LEERSTAD_*`` variable gives an
        UnknownSettingWarning naming the closest known one.
        """
        env = os.environ if environ is None else environ
        for message in unknown_variables(env):
            warnings.warn(message, UnknownSettingWarning, stacklevel=2)
        values = _MappingEnvSource(cls, env)()
        given = {k: v for k, v in overrides.items() if v is not None}
        try:
            return cls(**{**values, **given})
        except ValidationError as e:
            raise ConfigError(_describe_errors(e, {**values, **given})) from e

    def with_(self, **changes: object) -> Settings:
        return type(self)(**{**self.model_dump(), **changes})

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def keyword_dir(self) -> Path:
        return self.data_dir / "keyword"

    @property
    def embedding_cache_dir(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else self.data_dir / "cache"

    @property
    def state_file(self) -> Path:
        return self.data_dir / "index-state.json"

    def describe(self) -> dict[str, object]:
        """The settings that shape answers, for run metadata (no secrets)."""
        return {
            "embedding_model": self.embedding_model,
            "chroma": self.chroma,
            "collection": self.collection,
            "chunk_size": self.chunk_size,
            "chunk_min_size": self.chunk_min_size,
            "top_k": self.top_k,
            "dense_k": self.dense_k,
            "keyword_k": self.keyword_k,
            "rrf_k": self.rrf_k,
            "rerank_k": self.rerank_k,
            "answer_threshold": self.answer_threshold,
            "unknown_word_weight": self.unknown_word_weight,
            "topics": self.topics,
            "llm": self.llm,
            "llm_base_url": self.llm_base_url,
            "judge_llm": self.judge_llm,
        }


class _MappingEnvSource(EnvSettingsSource):
    """pydantic-settings' environment source, reading a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {k.lower(): v for k, v in self._environ.items() if v != ""}


def variable(name: str) -> str:
    """The environment variable of setting ``name``: ``top_k`` -> ``LEERSTAD_TOP_K``."""
    return PREFIX + name.upper()


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """A Dutch warning for each ``LEERSTAD_*`` variable that is no setting."""
    known = [name.upper() for name in Settings.model_fields]
    messages = []
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith(PREFIX) or upper.removeprefix(PREFIX) in known:
            continue
        # Compared without the prefix, which every name shares and would make all names close.
        close = difflib.get_close_matches(upper.removeprefix(PREFIX), known, n=1, cutoff=0.6)
        hint = f"Bedoelt u {PREFIX}{close[0]}?" if close else "Zie de instellingen in README.md."
        messages.append(f"Onbekende instelling {name} wordt genegeerd. {hint}")
    return messages


def allowed(name: str) -> str:
    """What setting ``name`` accepts, in Dutch: "een geheel getal van 1 tot en met 100"."""
    info = Settings.model_fields[name]
    if typing.get_origin(info.annotation) is Literal:
        return "een van " + ", ".join(typing.get_args(info.annotation))
    if info.annotation is bool:
        return "true of false"
    annotation = info.annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        # "float | None": the value, or the variable left out for the default.
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    kind = {int: "een geheel getal", float: "een getal"}.get(annotation)  # type: ignore[call-overload]
    if kind is None:
        return "tekst"
    rules = {type(rule): rule for rule in info.metadata}
    lower = upper = ""
    if Ge in rules:
        lower = f"van {rules[Ge].ge}"  # type: ignore[attr-defined]
    elif Gt in rules:
        lower = f"groter dan {rules[Gt].gt}"  # type: ignore[attr-defined]
    if Le in rules:
        upper = ("tot en met " if Ge in rules else "en hoogstens ") + str(rules[Le].le)  # type: ignore[attr-defined]
    elif Lt in rules:
        upper = f"kleiner dan {rules[Lt].lt}"  # type: ignore[attr-defined]
    return " ".join(part for part in (kind, lower, upper) if part)


def _describe_errors(error: ValidationError, values: Mapping[str, object]) -> str:
    messages = []
    for item in error.errors():
        if not item["loc"]:  # a check across fields; its message is already Dutch
            messages.append(str(item["ctx"]["error"]) if "ctx" in item else item["msg"])
            continue
        name = str(item["loc"][0])
        if name not in Settings.model_fields:
            messages.append(f"Onbekende instelling {name!r}.")
            continue
        messages.append(
            f"De instelling {variable(name)}={values.get(name)!r} is ongeldig. "
            f"Toegestaan: {allowed(name)}. Pas de waarde aan of verwijder de variabele."
        )
    return " ".join(messages)
