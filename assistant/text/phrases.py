"""Phrases of the vocabulary found in a text: whole words, any inflection, split by Dutch word
order, and the words written as names."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.text.analysis import stem, tokenize, words


@lru_cache(maxsize=4096)
def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """A vocabulary phrase's analysed tokens (every question tests every phrase)."""
    return tuple(tokenize(phrase))


@lru_cache(maxsize=4096)
def whole(phrase: str) -> re.Pattern[str]:
    """A phrase as a whole word or words (compiled once: questions test every phrase)."""
    return re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])")


@lru_cache(maxsize=1 << 14)
def stem_line(text: str) -> str:
    """The stems of a text's words joined by spaces, padded: " gemeent kunn lid word "."""
    return f" {' '.join(stem(w) for w in words(text))} "


MAX_GAP = 4  # words that may stand between the parts of a phrase in a question


def has_phrase(phrase: str, stemmed: str) -> bool:
    """A phrase of several words occurs in any inflection ("maatschappelijke organisatie"), and
    in a question also split up, as Dutch word order does: "rol kan de gemeente spelen" has
    "rol spelen", "lid van het netwerk worden" has "lid worden"."""
    parts = stem_line(phrase).split()
    if len(parts) < 2:
        return False
    if f" {' '.join(parts)} " in stemmed:
        return True
    tokens = stemmed.split()
    starts = [i for i, t in enumerate(tokens) if t == parts[0]]
    for start in starts:
        position, found = start, True
        for part in parts[1:]:
            window = tokens[position + 1 : position + 2 + MAX_GAP]
            if part not in window:
                found = False
                break
            position += 1 + window.index(part)
        if found:
            return True
    return False


def capitalised_stems(text: str) -> set[str]:
    """Stems of words written with a capital letter that is not a sentence's first letter."""
    out: set[str] = set()
    # A sentence mark may be followed by a closing bracket or quote: "(... zo.) Vraag: ...".
    for sentence in re.split(r"(?<=[.?!:])[)\]\"'’”]*\s+", text.strip()):
        for token in sentence.split()[1:]:
            for part in re.split(r"[-/]", token):  # "UNESCO-pagina": only UNESCO is a name
                if part[:1].isupper():
                    out.update(stem(w) for w in words(part))
    return out
