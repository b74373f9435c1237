"""Domain vocabulary (synonyms, answer types, collection and injection phrases) loaded from data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path

from assistant.text.analysis import fold, stem, tokenize, words
from assistant.text.phrases import (
    capitalised_stems,
    has_phrase,
    phrase_tokens,
    stem_line,
    whole,
)
from assistant.text.sentences import split_sentences

DEFAULT_VOCABULARY = "vocabulary.yaml"
_HOW = re.compile(r"^(?:hoe|how)\s")
_FOCUS = re.compile(
    r"^(?:en\s+|and\s+)?(?:"
    r"(?:wie|wat|who|what)\s+(?:is|zijn|was|waren|are|were)\s+(?:"
    r"(?:(?:eigenlijk|nu|momenteel|tegenwoordig|daar|dan|er|hier|currently|now|there|then)\s+)?"
    r"(?:de|het|een|haar|zijn|hun|the|a|an|her|his|their)"
    # After a word for "now" the article may go: "Wie is op dit moment burgemeester van ...?"
    r"|(?:nu|momenteel|tegenwoordig|op\s+dit\s+moment|op\s+het\s+moment|currently|now|"
    r"at\s+the\s+moment)(?:\s+(?:de|het|een|the|a|an))?)"
    r"|hoe\s+heet\s+(?:de|het)|hoe\s+heten\s+de|wat\s+voor|welk\s+soort"
    r")\s+([a-z][a-z-]*)"
)


@dataclass(frozen=True)
class AnswerType:
    """A kind of answer (e-mail, amount, count, ...) and what the question asked it about."""

    name: str
    pattern: re.Pattern[str]
    asked: frozenset[str] = frozenset()  # content stems of the cue words in the question
    counted: str | None = None  # for counts: the stem of what is counted
    about_cue: bool = False  # the answer must be about the cue word ("subsidie"), too
    counts: bool = False  # the answer is a number of what the question names after "hoeveel"
    pointer: bool = False  # the answer says where to go (a web address, an e-mail address)


@dataclass(frozen=True)
class TermGroup:
    """One concept of a question: the stems that express it (the word and its synonyms)."""

    word: str
    stems: frozenset[str]
    forms: frozenset[str] = frozenset()  # the surface forms used in the question
    phrases: frozenset[str] = frozenset()  # multi-word synonyms as stem lines, matched whole
    entity: bool = False  # written with a capital inside the question: a name must match

    def found_in(self, stems: set[str], stem_text: str) -> bool:
        """Whether a text (its stems, as a set and as a line: see stem_line) has this concept."""
        if self.stems & stems:
            return True
        return any(f" {p} " in stem_text for p in self.phrases)


@dataclass(frozen=True)
class Vocabulary:
    synonyms: tuple[tuple[str, ...], ...]
    answer_types: tuple[tuple[tuple[str, ...], AnswerType], ...]
    preferences: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...]
    collection_questions: tuple[str, ...]
    collection_words: frozenset[str]  # stems that still ask about the sources themselves
    injection_patterns: tuple[re.Pattern[str], ...]
    followup_words: frozenset[str]
    followup_starts: tuple[str, ...]
    question_words: frozenset[str]
    demonstratives: frozenset[str] = frozenset()
    interjections: frozenset[str] = frozenset()
    small_talk_phrases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (kind, phrases)
    opposites: tuple[str, ...] = ()  # words that ask the opposite of their group ("gratis")

    @classmethod
    def load(cls, path: Path | None = None) -> Vocabulary:
        import yaml

        if path is None:
            text = resources.files("assistant.data").joinpath(DEFAULT_VOCABULARY).read_text("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        return cls(
            synonyms=tuple(tuple(fold(str(w)) for w in group) for group in data["synonyms"]),
            answer_types=tuple(
                (
                    tuple(fold(c) for c in spec["cues"]),
                    AnswerType(
                        name,
                        re.compile(spec["pattern"], re.IGNORECASE),
                        about_cue=bool(spec.get("about_cue", False)),
                        counts=bool(spec.get("counts", False)),
                        pointer=bool(spec.get("pointer", False)),
                    ),
                )
                for name, spec in data["answer_types"].items()
            ),
            preferences=tuple(
                (
                    tuple(fold(c) for c in spec["cues"]),
                    re.compile(spec["pattern"], 0 if spec.get("case_sensitive") else re.IGNORECASE),
                )
                for spec in data.get("preferences", {}).values()
            ),
            collection_questions=tuple(fold(p) for p in data["collection_questions"]),
            collection_words=frozenset(stem(fold(w)) for w in data["collection_words"]),
            injection_patterns=tuple(
                re.compile(p, re.IGNORECASE) for p in data["injection_patterns"]
            ),
            followup_words=frozenset(" ".join(words(w)) for w in data["followup_words"]),
            followup_starts=tuple(fold(s) for s in data["followup_starts"]),
            question_words=frozenset(stem(fold(w)) for w in data["question_words"]),
            demonstratives=frozenset(fold(w) for w in data.get("demonstratives", ())),
            interjections=frozenset(fold(w) for w in data.get("interjections", ())),
            opposites=tuple(fold(w) for w in data.get("opposites", ())),
            small_talk_phrases=tuple(
                (kind, tuple(fold(p) for p in phrases))
                for kind, phrases in data.get("small_talk", {}).items()
            ),
        )

    def _matches(self, phrase: str, folded_text: str) -> bool:
        return whole(phrase).search(folded_text) is not None

    def expansions(self, text: str) -> list[str]:
        """Synonyms of the words and phrases in ``text`` that ``text`` does not contain yet."""
        folded = " ".join(words(text))
        plain = fold(text)
        extra: list[str] = []
        for group in self.synonyms:
            if any(self._matches(p, plain) or self._matches(p, folded) for p in group):
                extra.extend(p for p in group if not self._matches(p, plain))
        return extra

    def term_groups(self, text: str) -> list[TermGroup]:
        """The concepts of a question: each content word with its synonyms.

        A synonym of one word matches by stem; a synonym of several words ("integraal
        kindcentrum") only as that whole phrase, so one of its words alone does not count.
        Kept per text: retrieval and the answer each ask for a question's concepts.
        """
        return list(self._term_groups(text))

    @lru_cache(maxsize=1024)  # noqa: B019 (bounded; equal vocabularies share the entries)
    def _term_groups(self, text: str) -> tuple[TermGroup, ...]:
        plain = fold(text)
        forms: dict[str, set[str]] = {}
        for word in words(text):
            forms.setdefault(stem(word), set()).add(word)
        names = capitalised_stems(text)
        stemmed = stem_line(text)
        groups: list[TermGroup] = []
        owned: list[set[str]] = []  # the question's words behind each concept
        claimed: set[str] = set()
        for group in self.synonyms:
            # A one-word synonym matches in any inflection ("bereik" / "bereiken"), by stem.
            present = [
                p
                for p in group
                if self._matches(p, plain)
                or has_phrase(p, stemmed)
                or (
                    " " not in p
                    and set(phrase_tokens(p)) & set(forms) == set(phrase_tokens(p)) != set()
                )
            ]
            if not present:
                continue
            own = [s for p in present for s in phrase_tokens(p) if s not in self.question_words]
            if not own:
                continue
            concept = TermGroup(
                word=own[0],
                stems=frozenset(s for p in group if " " not in p for s in phrase_tokens(p)),
                forms=frozenset(f for s in own for f in forms.get(s, ())),
                phrases=frozenset(stem_line(p).strip() for p in group if " " in p),
                entity=bool(names & set(own)),
            )
            earlier = next((i for i, o in enumerate(owned) if o == set(own)), None)
            if earlier is None and set(own) & claimed:
                continue
            if earlier is not None:
                # A word in two synonym groups ("aanmelden": joining and applying) means both.
                concept = replace(
                    groups[earlier],
                    stems=groups[earlier].stems | concept.stems,
                    phrases=groups[earlier].phrases | concept.phrases,
                )
                groups[earlier] = concept
                continue
            claimed.update(own)
            groups.append(concept)
            owned.append(set(own))
        for token in self.content_tokens(text):
            if token in claimed:
                continue
            claimed.add(token)
            groups.append(
                TermGroup(
                    token,
                    frozenset({token}),
                    frozenset(forms.get(token, ())),
                    entity=token in names,
                )
            )
        return tuple(groups)

    def focus(self, text: str) -> str | None:
        """The word a wh-question asks about ("telefoonnummer" in "Wat is het telefoonnummer
        van ...?"), as a stem; None when the question has no such word."""
        match = _FOCUS.match(fold(text).strip())
        if not match:
            return None
        # Stopwords count here: in "Wat voor weer ..." the stopword "weer" is the point.
        tokens = [
            stem(w)
            for w in words(match.group(1))
            if len(w) > 1 and stem(w) not in self.question_words
        ]
        return tokens[0] if tokens else None

    def synonym_stems(self, word_stem: str) -> frozenset[str]:
        """Stems of the one-word synonyms of a stem (empty when it is in no group)."""
        out: set[str] = set()
        for group in self.synonyms:
            stems = {s for p in group if " " not in p for s in tokenize(p)}
            if word_stem in stems:
                out |= stems
        return frozenset(out)

    def content_tokens(self, text: str) -> list[str]:
        """Analyzed tokens of a question without question words and fillers; a question word
        written with a capital inside a sentence is part of a name ("de Staat van het
        Onderwijs") and stays."""
        names = capitalised_stems(text)
        return [t for t in tokenize(text) if t not in self.question_words or t in names]

    def answer_type(self, text: str) -> AnswerType | None:
        """The kind of answer asked for, with the question's own words that asked for it."""
        plain = fold(text)
        for cues, answer_type in self.answer_types:
            found = [c for c in cues if self._matches(c, plain)]
            if found:
                # What the question asks the amount of ("subsidie", "contributie"); not the
                # words of a "how ...?" frame ("hoe hoog", "how much"), which name no thing.
                named = [c for c in found if not _HOW.match(c)]
                asked = frozenset(s for c in named for s in self.content_tokens(c))
                asked = asked if answer_type.about_cue else frozenset()
                counted = self._counted(plain) if answer_type.counts else None
                return replace(answer_type, asked=asked, counted=counted)
        return None

    def preferred(self, text: str) -> list[re.Pattern[str]]:
        """Patterns of the sentences a question prefers (a method for "hoe kan ...")."""
        plain = fold(text)
        return [p for cues, p in self.preferences if any(self._matches(c, plain) for c in cues)]

    def _counted(self, plain: str) -> str | None:
        """What a "hoeveel ..." question counts ("steden" in "hoeveel steden ..." and in
        "hoeveel van die steden ..."), as a stem."""
        match = re.search(
            r"\b(?:hoeveel|how many|aantal)\s+"
            r"(?:(?:van|of)\s+(?:de|die|deze|het|the|those|these)\s+)?([a-z][a-z-]*)",
            plain,
        )
        if not match or match.group(1) in self.followup_words:
            return None  # "hoeveel daarvan": what it counts was said before
        tokens = self.content_tokens(match.group(1))
        return tokens[0] if tokens else None

    def is_collection_question(self, text: str) -> bool:
        """Whether all the message asks is what the sources are: each of its sentences asks
        it ("Waar gaat dat netwerk over? Over welke onderwerpen gaat het?" asks about the
        network, not about the sources)."""
        sentences = split_sentences(text) or [text]
        return all(self._asks_for_sources(s) for s in sentences)

    def _asks_for_sources(self, sentence: str) -> bool:
        """A phrase that asks for the sources, and no subject besides: "Wat weet je over
        kindcentra?" asks about kindcentra, "Op welke onderwerpen richt het netwerk zich?"
        about the network."""
        found, rest = self._without_phrases(self.collection_questions, " ".join(words(sentence)))
        subject = [t for t in self.content_tokens(rest) if t not in self.collection_words]
        return bool(found) and not subject

    def _without_phrases(self, phrases: Iterable[str], text: str) -> tuple[list[str], str]:
        """The ``phrases`` found in ``text`` (whole words; each looked for, in the order given,
        in what the ones before it left) and what is left of ``text`` without them."""
        found: list[str] = []
        for phrase in phrases:
            if self._matches(phrase, text):
                found.append(phrase)
                text = whole(phrase).sub(" ", text)
        return found, text

    def asks_opposite(self, text: str) -> bool:
        """Whether a yes/no question asks the opposite of what its words' group says ("Is het
        gratis?" against a sentence about the contribution)."""
        plain = " ".join(words(text))
        return any(self._matches(w, plain) for w in self.opposites)

    def small_talk(self, text: str) -> str | None:
        """The kind of small talk ("greeting", "thanks", "ack") a message is when it says nothing
        else: "Hallo!", "Dank je wel!", "ok"; None for "Hallo, wat kost het?"."""
        rest = " ".join(words(text))
        kinds = []
        for kind, phrases in self.small_talk_phrases:
            found, rest = self._without_phrases(sorted(phrases, key=len, reverse=True), rest)
            kinds += [kind] if found else []
        if not kinds or self.content_tokens(rest):
            return None
        return kinds[0]

    def has_injection(self, text: str) -> bool:
        """Whether ``text`` holds an instruction aimed at the assistant (said in a notice; the
        question itself is answered as it is)."""
        return any(p.search(text) for p in self.injection_patterns)

    def is_followup(self, text: str) -> bool:
        tokens = self._without_interjections(text)
        return self._continues(tokens) or self._points_back(tokens) or self.names_little(text)

    def refers_back(self, text: str) -> bool:
        """Whether a question itself says that it goes on with the conversation: it starts
        like a continuation, has a word that refers back, or a demonstrative ("Kost dat
        iets?"); not only by naming little ("Wat is een IKC?")."""
        tokens = self._without_interjections(text)
        return self._continues(tokens) or any(t in self.demonstratives for t in tokens)

    def _without_interjections(self, text: str) -> list[str]:
        """The words of ``text`` after the interjections it starts with ("ok maar ...", "oke en
        ..."): what goes on with the conversation comes after them."""
        tokens = words(text)
        while tokens and tokens[0] in self.interjections:
            tokens = tokens[1:]
        return tokens

    def _continues(self, tokens: list[str]) -> bool:
        joined = f" {' '.join(tokens)} "  # "zo'n" is the words "zo n"
        if any(joined.lstrip().startswith(s) for s in self.followup_starts):
            return True
        return any(f" {w} " in joined for w in self.followup_words)

    def _points_back(self, tokens: list[str]) -> bool:
        """A demonstrative before a thing ("dat doel", "die site", "this network"): the
        thing was named before."""
        return any(
            word in self.demonstratives and self.content_tokens(following)
            for word, following in pairwise(tokens)
        )

    def is_elliptical(self, text: str) -> bool:
        """Whether a question asks nothing of its own, only goes on with the one before it:
        no question word ("en bij die kindcentra?", "en hoe zit dat bij lerende steden?"), and
        not a yes/no question about something of its own ("Heeft iemand daar een stappenplan
        voor gemaakt?"; but "Geldt dat ook voor de kindcentra?" asks the same again)."""
        plain = fold(text).strip()
        return not (_ASKS_ITSELF.search(plain) or _ASKS_YES_OR_NO.match(plain))

    def names_little(self, text: str) -> bool:
        """Whether ``text`` names at most one thing ("Wie is de contactpersoon?"). Words that
        ask where to go (a pointer answer type's cues: "e-mailadres", "contactpersoon") say what
        kind of answer is wanted, not what about: "Wat is het e-mailadres van de
        contactpersoon?" names nothing."""
        plain = fold(text)
        asked = {
            token
            for cues, answer_type in self.answer_types
            if answer_type.pointer
            for cue in cues
            if self._matches(cue, plain)
            for token in self.content_tokens(cue)
        }
        return len([t for t in self.content_tokens(text) if t not in asked]) <= 1


# Question words that ask something themselves; "hoe zit het/dat met" and "how about" only go
# on with what came before.
_ASKS_ITSELF = re.compile(
    r"\b(?:wie|wat|welke|welk|waar\w*|waarom|hoe(?!\s+zit\s+(?:het|dat))\w*|wanneer|hoeveel|"
    r"who|what|which|where|why|how(?!\s+about)|when)\b"
)

# A yes/no question starts with its verb; one whose subject is not a word that refers back
# ("heeft iemand", "is er", "can I") asks about something of its own.
_ASKS_YES_OR_NO = re.compile(
    r"(?:(?:en|and|maar|but|oke|ok|okay)\W+)?"
    r"(?:heeft|hebben|heb|is|zijn|ben|kan|kun|kunnen|mag|mogen|moet|moeten|wordt|worden|zal|"
    r"zullen|bestaat|bestaan|doet|doen|gaat|gaan|krijg|krijgt|krijgen|staat|staan|weet|weten|"
    r"has|have|are|was|were|can|could|may|must|does|do|did|will|would|should)\s+"
    r"(?!(?:dat|dit|het|die|deze|ze|zij|hij|that|this|it|they|those|these)\b)\w"
)


@lru_cache(maxsize=4)
def load_vocabulary(path: str | None = None) -> Vocabulary:
    return Vocabulary.load(Path(path) if path else None)
