"""What the extractive backend measures of each source sentence against a question."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.answering.base import Request
from assistant.records import Chunk, Passage
from assistant.text.analysis import stem, words
from assistant.text.concepts import Concepts, concepts
from assistant.text.sentences import passage_sentences, speaker
from assistant.text.vocabulary import AnswerType, Vocabulary

MIN_WORDS = 4  # a shorter piece (a list item, an attribution) is no answer on its own

# The features, in the order the fitted model (assistant/data/answer_model.json) weighs them.
# Each says how well one sentence answers the question; none names a question or a document.
FEATURES = (
    "own_coverage",  # share of the question's concepts (IDF-weighted) in the sentence
    "soft_coverage",  # the same, a concept counting as far as a sentence word is close in meaning
    "missing",  # how heavy the question's weightiest concept is that the sentence lacks (0-1)
    "passage_missing",  # the same for the whole passage
    "strict_missing",  # the same, words no passage has at full weight ("regenen", "burgemeester")
    "passage_coverage",  # the same over the whole passage, earlier turns included at half
    "strict_coverage",  # the passage, with words no passage has counted in full
    "dense_sentence",  # cosine of question and sentence (the embedding model)
    "dense_passage",  # cosine of question and passage
    "dense_context",  # cosine of the question read in its conversation and the sentence
    "rank",  # 1 / (1 + retrieval rank of the passage)
    "type_match",  # an answer type was asked (e-mail, count, ...) and the sentence has it
    "type_miss",  # an answer type was asked and the sentence lacks it
    "required",  # the names and the asked-about word of the question are in the passage
    "topic",  # the passage is from a document the conversation is about
    "preferred",  # the kind of sentence the question prefers (a method for "hoe ...")
    "exact",  # the question's own word forms, unchanged, in the sentence
    "english",  # the question is in English (lexical features mean less then)
)


@dataclass(frozen=True)
class Analysis:
    """What the backend makes of a question before it looks at the passages."""

    text: str
    wanted: Concepts  # its concepts, the conversation's at half weight
    strict: Concepts  # the same with words no passage has counted in full
    answer_type: AnswerType | None
    preferred: tuple[re.Pattern[str], ...]
    required: frozenset[str]  # names and the asked-about word, which a passage should have
    counted: Concepts | None = None  # what a count asks for ("steden" in "hoeveel steden")


@dataclass(frozen=True)
class Candidate:
    """One sentence of a retrieved passage with its features."""

    passage: Passage
    rank: int
    position: int  # sentence number inside the passage
    text: str
    covered: frozenset[str]  # the question's concepts the sentence has
    features: tuple[float, ...]  # parallel to FEATURES

    def feature(self, name: str) -> float:
        return self.features[FEATURES.index(name)]


def analyse(request: Request, vocabulary: Vocabulary, unknown_weight: float) -> Analysis:
    """The question's concepts (with the conversation's), answer type and required words."""

    def weigh(weight: float) -> Concepts:
        return concepts(
            request.question,
            vocabulary,
            request.doc_freq,
            request.corpus_size,
            context=request.context,
            unknown_weight=weight,
        )

    wanted = weigh(unknown_weight)
    dutch = request.language == "nl"
    # An English word for what is asked cannot be required of a Dutch passage.
    focus = vocabulary.focus(request.question) if dutch else None
    names = {n for n in wanted.names if wanted.known(n, request.doc_freq)}
    answer_type = _answer_type(request, vocabulary)
    counted = answer_type.counted if answer_type is not None else None
    return Analysis(
        text=request.question,
        wanted=wanted,
        strict=weigh(1.0 if dutch else unknown_weight),
        answer_type=answer_type,
        preferred=tuple(vocabulary.preferred(request.question)),
        required=frozenset(names | ({focus} if focus else set())),
        # On its own: in "learning cities ... how many cities" the question's concepts have
        # "cities" only inside "learning cities".
        counted=Concepts(tuple((g, 1.0, True) for g in vocabulary.term_groups(counted)))
        if counted
        else None,
    )


def _answer_type(request: Request, vocabulary: Vocabulary) -> AnswerType | None:
    """The kind of answer asked for; a follow-up that asks nothing itself ("en bij die
    kindcentra?") asks for what the question before it did."""
    own = vocabulary.answer_type(request.question)
    if own is not None or not vocabulary.is_elliptical(request.question):
        return own
    return vocabulary.answer_type(request.standalone)


Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class _Sentence:
    passage: Passage
    rank: int
    position: int
    text: str
    coverage: float
    covered: frozenset[str]


def _sentences(request: Request, q: Analysis) -> list[_Sentence]:
    """The sentences of the retrieved passages that could be an answer on their own."""
    out: list[_Sentence] = []
    for rank, passage in enumerate(request.passages):
        chunk = passage.chunk
        lead_in = (0.0, frozenset[str]())
        sentences = passage_sentences(chunk.text, chunk.sentences)
        for position, sentence in enumerate(sentences):
            # The title is what every sentence of the document is about; a quotation is also
            # about who said it ("Wat zegt de wethouder?").
            about = f"{chunk.title} {sentence} {speaker(sentences, position)}"
            cov, covered = q.wanted.coverage(about, own_only=True)
            if sentence.rstrip().endswith("?"):
                # A question in the source introduces its answer: the next sentence answers it.
                lead_in = (cov, covered)
                continue
            if lead_in[0] > cov:
                cov, covered = lead_in[0], covered | lead_in[1]
            lead_in = (0.0, frozenset())
            if len(words(sentence)) >= MIN_WORDS:
                out.append(_Sentence(passage, rank, position, sentence, cov, covered))
    return out


def candidates(request: Request, q: Analysis, embed: Embed) -> list[Candidate]:
    """Every sentence of the retrieved passages that could answer, with its features."""
    rows = _sentences(request, q)
    if not rows:
        return []
    texts = [r.text for r in rows]
    passages = list(dict.fromkeys(r.passage.chunk.text for r in rows))
    # A follow-up ("hoe bereik ik haar?") means what it says together with what came before;
    # the question alone and the question in its conversation are two signals.
    queries = [request.question, f"{request.context} {request.question}".strip()]
    vectors = embed([*queries, *texts, *passages])
    question, context = vectors[0], vectors[1]
    sentence_vec = dict(zip(texts, vectors[2 : 2 + len(texts)], strict=True))
    passage_vec = dict(zip(passages, vectors[2 + len(texts) :], strict=True))
    soft = SoftCoverage(q.wanted, embed, [*texts, *passages])
    strict = SoftCoverage(q.strict, embed, passages)
    whole = {p: _passage_values(q, p, soft, strict) for p in {r.passage.chunk for r in rows}}
    out: list[Candidate] = []
    for r in rows:
        chunk = r.passage.chunk
        typed = _typed(q, r.text, f"{chunk.title} {r.text}")
        asked = q.answer_type is not None
        vec = sentence_vec[r.text]
        soft_coverage, missing = soft(r.text, r.covered)
        values = {
            "own_coverage": r.coverage,
            "soft_coverage": soft_coverage,
            "missing": missing,
            **whole[chunk],
            "dense_sentence": float(vec @ question),
            "dense_passage": float(passage_vec[chunk.text] @ question),
            "dense_context": float(vec @ context),
            "rank": 1.0 / (1 + r.rank),
            "type_match": float(asked and typed),
            "type_miss": float(asked and not typed),
            "topic": float(chunk.doc_id in request.topic),
            "preferred": float(any(p.search(r.text) for p in q.preferred)),
            "exact": q.wanted.exact(r.text),
            "english": float(request.language == "en"),
        }
        features = tuple(values[name] for name in FEATURES)
        out.append(Candidate(r.passage, r.rank, r.position, r.text, r.covered, features))
    return out


def _passage_values(
    q: Analysis, chunk: Chunk, soft: SoftCoverage, strict: SoftCoverage
) -> dict[str, float]:
    """The features that depend on the passage only (computed once per passage)."""
    whole = f"{chunk.title} {chunk.section or ''} {chunk.text}"
    covered = q.wanted.covered_by(whole)
    return {
        "passage_missing": soft(chunk.text, covered)[1],
        "strict_missing": strict(chunk.text, q.strict.covered_by(whole))[1],
        "passage_coverage": q.wanted.coverage(whole)[0],
        "strict_coverage": q.strict.coverage(whole)[0],
        "required": float(q.required <= covered | _stems(whole)),
    }


# Cosines of single words in the embedding space: below LOW they are unrelated, from HIGH on
# they mean the same ("basisschool"/"school", "betalen"/"contributie").
LOW, HIGH = 0.35, 0.75


class SoftCoverage:
    """Share of the question's concepts (IDF-weighted) a sentence has, each counting as far as
    the sentence's closest word is near it in meaning: paraphrases and compounds count too.
    When the question itself has no concept ("hoe bereik ik haar?"), the conversation's do."""

    def __init__(self, wanted: Concepts, embed: Embed, sentences: Sequence[str]) -> None:
        own = [(g, w) for g, w, is_own in wanted.groups if is_own]
        self.groups = own or [(g, w) for g, w, _ in wanted.groups]
        self.total = sum(w for _, w in self.groups)
        terms = [min(g.forms, default=g.word) for g, _ in self.groups]
        self.sentence_words = {s: _content_words(s) for s in sentences}
        vocabulary = sorted({w for ws in self.sentence_words.values() for w in ws})
        if not terms or not vocabulary:
            self.terms, self.index, self.similarity = terms, {}, np.zeros((len(terms), 0))
            return
        vectors = embed([*terms, *vocabulary])
        self.index = {w: i for i, w in enumerate(vocabulary)}
        self.similarity = vectors[: len(terms)] @ vectors[len(terms) :].T
        self.terms = terms

    def __call__(self, sentence: str, covered: frozenset[str]) -> tuple[float, float]:
        """The soft coverage, and the weight (relative to the heaviest concept) of the
        heaviest concept the sentence lacks, by how far it lacks it."""
        if not self.total:
            return 0.0, 0.0
        columns = [self.index[w] for w in self.sentence_words.get(sentence, ()) if w in self.index]
        closest = self.similarity[:, columns].max(axis=1) if columns else np.zeros(len(self.terms))
        scores = [
            1.0 if g.word in covered else float(np.clip((c - LOW) / (HIGH - LOW), 0.0, 1.0))
            for (g, _), c in zip(self.groups, closest, strict=True)
        ]
        weights = [w for _, w in self.groups]
        share = sum(w * x for w, x in zip(weights, scores, strict=True)) / self.total
        heaviest = max(weights)
        missing = max(w / heaviest * (1 - x) for w, x in zip(weights, scores, strict=True))
        return share, missing


@lru_cache(maxsize=8192)
def _content_words(sentence: str) -> tuple[str, ...]:
    from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

    stop = set(STOPWORDS_DUTCH) | set(STOPWORDS_EN)
    return tuple(dict.fromkeys(w for w in words(sentence) if w not in stop and len(w) > 2))


def _typed(q: Analysis, sentence: str, text: str) -> bool:
    """The sentence has the kind of answer asked for, about the thing asked about: an amount
    for "subsidie" must mention the subsidy, a count must count what was asked."""
    answer_type = q.answer_type
    if answer_type is None:
        return True
    if not answer_type.pattern.search(sentence):
        return False
    asked = [g for g, _, own in q.wanted.groups if own and g.stems & answer_type.asked]
    covered = q.wanted.covered_by(text)
    if any(g.word not in covered for g in asked):
        return False
    what = q.counted
    if what is None or not what.groups:
        return True
    # A count is a number just before what was asked about, in the same phrase: "250 steden",
    # not "Global Goal 11 (steden en gemeenschappen)".
    for phrase in _PHRASE_BREAK.split(sentence):
        tokens = words(phrase)
        if any(
            _is_number(token) and what.covered_by(" ".join(tokens[i + 1 : i + 4]))
            for i, token in enumerate(tokens)
        ):
            return True
    return False


_PHRASE_BREAK = re.compile(r"[()\[\],;:]")


_NUMBER_WORDS = {
    *("twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "honderd"),
    *("duizend", "two", "three", "four", "five", "hundred"),
}


def _is_number(token: str) -> bool:
    return token.isdigit() or token in _NUMBER_WORDS


@lru_cache(maxsize=4096)
def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text))
