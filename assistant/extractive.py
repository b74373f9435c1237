"""The offline answer backend: composes the answer from the best-supported source sentences."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.citations import number_sources
from assistant.generate import Request, register_backend
from assistant.keyword import words
from assistant.memory import context_of
from assistant.messages import Messages, messages_for
from assistant.records import Answer, Passage
from assistant.sentences import split_sentences
from assistant.settings import Settings
from assistant.support import Concepts, concepts
from assistant.vocabulary import AnswerType, Vocabulary, load_vocabulary

MAX_SENTENCES = 3
_NEGATION = {"niet", "geen", "nooit", "niets", "not", "no", "never", "none"}
_YES_NO_START = re.compile(
    r"^(moet|moeten|kan|kun|kunt|kunnen|is|zijn|mag|mogen|heeft|hebben|wordt|worden|krijgt|"
    r"krijgen|bestaat|bestaan|hoort|horen|doet|doen|zit|zitten|valt|geldt|"
    r"do|does|is|are|can|must|should|has|have|will|may)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Candidate:
    """One sentence of a retrieved passage, scored against the question."""

    passage: Passage
    rank: int
    text: str
    coverage: float  # share of the question's concepts (IDF-weighted) in the sentence
    context_coverage: float  # the same for the whole passage with its title
    typed: bool  # matches the kind of answer asked for (e-mail, age, ...), or none was asked
    covered: frozenset[str]
    score: float


class ExtractiveBackend:
    """Answers with literal sentences from the sources, or abstains when they do not answer."""

    name = "extractive"

    def __init__(self, settings: Settings, vocabulary: Vocabulary | None = None) -> None:
        self.settings = settings
        self.vocabulary = vocabulary or load_vocabulary()

    def standalone_question(self, question: str, history: tuple) -> str | None:
        return None  # the Assistant's default method (assistant.memory) is the extractive one

    def stream(self, request: Request) -> Iterator[Answer]:
        yield self.answer(request)

    # -- answering ---------------------------------------------------------------------------

    def answer(self, request: Request) -> Answer:
        msg = messages_for(request.language)
        question, _ = self.vocabulary.strip_injection(request.question)
        context = context_of(request.question, request.standalone)
        if not request.standalone.endswith(request.question):
            question, context = request.standalone, ""  # rewritten by a language model
        wanted_concepts = concepts(
            question, self.vocabulary, request.doc_freq, request.corpus_size, context=context
        )
        wanted = self.vocabulary.answer_type(question)
        candidates = self._candidates(request.passages, wanted_concepts, wanted)
        best = self._best(candidates)
        if best is None or not wanted_concepts.groups:
            return self.abstain(request, msg)
        chosen = self._select(best, candidates)
        sources, numbers = number_sources([c.passage for c in chosen], quotes=[c.text for c in chosen])
        lead = self._lead(question, best, msg, typed_answer=wanted is not None)
        parts = [lead] if lead else []
        parts += [f"{c.text} [{numbers[c.passage.chunk.chunk_id]}]" for c in chosen]
        return Answer(
            text=" ".join(parts),
            sources=tuple(sources),
            abstained=False,
            backend=self.name,
            query=request.standalone,
            language=request.language,
        )

    def abstain(self, request: Request, msg: Messages | None = None) -> Answer:
        msg = msg or messages_for(request.language)
        return Answer(
            text=msg.abstain,
            abstained=True,
            backend=self.name,
            query=request.standalone,
            language=request.language,
        )

    def _candidates(
        self,
        passages: tuple[Passage, ...],
        question: Concepts,
        wanted: AnswerType | None,
    ) -> list[Candidate]:
        out: list[Candidate] = []
        for rank, passage in enumerate(passages):
            chunk = passage.chunk
            context_cov, _ = question.coverage(f"{chunk.title} {chunk.section or ''} {chunk.text}")
            for sentence in split_sentences(chunk.text):
                if sentence.rstrip().endswith("?"):
                    continue  # a question in the source introduces an answer, it is not one
                cov, covered = question.coverage(sentence)
                typed = wanted is None or bool(wanted.pattern.search(sentence))
                score = (
                    0.55 * cov
                    + 0.35 * context_cov
                    + 0.1 * question.exact(sentence)
                    + 0.1 / (1 + rank)
                    + 0.05 * (1 - min(len(sentence), 300) / 300)  # of equals, the shorter
                ) * (1 if typed else 0.3)
                out.append(
                    Candidate(passage, rank, sentence, cov, context_cov, typed, covered, score)
                )
        return out

    def _best(self, candidates: list[Candidate]) -> Candidate | None:
        supported = [
            c
            for c in candidates
            if c.typed and c.context_coverage >= self.settings.min_support and c.coverage > 0
        ]
        return max(supported, key=lambda c: c.score, default=None)

    def _select(self, best: Candidate, candidates: list[Candidate]) -> list[Candidate]:
        """The best sentence, then up to two more that add something the question asks."""
        chosen = [best]
        covered = set(best.covered)
        docs = {best.passage.chunk.doc_id}
        for c in sorted(candidates, key=lambda c: -c.score):
            if len(chosen) >= MAX_SENTENCES:
                break
            if c is best or c.text in {x.text for x in chosen} or not c.typed:
                continue
            if c.score < 0.6 * best.score or c.context_coverage < self.settings.min_support:
                continue
            if c.passage.chunk.doc_id not in docs and c.context_coverage < best.context_coverage:
                continue  # another document only when it matches the question as well
            if c.covered - covered:
                chosen.append(c)
                covered |= c.covered
                docs.add(c.passage.chunk.doc_id)
        return chosen

    def _lead(
        self, question: str, best: Candidate, msg: Messages, typed_answer: bool
    ) -> str | None:
        """ "Ja." or "Nee." before a yes/no question's answer, when the sentence settles it."""
        if not _YES_NO_START.match(question.strip()):
            return None
        negated = bool(_NEGATION & set(words(best.text)))
        if negated and (best.coverage >= 0.3 or typed_answer):
            return msg.no
        if not negated and best.coverage >= 0.99:
            return msg.yes
        return None


register_backend("extractive", lambda settings, _model: ExtractiveBackend(settings))
