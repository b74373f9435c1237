"""The offline answer backend: composes the answer from the best-supported source sentences."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.citations import number_sources
from assistant.generate import Request, register_backend
from assistant.keyword import stem, words
from assistant.memory import context_of
from assistant.messages import Messages, messages_for
from assistant.records import Answer, Passage, Turn
from assistant.sentences import split_sentences
from assistant.settings import Settings
from assistant.support import Concepts, concepts
from assistant.vocabulary import AnswerType, Vocabulary, load_vocabulary

MAX_SENTENCES = 3
MIN_WORDS = 4
_NEGATION = {"niet", "geen", "nooit", "niets", "not", "no", "never", "none"}
_YES_NO_START = re.compile(
    r"^(moet|moeten|kan|kun|kunt|kunnen|is|zijn|mag|mogen|heeft|hebben|wordt|worden|krijgt|"
    r"krijgen|bestaat|bestaan|hoort|horen|doet|doen|zit|zitten|valt|geldt|gaat|"
    r"do|does|is|are|can|must|should|has|have|will|may)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Candidate:
    """One sentence of a retrieved passage, scored against the question."""

    passage: Passage
    rank: int
    position: int  # sentence number inside the passage
    text: str
    coverage: float  # share of the question's own concepts (IDF-weighted) in the sentence
    context_coverage: float  # share of all concepts, earlier turns included, in the passage
    typed: bool  # matches the kind of answer asked for (e-mail, age, ...), or none was asked
    covered: frozenset[str]
    score: float


class ExtractiveBackend:
    """Answers with literal sentences from the sources, or abstains when they do not answer."""

    name = "extractive"

    def __init__(self, settings: Settings, vocabulary: Vocabulary | None = None) -> None:
        self.settings = settings
        self.vocabulary = vocabulary or load_vocabulary()

    def standalone_question(self, question: str, history: tuple[Turn, ...]) -> str | None:
        return None  # the Assistant's default method (assistant.memory) is the extractive one

    def stream(self, request: Request) -> Iterator[Answer]:
        yield self.answer(request)

    def answer(self, request: Request) -> Answer:
        msg = messages_for(request.language)
        question, _ = self.vocabulary.strip_injection(request.question)
        context = context_of(request.question, request.standalone)
        if not request.standalone.endswith(request.question):
            question, context = request.standalone, ""  # rewritten by a language model
        wanted = concepts(
            question,
            self.vocabulary,
            request.doc_freq,
            request.corpus_size,
            context=context,
            unknown_weight=self.settings.unknown_word_weight,
        )
        answer_type = self.vocabulary.answer_type(question)
        preferred = self.vocabulary.preferred(question)
        candidates = self._candidates(
            request.passages, wanted, answer_type, preferred, request.topic
        )
        focus = self.vocabulary.focus(question)
        if request.language != "nl":
            focus = None  # an English word for it cannot be required of a Dutch passage
        # Words no passage has weigh less above; counted in full they must still not outweigh
        # what the passage covers: "nieuw" does not answer a question about a new passport.
        # (Not for questions in another language than the sources: there every word is unknown.)
        strict = concepts(
            question,
            self.vocabulary,
            request.doc_freq,
            request.corpus_size,
            unknown_weight=1.0 if request.language == "nl" else self.settings.unknown_word_weight,
        )
        required = self._required(wanted, focus, request)
        best = self._best(candidates, wanted, required, strict)
        if best is None:
            return self.abstain(request, msg)
        chosen = self._select(best, candidates)
        sources, numbers = number_sources(
            [c.passage for c in chosen], quotes=[c.text for c in chosen]
        )
        lead = self._lead(question, best, wanted, msg, typed=answer_type is not None)
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
        answer_type: AnswerType | None,
        preferred: list[re.Pattern[str]],
        topic: frozenset[str] = frozenset(),
    ) -> list[Candidate]:
        out: list[Candidate] = []
        for rank, passage in enumerate(passages):
            chunk = passage.chunk
            context_cov, _ = question.coverage(f"{chunk.title} {chunk.section or ''} {chunk.text}")
            lead_in = (0.0, frozenset[str]())
            for position, sentence in enumerate(split_sentences(chunk.text)):
                # The title is what every sentence of the document is about.
                cov, covered = question.coverage(f"{chunk.title} {sentence}", own_only=True)
                if sentence.rstrip().endswith("?"):
                    # A question in the source introduces its answer: the next sentence
                    # answers what this one asks.
                    lead_in = (cov, covered)
                    continue
                if lead_in[0] > cov:
                    cov, covered = lead_in[0], covered | lead_in[1]
                lead_in = (0.0, frozenset())
                if len(words(sentence)) < MIN_WORDS:
                    continue  # a fragment (a list item, an attribution) is no answer
                typed = answer_type is None or self._answers_type(
                    answer_type, sentence, question, f"{chunk.title} {sentence}"
                )
                score = (
                    0.5 * cov
                    + 0.4 * context_cov
                    + 0.1 * question.exact(sentence)
                    + 0.1 / (1 + rank)
                    + 0.05 * (1 - min(len(sentence), 300) / 300)  # of equals, the shorter
                    + 0.15 * any(p.search(sentence) for p in preferred)
                    + 0.1 * (chunk.doc_id in topic)  # a follow-up stays on its subject
                ) * (1 if typed else 0.3)
                out.append(
                    Candidate(
                        passage, rank, position, sentence, cov, context_cov, typed, covered, score
                    )
                )
        return out

    def _required(self, wanted: Concepts, focus: str | None, request: Request) -> frozenset[str]:
        """Concepts the supporting passage must have: the names in the question that the index
        knows, and the word a wh-question asks about ("burgemeester" in "Wie is de burgemeester
        van ...?"), known to the index or not: no passage that lacks it answers the question."""
        names = {n for n in wanted.names if wanted.known(n, request.doc_freq)}
        return frozenset(names | ({focus} if focus else set()))

    def _best(
        self,
        candidates: list[Candidate],
        wanted: Concepts,
        required: frozenset[str],
        strict: Concepts,
    ) -> Candidate | None:
        """The best sentence that answers the question; None when none does (abstain)."""
        supported = [
            c
            for c in candidates
            if c.typed
            and c.coverage > 0
            and c.context_coverage >= self.settings.min_support
            and required <= wanted.covered_by(_context(c)) | _stems(_context(c))
            and strict.coverage(_context(c))[0] >= self.settings.min_support_strict
        ]
        return max(supported, key=lambda c: c.score, default=None)

    @staticmethod
    def _answers_type(
        answer_type: AnswerType, sentence: str, question: Concepts, text: str
    ) -> bool:
        """The sentence has the kind of answer asked for, about the thing asked about:
        an amount for "subsidie" must mention the subsidy, a count must count what was asked."""
        if not answer_type.pattern.search(sentence):
            return False
        asked = [g for g, _, own in question.groups if own and g.stems & answer_type.asked]
        covered = question.covered_by(text)
        if any(g.word not in covered for g in asked):
            return False
        counted = [
            g
            for g, _, _ in question.groups
            if answer_type.counted
            and (answer_type.counted == g.word or answer_type.counted in g.stems)
        ]
        if not counted:
            return True
        what = Concepts(tuple((g, 1.0, True) for g in counted))
        tokens = words(sentence)
        # A count is a number just before what was asked about: "250 steden".
        return any(
            _is_number(token) and what.covered_by(" ".join(tokens[i + 1 : i + 4]))
            for i, token in enumerate(tokens)
        )

    def _select(self, best: Candidate, candidates: list[Candidate]) -> list[Candidate]:
        """The best sentence with its passage's other relevant sentences, in reading order,
        then sentences from other passages that add something the question asks."""
        same = [
            c
            for c in candidates
            if c.passage is best.passage
            and c is not best
            and c.typed
            and (c.coverage > 0 or abs(c.position - best.position) == 1)
            and c.score >= 0.5 * best.score
        ]
        same.sort(key=lambda c: (abs(c.position - best.position), -c.score))
        chosen = [best, *same[: MAX_SENTENCES - 1]]
        covered = set().union(*(c.covered for c in chosen))
        for c in sorted(candidates, key=lambda c: -c.score):
            if len(chosen) >= MAX_SENTENCES:
                break
            if c.passage is best.passage or not c.typed or c.text in {x.text for x in chosen}:
                continue
            if c.score < 0.6 * best.score or c.context_coverage < best.context_coverage:
                continue
            if c.covered - covered:
                chosen.append(c)
                covered |= c.covered
        first = {id(best.passage): 0}
        for c in chosen:
            first.setdefault(id(c.passage), len(first))
        # The best sentence's passage first, each passage's sentences in reading order.
        return sorted(chosen, key=lambda c: (first[id(c.passage)], c.position))

    def _lead(
        self, question: str, best: Candidate, wanted: Concepts, msg: Messages, typed: bool
    ) -> str | None:
        """ "Ja." or "Nee." before a yes/no question's answer, when the sentence settles it."""
        if not _YES_NO_START.match(question.strip()):
            return None
        negated = bool(_NEGATION & set(words(best.text)))
        if negated and (best.coverage >= 0.3 or typed):
            return msg.no
        own = [g for g, _, is_own in wanted.groups if is_own]
        if not negated and best.coverage >= 0.99 and len(own) >= 2:
            return msg.yes
        return None


_NUMBER_WORDS = {
    "twee",
    "drie",
    "vier",
    "vijf",
    "zes",
    "zeven",
    "acht",
    "negen",
    "tien",
    "honderd",
    "duizend",
    "two",
    "three",
    "four",
    "five",
    "hundred",
    "thousand",
}


def _is_number(token: str) -> bool:
    return token.isdigit() or token in _NUMBER_WORDS


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text))


def _context(c: Candidate) -> str:
    chunk = c.passage.chunk
    return f"{chunk.title} {chunk.section or ''} {chunk.text}"


register_backend("extractive", lambda settings, _model: ExtractiveBackend(settings))
