"""How much of a question a text covers: IDF-weighted concepts, with domain synonyms."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from assistant.keyword import stem, words
from assistant.vocabulary import TermGroup, Vocabulary


@dataclass(frozen=True)
class Concepts:
    """The concepts of a question with their weights (rarer words weigh more)."""

    groups: tuple[tuple[TermGroup, float], ...]

    @property
    def total(self) -> float:
        return sum(w for _, w in self.groups)

    def coverage(self, text: str) -> tuple[float, frozenset[str]]:
        """Share of the question's weight whose concept occurs in ``text``, and which ones."""
        stems = stems_of(text)
        covered = [(g, w) for g, w in self.groups if g.stems & stems]
        total = self.total
        share = sum(w for _, w in covered) / total if total else 0.0
        return share, frozenset(g.word for g, _ in covered)

    def exact(self, text: str) -> float:
        """Share of the question's own word forms found unchanged (not only by stem) in text."""
        forms = set(words(text))
        own = [(g, w) for g, w in self.groups if g.forms]
        total = sum(w for _, w in own)
        return sum(w for g, w in own if g.forms & forms) / total if total else 0.0


def concepts(
    question: str,
    vocabulary: Vocabulary,
    doc_freq: Mapping[str, int],
    corpus_size: int,
    context: str = "",
) -> Concepts:
    """Concepts of ``question``; those of ``context`` (earlier questions) count for half."""
    n = max(corpus_size, 1)

    def idf(group: TermGroup) -> float:
        df = doc_freq.get(group.word, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    own = [(g, idf(g)) for g in vocabulary.term_groups(question)]
    here = {s for g, _ in own for s in g.stems}
    earlier = [
        (g, 0.5 * idf(g)) for g in vocabulary.term_groups(context) if not (g.stems & here)
    ]
    return Concepts(tuple(own + earlier))


def stems_of(text: str) -> set[str]:
    return {stem(w) for w in words(text)}
