"""Runtime settings, read once from LEERSTAD_* environment variables and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from assistant.errors import ConfigError

PREFIX = "LEERSTAD_"
DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Settings:
    """Every knob of Leerstad, each with an offline default.

    Environment variable names are the field names upper-cased with the ``LEERSTAD_`` prefix,
    e.g. ``LEERSTAD_DATA_DIR`` or ``LEERSTAD_EMBEDDING_MODEL``.
    """

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
    embedding_batch_size: int = 32
    chunk_size: int = 600
    chunk_min_size: int = 200
    top_k: int = 8
    dense_k: int = 20
    keyword_k: int = 20
    rrf_k: int = 60
    rerank_k: int = 30
    min_support: float = 0.3
    # The same share with words no passage has counted in full (see assistant/extractive.py).
    min_support_strict: float = 0.3
    unknown_word_weight: float = 0.5
    llm: str = "extractive"
    llm_base_url: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)
    llm_timeout: float = 60.0
    # The chat model that grades answers in `leerstad eval --judge`; None: the one in `llm`.
    judge_llm: str | None = None
    host: str = "127.0.0.1"
    port: int = 7860
    admin_password: str | None = field(default=None, repr=False)
    max_upload_mb: int = 20
    log_level: str = "WARNING"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``environ`` (default: the process environment), then overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        level = str(values.get("log_level", cls.log_level)).upper()
        if level not in LOG_LEVELS:
            raise ConfigError(
                f"LEERSTAD_LOG_LEVEL={level!r} is geen logniveau. "
                f"Kies uit: {', '.join(LOG_LEVELS)}."
            )
        return cls(**values)

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)

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
            "min_support": self.min_support,
            "min_support_strict": self.min_support_strict,
            "unknown_word_weight": self.unknown_word_weight,
            "llm": self.llm,
            "llm_base_url": self.llm_base_url,
            "judge_llm": self.judge_llm,
        }


def _convert(name: str, annotation: object, raw: str) -> object:
    kind = str(annotation)
    try:
        if kind in ("Path", "Path | None"):
            return Path(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError as e:
        raise ConfigError(
            f"De instelling {PREFIX}{name.upper()}={raw!r} is geen geldig getal ({kind}). "
            "Pas de waarde aan of verwijder de variabele."
        ) from e
    return raw
