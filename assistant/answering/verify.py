"""Checks a generated answer against its numbered sources, sentence by sentence, as it streams.

"Supported" is defined offline and deterministically: a sentence is supported by the sources it
cites when at least ``SUPPORT_THRESHOLD`` of its content tokens (the Dutch analyzer of
``assistant.keyword.tokenize``: folded, stopwords dropped, stemmed) occur in those sources.
Checking is incremental so that a streamed answer never shows a sentence that fails the check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.citations import CITATION, CITATION_NUMBERS, cited_numbers
from assistant.keyword import fold, tokenize, words
from assistant.records import Source
from assistant.sentences import split_sentences

SUPPORT_THRESHOLD = 0.5

# Edit kinds, the prefix of every string in ``Answer.edits`` ("kind: detail").
INVALID_CITATION = "invalid_citation"
IRRELEVANT_CITATION = "irrelevant_citation"
ADDED_CITATION = "added_citation"
UNSUPPORTED_SENTENCE = "unsupported_sentence"
DROPPED_LEAD_IN = "dropped_lead_in"
UNVERIFIED = "unverified"
FALLBACK = "fallback"

# The end of a sentence: terminators, closing quotes, then any citations written after the period.
_BOUNDARY = re.compile(
    r"[.!?]+[\"'”’)]*(?:\s*\[\s*" + CITATION_NUMBERS + r"\s*\])*(?=\s)", re.IGNORECASE
)
_NEXT_START = re.compile(r"\s+(\S)")
_NUMBER_MARK = re.compile(r"\s*\d+[.)]")
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_FINAL_PUNCT = re.compile(r"([.!?:;]*[\"'”’)]*)\s*$")
# Statements about the sources themselves ("the sources do not say"), matched on folded text.
_META = re.compile(
    r"\bbronnen (?:zeggen|vermelden|noemen|bevatten|geven|beschrijven|beantwoorden|bieden)"
    r"(?: \w+){0,3} (?:niets|geen|niet)\b"
    r"|\b(?:staat|staan|wordt) (?:\w+ ){0,3}niet(?:s)? in (?:de|mijn|deze) bronnen\b"
    r"|\bgeen (?:informatie|antwoord)\b.*\bin (?:de|mijn|deze) bronnen\b"
    r"|\bsources (?:do not|don't|does not|say nothing|contain no|mention no)"
    r"|\bnot (?:mentioned|covered|answered|found) in (?:the|my) (?:provided )?sources\b"
    r"|\bno information\b.*\bin (?:the|my) (?:provided )?sources\b"
)


@dataclass(frozen=True)
class Segment:
    """A sentence (or list item) of an answer and the line breaks before it."""

    text: str
    breaks: int = 0


@dataclass(frozen=True)
class Checked:
    """The outcome of checking a whole answer."""

    text: str
    sources: tuple[Source, ...]  # only the cited ones, renumbered 1..k in order of citation
    edits: tuple[str, ...]
    supported: int  # claims that survived the check
    abstained: bool  # the answer only says that the sources do not answer


def split_segments(text: str) -> list[Segment]:
    """Sentences and list items, each with the number of line breaks before it."""
    segments: list[Segment] = []
    breaks = 0
    for line in text.split("\n"):
        if not line.strip():
            breaks += 1
            continue
        for i, sentence in enumerate(_sentences(line)):
            segments.append(Segment(sentence, breaks if i == 0 else 0))
        breaks = 1
    return segments


def complete_prefix(text: str) -> int:
    """Length of the prefix of a growing ``text`` whose sentences can no longer change."""
    newline = text.rfind("\n")
    ends = _boundaries(text[newline + 1 :], final=False)
    if ends:
        return newline + 1 + ends[-1]
    while newline > 0 and text[newline - 1] == "\n":
        newline -= 1  # keep a run of line breaks together: it separates paragraphs
    return max(newline, 0)


def support(tokens: Sequence[str], source_tokens: set[str]) -> float:
    """The share of a sentence's content tokens that occur in the source."""
    if not tokens:
        return 0.0
    return sum(1 for t in tokens if t in source_tokens) / len(tokens)


def anchors(text: str) -> list[str]:
    """Words that look the same in every language: numbers and names (folded).

    A name is a word in capitals inside a sentence ("VNG", "Learning Cities"), not its first word.
    """
    out = []
    for i, m in enumerate(re.finditer(r"[^\W_]+", text)):
        word = m.group()
        if any(c.isdigit() for c in word) or (word[0].isupper() and (i > 0 or word.isupper())):
            out.append(fold(word))
    return out


def _boundaries(line: str, *, final: bool) -> list[int]:
    """End offsets of the sentences of ``line`` confirmed by the start of the next sentence."""
    ends: list[int] = []
    for m in _BOUNDARY.finditer(line):
        if _NUMBER_MARK.fullmatch(line[ends[-1] if ends else 0 : m.end()]):
            continue  # "1." opening a numbered list item
        nxt = _NEXT_START.match(line, m.end())
        if nxt is None:
            continue  # only whitespace follows; the next sentence has not started yet
        # "bijv. het" is an abbreviation, not an end; "[" would be a citation still arriving.
        if not nxt.group(1).islower() and nxt.group(1) != "[":
            ends.append(m.end())
    if final:
        ends.append(len(line))
    return ends


def _sentences(line: str) -> list[str]:
    start, out = 0, []
    for end in _boundaries(line, final=True):
        if piece := line[start:end].strip():
            out.append(piece)
        start = end
    return out


def _is_meta(plain: str) -> bool:
    return bool(_META.search(fold(plain)))


def _short(text: str, limit: int = 80) -> str:
    text = CITATION.sub("", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AnswerChecker:
    """Feeds on a streamed answer and keeps only sentences the cited sources support."""

    def __init__(
        self,
        sources: Sequence[Source],
        threshold: float = SUPPORT_THRESHOLD,
        *,
        cross_lingual: bool = False,
    ) -> None:
        """``cross_lingual``: the answer may be in another language than the sources."""
        self.threshold = threshold
        self.cross_lingual = cross_lingual
        self._sources = {s.n: s for s in sources}
        texts = {s.n: " ".join(filter(None, (s.title, s.section, s.text))) for s in sources}
        self._tokens = {n: set(tokenize(text)) for n, text in texts.items()}
        self._words = {n: set(words(text)) for n, text in texts.items()}
        self._buffer = ""
        self._done = 0
        self._parts: list[tuple[int, str]] = []
        self._pending: list[Segment] = []
        self._renumber: dict[int, int] = {}
        self._citing: dict[int, list[str]] = {}  # old number -> tokens of the sentences citing it
        self._edits: list[str] = []
        self._claims = 0
        self._metas = 0

    @property
    def text(self) -> str:
        """The checked text so far, citations renumbered."""
        out = []
        for breaks, piece in self._parts:
            if out:
                out.append("\n" * min(breaks, 2) if breaks else " ")
            out.append(piece)
        return "".join(out)

    @property
    def sources(self) -> tuple[Source, ...]:
        """The sources cited so far, renumbered in order of first citation, with quotes."""
        order = sorted(self._renumber.items(), key=lambda kv: kv[1])
        return tuple(
            replace(self._sources[old], n=new, quote=self._quote(old)) for old, new in order
        )

    def feed(self, delta: str) -> bool:
        """Add streamed text; True when more checked text became available."""
        self._buffer += delta
        end = complete_prefix(self._buffer)
        if end <= self._done:
            return False
        before = len(self._parts)
        self._process(self._buffer[self._done : end])
        self._done = end
        return len(self._parts) > before

    def finish(self) -> Checked:
        """Check what is left of the stream and return the final answer."""
        self._process(self._buffer[self._done :])
        self._done = len(self._buffer)
        for seg in self._pending:
            self._edits.append(f"{DROPPED_LEAD_IN}: removed «{_short(seg.text)}»")
        self._pending = []
        return Checked(
            text=self.text,
            sources=self.sources,
            edits=tuple(self._edits),
            supported=self._claims,
            abstained=self._claims == 0 and self._metas > 0,
        )

    def _process(self, chunk: str) -> None:
        for seg in split_segments(chunk):
            self._check(seg)

    def _check(self, seg: Segment) -> None:
        numbers = cited_numbers(seg.text)
        for n in numbers:
            if n not in self._sources:
                self._edits.append(f"{INVALID_CITATION}: removed [{n}] (there is no source {n})")
        valid = list(dict.fromkeys(n for n in numbers if n in self._sources))
        plain = CITATION.sub("", seg.text)
        tokens = tokenize(_LIST_MARK.sub("", plain))
        if _is_meta(plain):
            self._metas += 1
            self._keep(seg, valid)
        elif not tokens or (not valid and plain.rstrip().endswith(":")):
            if valid:
                self._keep(seg, valid)  # "Ja [1]." makes no content claim to check
            else:
                self._pending.append(seg)  # a lead-in: shown only before a kept claim
        else:
            self._check_claim(seg, tokens, valid)

    def _check_claim(self, seg: Segment, tokens: list[str], valid: list[int]) -> None:
        score = support(tokens, set().union(*(self._tokens[n] for n in valid)))
        across = score < self.threshold and self.cross_lingual and valid
        if across and self._check_across_languages(seg, valid):
            return
        if score < self.threshold:
            best = max(self._tokens, key=lambda n: support(tokens, self._tokens[n]), default=0)
            if not best or support(tokens, self._tokens[best]) < self.threshold:
                why = f"support {score:.2f} < {self.threshold:.2f}" if valid else "no citation"
                cites = "".join(f" [{n}]" for n in valid)
                self._edits.append(
                    f"{UNSUPPORTED_SENTENCE}: removed «{_short(seg.text)}» ({why}{cites})"
                )
                return
            instead = f" instead of {''.join(f'[{n}]' for n in valid)}" if valid else ""
            self._edits.append(f"{ADDED_CITATION}: [{best}] to «{_short(seg.text)}»{instead}")
            valid = [best]
        kept = [n for n in valid if any(t in self._tokens[n] for t in tokens)]
        for n in valid:
            if n not in kept:
                self._edits.append(
                    f"{IRRELEVANT_CITATION}: removed [{n}] from «{_short(seg.text)}» "
                    "(it shares no content word with the sentence)"
                )
        self._claims += 1
        for n in kept:
            self._citing.setdefault(n, []).extend(tokens)
        self._keep(seg, kept)

    def _check_across_languages(self, seg: Segment, valid: list[int]) -> bool:
        """Words do not carry over between languages, but names and numbers do: check those."""
        names = anchors(CITATION.sub("", seg.text))
        if names and support(names, set().union(*(self._words[n] for n in valid))) < 0.99:
            return False
        if not names:
            self._edits.append(
                f"{UNVERIFIED}: kept «{_short(seg.text)}» (in another language than its "
                "sources, with no name or number to check)"
            )
        self._claims += 1
        self._keep(seg, valid)
        return True

    def _keep(self, seg: Segment, keep: list[int]) -> None:
        """Show ``seg`` with exactly the citations in ``keep``, renumbered."""
        for n in keep:
            self._renumber.setdefault(n, len(self._renumber) + 1)
        present = set(cited_numbers(seg.text))

        def render(m: re.Match[str]) -> str:
            nums = [int(n) for n in re.findall(r"\d+", m.group(1)) if int(n) in keep]
            if not nums:
                return ""
            lead = m.group(0)[: len(m.group(0)) - len(m.group(0).lstrip())]
            return lead + "".join(f"[{self._renumber[n]}]" for n in dict.fromkeys(nums))

        text = CITATION.sub(render, seg.text)
        missing = [n for n in keep if n not in present]
        if missing:
            marks = "".join(f"[{self._renumber[n]}]" for n in missing)
            text = _FINAL_PUNCT.sub(lambda m: f" {marks}{m.group(1)}", text, count=1)
        for pending in self._pending:
            self._parts.append((pending.breaks, pending.text))
        self._pending = []
        self._parts.append((seg.breaks, text))

    def _quote(self, n: int) -> str | None:
        """The sentence of source ``n`` that shares most content words with the answer."""
        tokens = set(self._citing.get(n, ()))
        if not tokens:
            return None
        best, best_score = None, 0
        for sentence in split_sentences(self._sources[n].text):
            score = len(tokens.intersection(tokenize(sentence)))
            if score > best_score:
                best, best_score = sentence, score
        return best
