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
# "Wat is een ...?" is answered by the best sentence with its neighbours, which explain it.
_DEFINITION = re.compile(
    r"^\s*(wat\s+(is|zijn|houdt|betekent|bedoelen)|what\s+(is|are|does))\b", re.IGNORECASE
)
_NEGATION = {"niet", "geen", "nooit", "niets", "not", "no", "never", "none"}
_YES_NO_START = re.compile(
    r"^(moet|moeten|kan|kun|kunt|kunnen|is|zijn|mag|mogen|heeft|hebben|wordt|worden|krijgt|"
    r"krijgen|bestaat|bestaan|hoort|horen|doet|doen|zit|zitten|valt|geldt|gaat|"
    r"do|does|is|are|can|must|should|has|have|will|may)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Question:
    """What the backend makes of a question before it looks at the passages."""

    text: str  # without injected instructions
    wanted: Concepts  # its concepts, earlier turns included at half weight
    strict: Concepts  # the same with words no passage has counted in full
    answer_type: AnswerType | None
    preferred: list[re.Pattern[str]]
    required: frozenset[str]  # names and the asked-about word, which a passage must have


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
        q = self._analyse(request)
        candidates = self._candidates(
            request.passages, q.wanted, q.answer_type, q.preferred, request.topic
        )
        best = self._best(candidates, q)
        if best is None:
            return self.abstain(request, msg)
        chosen = self._select(best, candidates, definition=bool(_DEFINITION.match(q.text)))
        sources, numbers = number_sources(
            [c.passage for c in chosen], quotes=[c.text for c in chosen]
        )
        lead = self._lead(q, best, msg)
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

    def _analyse(self, request: Request) -> Question:
        question, _ = self.vocabulary.strip_injection(request.question)
        context = context_of(request.question, request.standalone)
        if not request.standalone.endswith(request.question):
            question, context = request.standalone, ""  # rewritten by a language model
        dutch = request.language == "nl"

        def weigh(unknown_weight: float, context: str = "") -> Concepts:
            return concepts(
                question,
                self.vocabulary,
                request.doc_freq,
                request.corpus_size,
                context=context,
                unknown_weight=unknown_weight,
            )

        wanted = weigh(self.settings.unknown_word_weight, context)
        # An English word for what is asked cannot be required of a Dutch passage.
        focus = self.vocabulary.focus(question) if dutch else None
        names = {n for n in wanted.names if wanted.known(n, request.doc_freq)}
        return Question(
            text=question,
            wanted=wanted,
            # Words no passage has weigh less in `wanted`; counted in full they must still not
            # outweigh what the passage covers: "nieuw" does not answer a question about a new
            # passport. (Not for English questions: there every word is unknown.)
            strict=weigh(1.0 if dutch else self.settings.unknown_word_weight),
            answer_type=self.vocabulary.answer_type(question),
            preferred=self.vocabulary.preferred(question),
            required=frozenset(names | ({focus} if focus else set())),
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

    def _best(self, candidates: list[Candidate], q: Question) -> Candidate | None:
        """The best sentence that answers the question; None when none does (abstain)."""
        supported = [
            c
            for c in candidates
            if c.typed
            and c.coverage > 0
            and c.context_coverage >= self.settings.min_support
            and q.required <= q.wanted.covered_by(_context(c)) | _stems(_context(c))
            and q.strict.coverage(_context(c))[0] >= self.settings.min_support_strict
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

    def _select(
        self, best: Candidate, candidates: list[Candidate], definition: bool
    ) -> list[Candidate]:
        """The best sentence with its passage's other relevant sentences, in reading order,
        then sentences from other passages that add something the question asks."""
        same = [
            c
            for c in candidates
            if c.passage is best.passage
            and c is not best
            and c.typed
            and (c.coverage > 0 or (definition and abs(c.position - best.position) == 1))
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

    def _lead(self, q: Question, best: Candidate, msg: Messages) -> str | None:
        """ "Ja." or "Nee." before a yes/no question's answer, when the sentence settles it:
        "Nee." when it negates and is about the question; "Ja." only when the sentence itself
        (not its document's title) has every concept of the question."""
        if not _YES_NO_START.match(q.text.strip()):
            return None
        negated = bool(_NEGATION & set(words(best.text)))
        if negated and (best.coverage >= 0.3 or q.answer_type is not None):
            return msg.no
        own = [g for g, _, is_own in q.wanted.groups if is_own]
        complete = q.wanted.coverage(best.text, own_only=True)[0] >= 0.99
        if not negated and complete and len(own) >= 2:
            return msg.yes
        return None


_DUTCH_NUMBERS = {"twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien"}
_NUMBER_WORDS = _DUTCH_NUMBERS | {"honderd", "duizend", "two", "three", "four", "five", "hundred"}


def _is_number(token: str) -> bool:
    return token.isdigit() or token in _NUMBER_WORDS


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text))


def _context(c: Candidate) -> str:
    chunk = c.passage.chunk
    return f"{chunk.title} {chunk.section or ''} {chunk.text}"


register_backend("extractive", lambda settings, _model: ExtractiveBackend(settings))
