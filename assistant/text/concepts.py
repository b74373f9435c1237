"""How much of a question a text covers: IDF-weighted concepts, with domain synonyms."""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from assistant.text.analysis import stem, words
from assistant.text.phrases import stem_line
from assistant.text.vocabulary import TermGroup, Vocabulary

MIN_CORRECTABLE = 5  # shorter unknown words are not spelling-corrected (too many near misses)
# Dutch writes a compound as one word, its head last: an "onderwijswethouder" is a "wethouder".
# A question's word also matches the index's words that end in it after a modifier that is a
# word of the index itself, with or without a linking sound ("kinder-opvang", "doel-groep").
MIN_HEAD = 5  # a shorter head ends other words by chance ("werk" in "netwerk")
MIN_MODIFIER = 4  # a shorter one is mostly a particle ("aan-", "op-"), not a word of its own
_LINKS = ("", "s", "e", "en", "er", "n")


@dataclass(frozen=True)
class Concepts:
    """The concepts of a question with their weights (rarer words weigh more).

    Each entry is (group, weight, own): ``own`` is False for concepts that only come from
    earlier questions of the conversation.
    """

    groups: tuple[tuple[TermGroup, float, bool], ...]

    def coverage(self, text: str, own_only: bool = False) -> tuple[float, frozenset[str]]:
        """Share of the question's weight whose concept occurs in ``text``, and which ones."""
        groups = [(g, w) for g, w, own in self.groups if own or not own_only]
        if not groups:  # a follow-up with no concept of its own is about the earlier ones
            groups = [(g, w) for g, w, _ in self.groups]
        total = sum(w for _, w in groups)
        found = found_in(text, [g for g, _ in groups])
        share = sum(w for g, w in groups if g.word in found) / total if total else 0.0
        return share, found

    def known(self, word: str, doc_freq: Mapping[str, int]) -> bool:
        """Whether the index has the concept ``word`` (or one of its synonyms) anywhere."""
        return any(
            g.word == word and (any(s in doc_freq for s in g.stems) or bool(g.phrases))
            for g, _, _ in self.groups
        )

    @property
    def names(self) -> frozenset[str]:
        """The question's own concepts written as names (capitalised inside the question)."""
        return frozenset(g.word for g, _, own in self.groups if own and g.entity)

    def covered_by(self, text: str) -> frozenset[str]:
        return found_in(text, [g for g, _, _ in self.groups])

    def exact(self, text: str) -> float:
        """Share of the question's own word forms found unchanged (not only by stem) in text."""
        forms = set(words(text))
        own = [(g, w) for g, w, is_own in self.groups if is_own and g.forms]
        total = sum(w for _, w in own)
        return sum(w for g, w in own if g.forms & forms) / total if total else 0.0


def found_in(text: str, groups: Sequence[TermGroup]) -> frozenset[str]:
    """The concepts (their words) among ``groups`` that ``text`` has."""
    line = stem_line(text)
    stems = set(line.split())
    return frozenset(g.word for g in groups if g.found_in(stems, line))


def concepts(
    question: str,
    vocabulary: Vocabulary,
    doc_freq: Mapping[str, int],
    corpus_size: int,
    context: str = "",
    unknown_weight: float = 0.5,
) -> Concepts:
    """Concepts of ``question``; those of ``context`` (earlier questions) count for half."""
    n = max(corpus_size, 1)

    def idf(group: TermGroup) -> float:
        # A concept is as common as its most common wording (the word or a synonym).
        df = max([doc_freq.get(s, 0) for s in group.stems | {group.word}])
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def as_indexed(group: TermGroup) -> TermGroup:
        # Also the index's close spelling of the word, and its compounds with the word as head.
        return with_compounds(correct_spelling(group, doc_freq, vocabulary), doc_freq)

    own = [as_indexed(g) for g in vocabulary.term_groups(question)]
    here = {s for g in own for s in g.stems}
    earlier = [as_indexed(g) for g in vocabulary.term_groups(context) if not (g.stems & here)]

    def weight(group: TermGroup) -> float:
        # A word no passage contains cannot tell passages apart and is often a paraphrase
        # ("bedoeld"), so it weighs less; it still counts, or "erwtensoep" would not matter.
        known = group.entity or any(s in doc_freq for s in group.stems) or bool(group.phrases)
        return idf(group) if known else unknown_weight * idf(group)

    return Concepts(
        tuple([(g, weight(g), True) for g in own] + [(g, 0.5 * weight(g), False) for g in earlier])
    )


def with_compounds(group: TermGroup, doc_freq: Mapping[str, int]) -> TermGroup:
    """A concept also matches the index's compounds that have its word as their head
    ("wethouder": "onderwijswethouder"); not a name's, and not its synonyms' (whose compounds
    drift: "ondersteuning" of an application is no "inkomensondersteuning")."""
    if group.entity or len(group.word) < MIN_HEAD or " " in group.word:
        return group
    head = group.word
    found = {
        word
        for word in _by_last_letters(doc_freq).get(head[-MIN_HEAD:], ())
        if word != head and word.endswith(head) and _is_modifier(word[: -len(head)], doc_freq)
    }
    return replace(group, stems=group.stems | found) if found else group


def is_compound_of_known(word: str, doc_freq: Mapping[str, int]) -> bool:
    """Whether ``word`` is a compound of two words of the index ("onderwijsniveaus": "onderwijs"
    and "niveaus"), though the index does not have it whole."""
    return any(
        word[i:] in doc_freq and _is_modifier(word[:i], doc_freq)
        for i in range(MIN_MODIFIER, len(word) - MIN_HEAD + 1)
    )


def _is_modifier(part: str, doc_freq: Mapping[str, int]) -> bool:
    """Whether ``part`` is a word of the index (as it is or as its stem: "school" is indexed
    as "schol"), with or without a linking sound."""
    if len(part) < MIN_MODIFIER:
        return False
    words = [part[: len(part) - len(link)] for link in _LINKS if part.endswith(link)]
    return any(w in doc_freq or stem(w) in doc_freq for w in words if w)


def correct_spelling(
    group: TermGroup, doc_freq: Mapping[str, int], vocabulary: Vocabulary
) -> TermGroup:
    """A word the index does not know ("kindcentrm") also matches its closest known word,
    and that word's synonyms."""
    known = group.word in doc_freq or any(s in doc_freq for s in group.stems)
    if known or group.phrases or group.entity or len(group.word) < MIN_CORRECTABLE:
        return group  # a known word, a vocabulary phrase or a name is no typo
    # Typos seldom change the first letters: "stichting" is not a misspelt "richting".
    candidates = _with_prefix(doc_freq, group.word[:2])
    close = difflib.get_close_matches(group.word, candidates, n=1, cutoff=0.8)
    if not close:
        return group
    return replace(group, stems=group.stems | set(close) | vocabulary.synonym_stems(close[0]))


# The index's words by their first two letters and by their last MIN_HEAD letters, for the last
# index asked about: one pass over its words per index instead of one per word of every
# question. A new revision of the index has a new doc_freq (and a changed one another length),
# which rebuilds them.
_GROUPED: tuple[Mapping[str, int], int, dict[str, list[str]], dict[str, list[str]]] | None = None


def _grouped(doc_freq: Mapping[str, int]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    global _GROUPED
    cached = _GROUPED
    if cached is None or cached[0] is not doc_freq or cached[1] != len(doc_freq):
        first: dict[str, list[str]] = {}
        last: dict[str, list[str]] = {}
        for word in doc_freq:
            first.setdefault(word[:2], []).append(word)
            last.setdefault(word[-MIN_HEAD:], []).append(word)
        cached = _GROUPED = (doc_freq, len(doc_freq), first, last)
    return cached[2], cached[3]


def _with_prefix(doc_freq: Mapping[str, int], prefix: str) -> list[str]:
    """The words of ``doc_freq`` that start with ``prefix``, in its order."""
    return _grouped(doc_freq)[0].get(prefix, [])


def _by_last_letters(doc_freq: Mapping[str, int]) -> dict[str, list[str]]:
    """The words of ``doc_freq`` by their last MIN_HEAD letters."""
    return _grouped(doc_freq)[1]
