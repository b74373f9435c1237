"""The answer model's thresholds: one for the sources' language, one of its own for another
language with enough questions, chosen on the fitting sets and used by the extractive backend."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant import Assistant
from assistant.answering.extractive import ExtractiveBackend
from assistant.answering.features import FEATURES
from assistant.answering.scorer import GATE_FEATURES, AnswerModel, load_answer_model
from assistant.settings import Settings
from evals.dataset import Example
from evals.fit import MIN_LANGUAGE_ANSWERABLE, Question, choose_threshold, language_thresholds


def question(language: str, answerable: bool) -> Question:
    example = Example(
        id=f"{language}-{answerable}",
        question="?",
        answerable=answerable,
        expected_facts=(("x",),) if answerable else (),
    )
    return Question(example, language, np.zeros((0, 1)), np.zeros(0), [])


def test_another_language_gets_the_threshold_its_own_questions_choose() -> None:
    # Dutch: answerable questions confident (0.8), unanswerable ones not (0.5). English:
    # answerable ones at 0.4 (its lexical features find little in Dutch sentences),
    # unanswerable ones at 0.1. Among all questions the English ones are few enough for 5%
    # false abstentions, so one threshold (0.8) would refuse every English question.
    dutch = [question("nl", True)] * 400 + [question("nl", False)] * 50
    english = [question("en", True)] * MIN_LANGUAGE_ANSWERABLE + [question("en", False)] * 10
    confidence = np.array([0.8] * 400 + [0.5] * 50 + [0.4] * MIN_LANGUAGE_ANSWERABLE + [0.1] * 10)
    questions = dutch + english
    overall = choose_threshold(questions, confidence)["threshold"]
    by_language = language_thresholds(questions, confidence)
    assert set(by_language) == {"en"}  # the sources' language keeps the main threshold
    assert 0.1 < by_language["en"] <= 0.4 < overall


def test_a_language_with_too_few_answerable_questions_gets_no_threshold_of_its_own() -> None:
    few = MIN_LANGUAGE_ANSWERABLE - 1
    questions = [question("nl", True)] * 40 + [question("en", True)] * few
    confidence = np.array([0.8] * 40 + [0.4] * few)
    assert language_thresholds(questions, confidence) == {}


def test_the_model_reads_and_uses_its_thresholds_per_language() -> None:
    shipped = load_answer_model()
    data = {
        "features": list(FEATURES),
        "gate_features": list(GATE_FEATURES),
        "sentence": shipped.sentence.to_json(),
        "gate": shipped.gate.to_json(),
        "threshold": 0.6,
        "ratio": shipped.ratio,
    }
    assert AnswerModel.from_json(data).threshold_for("en") == 0.6  # none of its own
    model = AnswerModel.from_json({**data, "thresholds_by_language": {"en": 0.25}})
    assert model.threshold_for("en") == 0.25
    assert model.threshold_for("nl") == model.threshold_for("de") == 0.6


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        ("Welke steden in Nederland zijn lid van het netwerk?", False),
        ("Which Dutch cities are members of the network?", True),
    ],
)
def test_the_extractive_backend_refuses_below_the_threshold_of_the_question_language(
    mixed_settings: Settings, question: str, answered: bool
) -> None:
    # No confidence reaches 1.01; every one reaches 0.0: the question's language decides.
    model = replace(load_answer_model(), threshold=1.01, by_language={"en": 0.0})
    assistant = Assistant(mixed_settings, backend=ExtractiveBackend(mixed_settings, model=model))
    answer = assistant.answer(question)
    assert answer.abstained is not answered, answer.text
    if answered:
        assert "Den Bosch" in answer.text and "Groningen" in answer.text


def test_the_shipped_model_is_calibrated_for_english_questions() -> None:
    # `make calibrate` chose it on the readable sets: English questions about Dutch sources
    # are answered from a lower confidence than Dutch ones.
    model = load_answer_model()
    assert model.threshold_for("en") < model.threshold
