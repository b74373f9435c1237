"""Messages that ask several things: split into their questions, and the answers joined again."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.citations import CITATION
from assistant.messages import messages_for
from assistant.records import Answer, Source
from assistant.text.sentences import LIST_MARK

MAX_PARTS = 6
# Words a (Dutch or English) question starts with; a sentence that starts with one asks
# something even without a question mark, as people type on a phone.
QUESTION_START = (
    r"wie|wat|welke|welk|waar|waarom|waarmee|waaraan|hoe|hoeveel|wanneer|mag|mogen|moet|moeten|"
    r"kan|kunnen|kun|kunt|is|zijn|heeft|hebben|wordt|worden|bestaat|"
    r"who|what|which|where|why|how|when|can|could|may|must|is|are|does|do|has|have"
)
_ASKS = re.compile(rf"^\W*(?:en\s+|and\s+|of\s+|or\s+)?(?:{QUESTION_START})\b", re.IGNORECASE)
# An indirect question: "Ten tweede vraag ik mij af wat het kost.", "Ik wil graag weten of
# ...", "I wonder whether ...": the question is what follows the verb of asking.
_INDIRECT = re.compile(
    rf"\b(?:weten|af|benieuwd(?:\s+naar)?|vernemen|horen|hoor|vertellen|know|wonder(?:ing)?|ask|"
    rf"hear)"
    rf"(?:\s+(?:wij|we|ik|graag|gaarne|dan|ook))*[,:]?\s+"
    rf"(?=(?:{QUESTION_START}|of|if|whether)\b)",
    re.IGNORECASE,
)
# In a list of indirect questions, ", of er ..." asks whether: "Graag vernemen wij wie de
# aanvraag mag indienen, of er kosten aan verbonden zijn, en ...".
_WHETHER = re.compile(
    r",\s*(?:en\s+)?(?=(?:of|whether)\s+(?:er|het|de|een|dit|dat|die|deze|wij|we|ik|u|onze|"
    r"ons|mijn|there|it|the|we|our|i)\b)",
    re.IGNORECASE,
)
_PREPOSITION = r"via|aan|bij|met|voor|van|in|op|naar|door|uit|over|om|tot|to|with|for|from|at|by|on"
# Question words that, after a comma, start another question ("..., om welke gaat het?",
# "Wat kost het, wie moet het steunen ...?"); not "waar", "wat" or "wanneer", which after a
# comma start a clause ("de stad, waar ...", "..., wat jammer is").
_WH = r"welke|welk|wie|hoeveel|waarom|which|who|why|how\s+many|how\s+much"
# "..., en wat kost het?", "en via welke ...": a conjunction that starts another question.
# Not "of"/"or": "moet dat de gemeente zijn, of kan ook een bibliotheek het doen?" asks one
# thing, with its alternatives.
# A comma before a question word does too: "Hoeveel gemeenten zijn lid, om welke gaat het?"
_JOINED = re.compile(
    rf"(?:,\s*|\s+)(?:en|and|plus)\s+(?=(?:ook\s+|also\s+)?(?:(?:{_PREPOSITION})\s+)?"
    rf"(?:{QUESTION_START})\b)"
    rf"|,\s*(?=(?:(?:{_PREPOSITION})\s+)?(?:{_WH})\b)",
    re.IGNORECASE,
)
# "Welke voorwaarden gelden, is er een bijdrage verschuldigd, en ...?": after a comma, a verb
# before its subject starts a yes/no question, when a question came before it (not in "Als wij
# lid worden, moet de raad dan instemmen?", where the clause before it asks nothing).
_VERB_FIRST = re.compile(
    r",\s*(?=(?:is|zijn|moet|moeten|kan|kunnen|mag|mogen|heeft|hebben|wordt|worden|geldt|"
    r"gelden|krijgt|krijgen|bestaat|bestaan)\s+(?:er|het|de|een|ik|wij|we|u|men|dit|dat|die|"
    r"onze|ons|mijn|je|jij)\b)",
    re.IGNORECASE,
)
_WH_WORD = re.compile(r"\b(?:wie|wat|welke|welk|waar\w*|hoe\w*|wanneer|waarom)\b", re.IGNORECASE)
# A piece that is only a question word: "Wanneer" in "Wanneer en waar is ...?".
_ONLY_ASKS = re.compile(rf"^\W*(?:{QUESTION_START})\W*$", re.IGNORECASE)
# A piece that is only "welke" and what it asks about: "Welke onderwijsniveaus", "Aan welke
# doelen".
_ONLY_WHICH = re.compile(
    rf"^\W*(?:(?:{_PREPOSITION})\s+)?(?:welke|welk|which)\s+[\w-]+\W*$",
    re.IGNORECASE,
)
# A clause that says why something is asked ("..., zodat wij hen kunnen bellen."), not what.
_WHY = re.compile(r",\s*(?:zodat|omdat|want|so that|because)\b.*$", re.IGNORECASE)
# Sentence ends, line breaks, and list marks at the start of a line ("1. ", "- ").
_SENTENCE = re.compile(rf"(?<=[?!.])\s+|\n+|(?m:^)\s*{LIST_MARK}\s+")
# Numbered items inside a sentence: "Kunt u vertellen: (1) aan welke voorwaarden ..., (2) of ..."
_ITEM = re.compile(r"(?:^|\s)\(?(\d{1,2})[.)]\s+")


def split_parts(message: str) -> tuple[list[str], str]:
    """The questions a message asks, in order, and its other sentences (the background: "Ik
    werk bij een stichting.", or an instruction to the assistant). Each item of a numbered list
    (1, 2, 3, ...) is a question of its own, asked or not, and the sentence that introduces
    the list is background. A message in which no sentence asks anything is one question."""
    lead, items = _numbered(message)
    asked: list[str] = []
    background: list[str] = []
    # In order: the sentences before the list, then each item (True) with what follows it.
    segments = [(s, False) for s in _sentences(lead)]
    if items and segments:
        background.append(segments.pop()[0])  # "Kunt u mij vertellen:" introduces the list
    for item in items:
        first, *rest = _sentences(item) or [""]
        segments += [(first, True), *((s, False) for s in rest)]
    for sentence, is_item in segments:
        if is_item:
            asked.extend(_pieces(_item_question(sentence), least=1))
            continue
        indirect = _INDIRECT.search(sentence)
        # "Kunt u mij vertellen wie ..., of ... en ...?" asks what follows the verb too.
        if indirect and (not _ASKS.match(sentence) or _WHETHER.search(sentence, indirect.end())):
            sentence = _capitalised(sentence[indirect.end() :])  # "Wat het lidmaatschap kost."
            asked.extend(_capitalised(p) for p in _pieces(sentence, indirect=True))
            continue
        if not (sentence.endswith("?") or _ASKS.match(sentence)):
            background.append(sentence)
            continue
        asked.extend(_pieces(sentence))
    if not asked:
        return [message], ""
    return _distinct(asked)[:MAX_PARTS], " ".join(background)


def _distinct(parts: list[str]) -> list[str]:
    """The parts without repeats: a question typed twice ("Wat kost het? wat kost het??") is
    answered once."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for part in parts:
        key = tuple(re.findall(r"\w+", part.casefold()))
        if key not in seen:
            seen.add(key)
            out.append(part)
    return out


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def _pieces(sentence: str, least: int = 2, indirect: bool = False) -> list[str]:
    """The questions one sentence asks ("Wat kost het, en wie moet het steunen?"), each of at
    least ``least`` words, without a clause that says why it is asked. In a list of
    ``indirect`` questions, ", of er ..." starts one too."""
    spans, start = [], 0
    joins = [*_JOINED.finditer(sentence), *_VERB_FIRST.finditer(sentence)]
    if indirect:
        joins += _WHETHER.finditer(sentence)
    for join in sorted(joins, key=lambda m: m.start()):
        if join.start() < start:
            continue
        if join.re is _VERB_FIRST and not _WH_WORD.search(sentence[start : join.start()]):
            continue
        # "Wanneer en waar is ...?" asks one thing, with two question words; so does "Welke
        # niveaus en welke omgevingen vallen eronder?", whose first words have no verb.
        piece = sentence[start : join.start()]
        if not (_ONLY_ASKS.match(piece) or _ONLY_WHICH.match(piece)):
            spans.append(sentence[start : join.start()])
            start = join.end()
    spans.append(sentence[start:])
    pieces = [_WHY.sub("", p).strip(" ,;") for p in spans]
    return [p for p in pieces if len(re.findall(r"\w+", p)) >= least]


def _numbered(message: str) -> tuple[str, list[str]]:
    """The text before a numbered list (1, 2, 3, ... in order) and its items; the whole
    message and no items when it has no such list ("kinderen tot 12. Wij ..." is none)."""
    marks = list(_ITEM.finditer(message))
    numbers = [int(m.group(1)) for m in marks]
    if len(marks) < 2 or numbers != list(range(1, len(marks) + 1)):
        return message, []
    ends = [m.start() for m in marks[1:]] + [len(message)]
    return message[: marks[0].start()], [
        message[m.end() : e] for m, e in zip(marks, ends, strict=True)
    ]


def _item_question(item: str) -> str:
    """A list item as a question: "of daar kosten aan verbonden zijn, en" -> "Of daar kosten
    aan verbonden zijn"."""
    return _capitalised(re.sub(r"[\s,;]*(?:\ben\b|\band\b)?[\s,;]*$", "", item.strip()))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def join_answers(parts: Sequence[str], answers: Sequence[Answer], language: str) -> Answer:
    """One answer for a message of several questions: each part with its own answer (or the
    words that the sources do not answer it), sources numbered once over all parts."""
    msg = messages_for(language)
    numbers: dict[str, int] = {}
    sources: list[Source] = []
    lines: list[str] = []
    for part, answer in zip(parts, answers, strict=True):
        lines.append(f"**{part}**")
        if answer.abstained:
            lines.append(msg.part_unanswered.format(part=part.rstrip("?")))
            continue
        own = {s.n: s for s in answer.sources}
        for s in answer.sources:
            if s.chunk_id not in numbers:
                numbers[s.chunk_id] = len(numbers) + 1
                sources.append(replace(s, n=numbers[s.chunk_id]))

        def renumber(match: re.Match[str], own: dict[int, Source] = own) -> str:
            cited = [int(n) for n in re.findall(r"\d+", match.group(1))]
            new = [numbers[own[n].chunk_id] for n in cited if n in own]
            return f" [{', '.join(map(str, new))}]" if new else ""

        # Quotes in another language than the question's are introduced once, at the top.
        text = answer.text.replace(msg.quoting, "") if language == "en" else answer.text
        text = re.sub(r"[ \t]*\n\s*", "\n", text).strip()
        lines.append(CITATION.sub(renumber, text))
    if language == "en" and not all(a.abstained for a in answers):
        lines.insert(0, msg.quoting)
    first = answers[0]
    confidences = [a.confidence for a in answers if a.confidence is not None]
    return Answer(
        text="\n".join(lines),
        sources=tuple(sources),
        abstained=all(a.abstained for a in answers),
        backend=first.backend,
        notices=tuple(dict.fromkeys(n for a in answers for n in a.notices)),
        query=" | ".join(a.query for a in answers),
        language=language,
        confidence=max(confidences) if confidences else None,
    )
