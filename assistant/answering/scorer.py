"""The fitted model that turns a sentence's features into the chance that it answers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from assistant.answering.features import FEATURES
from assistant.errors import ConfigError

MODEL_FILE = "answer_model.json"
# What the abstain decision looks at: the best sentence's chance and features of that sentence.
GATE_FEATURES = (
    "chance",
    "missing",
    "passage_missing",
    "strict_missing",
    "required",
    "own_coverage",
    "soft_coverage",
    "strict_coverage",
    "dense_sentence",
    "dense_passage",
    "type_miss",
    "english",
)


@dataclass(frozen=True)
class Logistic:
    """A fitted logistic regression on standardised features."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        z = ((rows - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Logistic:
        return cls(
            mean=np.asarray(data["mean"], dtype=float),
            scale=np.asarray(data["scale"], dtype=float),
            coef=np.asarray(data["coef"], dtype=float),
            intercept=float(data["intercept"]),  # type: ignore[arg-type]
        )

    def to_json(self) -> dict[str, object]:
        return {
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "coef": self.coef.round(6).tolist(),
            "intercept": round(self.intercept, 6),
        }


@dataclass(frozen=True)
class AnswerModel:
    """Two logistic regressions fitted by ``python -m evals.fit`` on the dev set.

    ``sentence`` gives each sentence's chance that it holds the answer (over FEATURES);
    ``gate`` gives the chance that the question is answered by the sources at all, from its
    best sentence (over GATE_FEATURES). Below ``threshold`` (chosen on the dev set out of fold;
    per language in ``by_language`` where the fit chose one) the question is not answered.
    ``ratio``: further sentences are quoted when their chance is at least this share of the
    best one's.
    """

    sentence: Logistic
    gate: Logistic
    threshold: float
    ratio: float
    # A language's own threshold, where the fit had enough of its questions to choose one:
    # the lexical features say less of an English question about Dutch sources, so its
    # confidence runs lower for the same evidence.
    by_language: Mapping[str, float] = field(default_factory=dict)

    def threshold_for(self, language: str) -> float:
        return self.by_language.get(language, self.threshold)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return self.sentence(rows)

    def confidence(self, chance: float, features: tuple[float, ...]) -> float:
        return float(self.gate(gate_row(chance, features)[None, :])[0])

    @classmethod
    def from_json(cls, data: dict[str, object]) -> AnswerModel:
        if (
            tuple(data.get("features", ())) != FEATURES
            or tuple(  # type: ignore[arg-type]
                data.get("gate_features", ())  # type: ignore[arg-type]
            )
            != GATE_FEATURES
        ):
            raise ConfigError(
                f"Het antwoordmodel {MODEL_FILE} hoort bij andere kenmerken dan deze versie "
                "berekent. Pas het opnieuw aan met: python -m evals.fit"
            )
        return cls(
            sentence=Logistic.from_json(data["sentence"]),  # type: ignore[arg-type]
            gate=Logistic.from_json(data["gate"]),  # type: ignore[arg-type]
            threshold=float(data["threshold"]),  # type: ignore[arg-type]
            ratio=float(data["ratio"]),  # type: ignore[arg-type]
            by_language={
                str(k): float(v)
                for k, v in dict(data.get("thresholds_by_language") or {}).items()  # type: ignore[call-overload]
            },
        )


def gate_row(chance: float, features: tuple[float, ...]) -> np.ndarray:
    named = dict(zip(FEATURES, features, strict=True))
    return np.array([chance if f == "chance" else named[f] for f in GATE_FEATURES])


@lru_cache(maxsize=4)
def load_answer_model(path: str | None = None) -> AnswerModel:
    """The fitted model shipped in assistant/data (or the file at ``path``)."""
    if path is None:
        text = resources.files("assistant.data").joinpath(MODEL_FILE).read_text("utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return AnswerModel.from_json(json.loads(text))
