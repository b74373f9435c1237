"""The offline answer backend: quotes the source sentences a fitted model finds answer best."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant.answering.base import Request
from assistant.answering.features import Analysis, Candidate, Embed, analyse, candidates
from assistant.answering.scorer import AnswerModel, load_answer_model
from assistant.citations import number_sources
from assistant.messages import Messages, messages_for
from assistant.passage_vectors import PassageVectors, encode, normalised
from assistant.records import Answer, Turn
from assistant.settings import Settings
from assistant.text.sentences import attribution_at, passage_sentences
from assistant.text.vocabulary import Vocabulary, load_vocabulary

MAX_SENTENCES = 3
_NEGATION = {"niet", "geen", "nooit", "niets", "not", "no", "never", "none"}
_YES_NO_START = re.compile(
    r"^(moet|moeten|kan|kun|kunt|kunnen|is|zijn|mag|mogen|heeft|hebben|wordt|worden|krijgt|"
    r"krijgen|bestaat|bestaan|hoort|horen|doet|doen|zit|zitten|valt|geldt|gaat|kost|kosten|"
    r"do|does|is|are|can|must|should|has|have|will|may)\b",
    re.IGNORECASE,
)
VECTOR_CACHE = 20_000  # sentences and passages whose vectors are kept between questions


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    chance: float  # the fitted model's chance that this sentence answers the question


class SentenceVectors:
    """Normalised vectors of texts from the configured embedding model, cached by text (the
    same source sentences are scored again for every question)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # conversations are answered in parallel threads

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        from assistant.embedding_models import build_embeddings

        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        found: dict[str, np.ndarray] = {}
        if todo:
            vectors = encode(build_embeddings(self.settings), [todo]).astype(float)
            found = dict(zip(todo, normalised(vectors), strict=True))
        with self._lock:
            self._cache.update(found)
            out = np.stack([found[t] if t in found else self._cache[t] for t in texts])
            for text in texts:
                self._cache.move_to_end(text)
            while len(self._cache) > VECTOR_CACHE:
                self._cache.popitem(last=False)
        return out


class ExtractiveBackend:
    """Answers with literal sentences from the sources, or abstains when none answers."""

    name = "extractive"
    splits_questions = True  # a message with several questions is answered part by part
    quotes_only = True  # says nothing but source sentences, whatever the question asks

    def __init__(
        self,
        settings: Settings,
        vocabulary: Vocabulary | None = None,
        model: AnswerModel | None = None,
    ) -> None:
        self.settings = settings
        self.vocabulary = vocabulary or load_vocabulary()
        self.model = model or load_answer_model()
        self.vectors = SentenceVectors(settings)
        # Passages' splits and vectors, and words' vectors, each computed on its own and kept
        # (at or after ingest, else here): LEERSTAD_SENTENCE_VECTORS.
        self.passages: PassageVectors | None = None
        if settings.sentence_vectors != "answer":
            self.passages = PassageVectors(settings, self.vectors)

    def standalone_question(self, question: str, history: tuple[Turn, ...]) -> str | None:
        return None  # the Assistant's default method (assistant.conversation) is the extractive one

    def stream(self, request: Request) -> Iterator[Answer]:
        yield self.answer(request)

    def analyse(self, request: Request) -> Analysis:
        return analyse(request, self.vocabulary, self.settings.unknown_word_weight)

    def candidates(self, request: Request) -> list[Candidate]:
        """Every sentence of the retrieved passages that could answer, with its features."""
        embed: Embed = self.vectors
        if self.passages is not None:
            chunks = self.passages.with_splits([p.chunk for p in request.passages])
            passages = zip(request.passages, chunks, strict=True)
            request = replace(request, passages=tuple(replace(p, chunk=c) for p, c in passages))
            embed = self.passages.for_passages(chunks)
        return candidates(request, self.analyse(request), embed)

    def score(self, request: Request) -> list[Scored]:
        """The candidate sentences with the fitted model's chance that each answers, best first."""
        found = self.candidates(request)
        if not found:
            return []
        chances = self.model.probabilities(np.array([c.features for c in found]))
        scored = [Scored(c, float(p)) for c, p in zip(found, chances, strict=True)]
        return sorted(scored, key=lambda s: -s.chance)

    def answer(self, request: Request) -> Answer:
        msg = messages_for(request.language)
        scored = self.score(request)
        best = scored[0] if scored else None
        confidence = self.model.confidence(best.chance, best.candidate.features) if best else 0.0
        threshold = self.settings.answer_threshold
        if threshold is None:
            threshold = self.model.threshold_for(request.language)
        if confidence < threshold:
            return self.abstain(request, msg, confidence)
        chosen = self._select(scored)
        sources, numbers = number_sources(
            [c.passage for c in chosen], quotes=[c.text for c in chosen]
        )
        quotes = [f"{c.text} [{numbers[c.passage.chunk.chunk_id]}]" for c in chosen]
        lead = self._lead(request, scored[0].candidate, msg)
        if request.language == "en":
            # The sources are Dutch: say so once, and quote them as quotes.
            text = (
                " ".join(filter(None, [lead, msg.quoting]))
                + "\n"
                + "\n".join(f"“{c.text}” [{numbers[c.passage.chunk.chunk_id]}]" for c in chosen)
            )
        else:
            text = " ".join(filter(None, [lead, *quotes]))
        return Answer(
            text=text,
            sources=tuple(sources),
            abstained=False,
            backend=self.name,
            query=request.standalone,
            language=request.language,
            confidence=confidence,
        )

    def abstain(
        self, request: Request, msg: Messages | None = None, confidence: float | None = None
    ) -> Answer:
        msg = msg or messages_for(request.language)
        return Answer(
            text=msg.abstain,
            abstained=True,
            backend=self.name,
            query=request.standalone,
            language=request.language,
            confidence=confidence,
        )

    def _select(self, scored: list[Scored]) -> list[Candidate]:
        """The best sentence and those nearly as likely to answer (the fitted share of its
        chance), as the fit chose that share, but no other document's sentence with the kind of
        answer asked for; each passage's sentences in reading order, the best's passage first."""
        best = scored[0]
        doc = best.candidate.passage.chunk.doc_id
        floor = self.model.ratio * best.chance
        chosen = [best.candidate]
        for s in scored[1:]:
            if len(chosen) >= MAX_SENTENCES or s.chance < floor:
                break
            c = s.candidate
            if c.text in {x.text for x in chosen} or c.feature("type_miss"):
                continue
            if c.feature("type_match") and c.passage.chunk.doc_id != doc:
                # Another document's amount or address ("... kosten maximaal €21,80 per maand"
                # after "Een financiële contributie is niet vereist.") would read as a second
                # answer to the same question.
                continue
            chosen.append(c)
        chosen = _with_attributions(chosen)
        first: dict[str, int] = {}
        for c in chosen:
            first.setdefault(c.passage.chunk.chunk_id, len(first))
        return sorted(chosen, key=lambda c: (first[c.passage.chunk.chunk_id], c.position))

    def _lead(self, request: Request, best: Candidate, msg: Messages) -> str | None:
        """ "Ja." or "Nee." before a yes/no question's answer, when the sentence settles it:
        "Nee." when it negates; "Ja." only when the sentence itself has every concept (not
        through its document's title: "Moet de raad akkoord geven?" is no "Ja." because a
        sentence of the "Wet maatschappelijke ondersteuning" names the council)."""
        if not _YES_NO_START.match(request.question.strip()):
            return None
        # Whole words only: "niet-overheidspartijen" negates nothing.
        negated = bool(_NEGATION & {w.strip(".,;:!?()'\"‘’“”").lower() for w in best.text.split()})
        # "Is het gratis?" asks the opposite of "Is er een contributie?": the same sentence
        # ("... is niet vereist") answers the one "Ja." and the other "Nee.".
        yes, no = msg.yes, msg.no
        if self.vocabulary.asks_opposite(request.question):
            yes, no = no, yes
        if negated and (best.feature("own_coverage") >= 0.3 or best.feature("type_match")):
            return no
        if not negated and best.feature("own_coverage") >= 0.99 and len(best.covered) >= 2:
            itself, _ = self.analyse(request).wanted.coverage(best.text, own_only=True)
            return yes if itself >= 0.99 else None
        return None


def _with_attributions(chosen: list[Candidate]) -> list[Candidate]:
    """The chosen sentences and, after a quotation, the line that says who said it: a quote is
    not quoted without its speaker. The line follows the quote; after the sentence that
    introduces a quote ("... zich ook op richten:") the quote comes too, so the speaker is not
    given the introduction's words."""
    out = list(chosen)
    for c in chosen:
        chunk = c.passage.chunk
        sentences = passage_sentences(chunk.text, chunk.sentences)
        at = attribution_at(sentences, c.position)
        if at is not None:
            for position in range(c.position + 1, at + 1):
                if sentences[position] not in {x.text for x in out}:
                    out.append(replace(c, text=sentences[position], position=position))
    return out
