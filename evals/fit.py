"""Fit the extractive backend's answer model on a dataset, cross-validated by question.

``python -m evals.fit --dataset evals/datasets/dev.jsonl --extra-corpus ../shared/corpus-extra``
writes ``assistant/data/answer_model.json``: a logistic regression over the sentence features
of ``assistant.answering.features`` (label: the sentence holds an expected fact), the abstain
threshold that makes the most right answer-or-abstain decisions out of fold, and the share of
the best sentence's chance at which further sentences are quoted.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answering.features import FEATURES, Candidate
from assistant.answering.scorer import GATE_FEATURES, MODEL_FILE, AnswerModel, Logistic, gate_row
from evals.dataset import Example, file_sha256, load_dataset
from evals.matching import fact_found

FOLDS = 5
SEED = 20240611
# Quoting one more sentence must find this much more of the expected facts to be worth it.
SENTENCE_COST = 0.05
# The bound on refusing answerable questions (5%), which the threshold must respect.
MAX_FALSE_ABSTENTIONS = 0.05
RATIOS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
# A language other than the sources' own gets a threshold of its own when the fit has this
# many answerable questions in it (with fewer, 5% of them is not one question).
MIN_LANGUAGE_ANSWERABLE = 20
SOURCE_LANGUAGE = "nl"  # the sources' language, whose questions the main threshold is for


@dataclass(frozen=True)
class Question:
    """One question's candidate sentences, their features and which hold an expected fact."""

    example: Example
    language: str  # as the assistant detects it
    features: np.ndarray  # (candidates, FEATURES)
    labels: np.ndarray  # 1 when the sentence holds an expected fact of an expected document
    facts: list[list[bool]]  # per candidate: which expected facts it holds


def collect(examples: list[Example], settings: Any) -> list[Question]:
    """The candidate sentences of every question (each part of a multi-part one)."""
    from assistant import Assistant, Turn
    from assistant.answering.extractive import ExtractiveBackend
    from assistant.answering.parts import split_parts
    from assistant.conversation.memory import as_turns
    from assistant.text.language import detect_language

    neutral = _neutral_model()
    backend = ExtractiveBackend(settings, model=neutral)
    assistant = Assistant(settings, backend=backend)
    out: list[Question] = []
    for example in examples:
        language = detect_language(example.question)
        turns = as_turns(list(example.history))
        rows: list[Candidate] = []
        parts, background = split_parts(example.question)
        about = assistant._about(example.question) if len(parts) > 1 or background else None
        for i, part in enumerate(parts):
            earlier = (*turns, *(Turn(p) for p in parts[:i])) if len(parts) > 1 else turns
            request, _ = assistant.prepare(
                part, earlier, language, background, about or frozenset()
            )
            rows.extend(backend.candidates(request))
        facts = [
            [
                c.passage.chunk.doc_id in example.expected_sources and fact_found(c.text, alts)
                for alts in example.expected_facts
            ]
            for c in rows
        ]
        labels = np.array([float(any(f)) for f in facts])
        features = np.array([c.features for c in rows]).reshape(len(rows), len(FEATURES))
        out.append(Question(example, language, features, labels, facts))
    return out


def _neutral_model() -> AnswerModel:
    flat = Logistic(np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros(len(FEATURES)), 0.0)
    gate = Logistic(
        np.zeros(len(GATE_FEATURES)), np.ones(len(GATE_FEATURES)), np.zeros(len(GATE_FEATURES)), 0.0
    )
    return AnswerModel(flat, gate, 0.0, 1.0)


def fit_logistic(x: np.ndarray, y: np.ndarray, choose_c: bool = False) -> Logistic:
    """A logistic regression on standardised features; with ``choose_c`` its regularisation
    is chosen by 5-fold cross-validated log-loss (the gate has few questions to learn from)."""
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    if choose_c and min(np.bincount(y.astype(int), minlength=2)) >= FOLDS:
        model = LogisticRegressionCV(
            Cs=[0.01, 0.03, 0.1, 0.3, 1.0, 3.0], cv=FOLDS, scoring="neg_log_loss", max_iter=2000
        ).fit(z, y)
    else:
        model = LogisticRegression(C=1.0, max_iter=2000).fit(z, y)
    return Logistic(mean, scale, model.coef_[0], float(model.intercept_[0]))


def fit_sentences(questions: list[Question]) -> Logistic:
    x = np.vstack([q.features for q in questions if len(q.features)])
    y = np.concatenate([q.labels for q in questions if len(q.labels)])
    return fit_logistic(x, y)


def gate_rows(questions: list[Question], sentence: Logistic) -> tuple[np.ndarray, list[int]]:
    """Each question's best sentence as the gate sees it (questions without candidates left
    out: they are never answered), and which questions those are."""
    rows, kept = [], []
    for i, q in enumerate(questions):
        if len(q.features):
            rows.append(best_gate_row(sentence, q.features)[1])
            kept.append(i)
    return np.array(rows), kept


def best_gate_row(sentence: Logistic, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A question's candidates' chances under ``sentence``, and its best one as the gate sees
    it (``features``: one row per candidate, at least one)."""
    chances = sentence(features)
    best = int(np.argmax(chances))
    return chances, gate_row(float(chances[best]), tuple(features[best]))


def fit_model(questions: list[Question]) -> tuple[Logistic, Logistic]:
    sentence = fit_sentences(questions)
    rows, kept = gate_rows(questions, sentence)
    answerable = np.array([float(questions[i].example.answerable) for i in kept])
    return sentence, fit_logistic(rows, answerable, choose_c=True)


def out_of_fold(questions: list[Question]) -> tuple[list[np.ndarray], np.ndarray]:
    """Each question's sentence chances and confidence from models fitted without its fold."""
    rng = np.random.default_rng(SEED)
    fold = rng.permutation(len(questions)) % FOLDS
    chances: list[np.ndarray] = [np.zeros(0)] * len(questions)
    confidence = np.zeros(len(questions))
    for k in range(FOLDS):
        train = [q for q, f in zip(questions, fold, strict=True) if f != k]
        sentence, gate = fit_model(train)
        for i, q in enumerate(questions):
            if fold[i] == k and len(q.features):
                chances[i], row = best_gate_row(sentence, q.features)
                confidence[i] = float(gate(row[None, :])[0])
    return chances, confidence


def choose_threshold(questions: list[Question], confidence: np.ndarray) -> dict[str, Any]:
    """The abstain threshold with the best F1 of abstaining (ties: the lower one) among those
    that refuse at most MAX_FALSE_ABSTENTIONS of the answerable questions, and the
    precision/recall of abstaining at every candidate threshold."""
    answerable = np.array([q.example.answerable for q in questions])
    curve = []
    for t in [*sorted(set(confidence.round(4).tolist())), 1.01]:
        abstain = confidence < t
        tp = int((abstain & ~answerable).sum())
        fp = int((abstain & answerable).sum())
        fn = int((~abstain & ~answerable).sum())
        curve.append(
            {
                "threshold": round(t, 4),
                "right": int((abstain != answerable).sum()),
                "f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else None,
                "precision": round(tp / (tp + fp), 4) if tp + fp else None,
                "recall": round(tp / (tp + fn), 4) if tp + fn else None,
                "false_abstentions": fp,
            }
        )
    allowed = MAX_FALSE_ABSTENTIONS * int(answerable.sum())
    fair = [r for r in curve if r["false_abstentions"] <= allowed] or curve
    top = max(fair, key=lambda r: (r["f1"] or 0.0, -r["threshold"]))
    return {"threshold": top["threshold"], "curve": curve}


def language_thresholds(questions: list[Question], confidence: np.ndarray) -> dict[str, float]:
    """A threshold of its own, chosen as ``choose_threshold`` does on that language's questions
    alone, for each language but the sources' own (Dutch) with enough answerable questions: an
    English question's lexical features find little in Dutch sentences, so one threshold for
    both refuses English questions the sources answer far more often than Dutch ones."""
    out: dict[str, float] = {}
    for language in sorted({q.language for q in questions} - {SOURCE_LANGUAGE}):
        mine = [i for i, q in enumerate(questions) if q.language == language]
        if sum(questions[i].example.answerable for i in mine) >= MIN_LANGUAGE_ANSWERABLE:
            chosen = choose_threshold([questions[i] for i in mine], confidence[mine])
            out[language] = chosen["threshold"]
    return out


def choose_ratio(questions: list[Question], chances: list[np.ndarray]) -> float:
    """The share of the best chance at which more sentences are quoted: most facts found, less
    a cost per extra sentence, over the answerable questions out of fold."""

    def value(ratio: float) -> float:
        total = 0.0
        for q, c in zip(questions, chances, strict=True):
            if not q.example.answerable or not q.example.expected_facts or not len(c):
                continue
            order = np.argsort(-c)[:3]
            picked = [i for i in order if c[i] >= ratio * c[order[0]]]
            facts = range(len(q.example.expected_facts))
            found = [any(q.facts[i][f] for i in picked) for f in facts]
            total += float(np.mean(found)) - SENTENCE_COST * max(len(picked) - 1, 0)
        return total

    return max(RATIOS, key=value)


def fit_parser(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``leerstad eval fit``'s arguments."""
    p.add_argument(
        "--dataset",
        type=Path,
        action="append",
        required=True,
        help="dataset om op aan te passen (herhaalbaar; de dev-sets, nooit de blinde set)",
    )
    p.add_argument(
        "--extra-corpus", type=Path, action="append", default=[], help="extra map (afleiders)"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("assistant/data") / MODEL_FILE,
        help="waar het model komt (standaard: %(default)s)",
    )
    p.add_argument(
        "--calibrate",
        action="store_true",
        help=(
            "het model in --out houden en alleen de drempels per taal (behalve het Nederlands "
            "van de bronnen) opnieuw kiezen op deze datasets"
        ),
    )
    return p


def calibrate(args: argparse.Namespace, settings: Any) -> int:
    """Keep the model at ``args.out`` and choose only its thresholds for the languages other
    than the sources' own on ``args.dataset``, with the model's confidence on each question."""
    from assistant.answering.scorer import load_answer_model
    from evals.run import eval_settings

    if not args.out.is_file():
        print(f"{args.out} bestaat niet: pas eerst een model aan (zonder --calibrate).")
        return 2
    model = load_answer_model(str(args.out))
    examples = [e for path in args.dataset for e in load_dataset(path)]
    with eval_settings(settings, args.extra_corpus, progress=False) as used:
        questions = collect(examples, used)
    confidence = np.zeros(len(questions))
    for i, q in enumerate(questions):
        if len(q.features):
            _, row = best_gate_row(model.sentence, q.features)
            confidence[i] = float(model.gate(row[None, :])[0])
    by_language = language_thresholds(questions, confidence)
    data = json.loads(args.out.read_text(encoding="utf-8"))
    data["thresholds_by_language"] = by_language
    data["calibrated_on"] = [{"dataset": str(p), "sha256": file_sha256(p)} for p in args.dataset]
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"{args.out}: threshold {model.threshold}, per language {by_language}")
    return 0


def fit(args: argparse.Namespace, settings: Any) -> int:
    """Fit on ``args.dataset`` (an index of the corpus plus ``--extra-corpus``), write the model
    to ``args.out`` and print what cross-validation found."""
    from evals.run import eval_settings

    if args.calibrate:
        return calibrate(args, settings)
    examples = [e for path in args.dataset for e in load_dataset(path)]
    with eval_settings(settings, args.extra_corpus, progress=False) as used:
        questions = collect(examples, used)
    chances, confidence = out_of_fold(questions)
    decision = choose_threshold(questions, confidence)
    by_language = language_thresholds(questions, confidence)
    ratio = choose_ratio(questions, chances)
    sentence, gate = fit_model(questions)
    top1 = [
        bool(q.labels[int(np.argmax(c))])
        for q, c in zip(questions, chances, strict=True)
        if q.example.answerable and len(c) and q.labels.any()
    ]
    report = {
        "features": list(FEATURES),
        "gate_features": list(GATE_FEATURES),
        "sentence": sentence.to_json(),
        "gate": gate.to_json(),
        "threshold": decision["threshold"],
        "thresholds_by_language": by_language,
        "ratio": ratio,
        "fitted_on": [{"dataset": str(p), "sha256": file_sha256(p)} for p in args.dataset],
        "embedding_model": settings.embedding_model,
        "cross_validation": {
            "folds": FOLDS,
            "questions": len(questions),
            "top1_holds_a_fact": round(float(np.mean(top1)), 4) if top1 else None,
            "abstain_curve": decision["curve"],
        },
    }
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    right = max(r["right"] for r in decision["curve"])
    print(
        f"{args.out}: threshold {decision['threshold']} {by_language}, ratio {ratio}, out-of-fold "
        f"{right}/{len(questions)} right decisions at best, best sentence holds a fact for "
        f"{report['cross_validation']['top1_holds_a_fact']} of answerable questions"
    )
    print("sentence:", dict(zip(FEATURES, sentence.coef.round(2).tolist(), strict=True)))
    print("gate:", dict(zip(GATE_FEATURES, gate.coef.round(2).tolist(), strict=True)))
    return 0


def main(argv: list[str] | None = None) -> int:
    from assistant.settings import Settings

    parser = fit_parser(argparse.ArgumentParser(prog="python -m evals.fit", description=__doc__))
    return fit(parser.parse_args(argv), Settings.from_env())


if __name__ == "__main__":
    raise SystemExit(main())
