"""The Dutch analyzer: folding, word tokens, stopwords and the Snowball stemmer."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TOKEN = re.compile(r"[a-z0-9]+")
# The classic Dutch Snowball stemmer: gemeente/gemeenten -> gemeent, steden -> sted.
STEMMER = "dutch_porter"
# Part of the on-disk keyword index's name: bump it when tokenize() changes.
ANALYZER_VERSION = 3


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer(STEMMER)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Dutch and English stopwords (questions come in both; the corpus is Dutch).

    bm25s's short Dutch list misses many function words people use in questions ("wij",
    "eigenlijk"), so the stopwords-iso Dutch list is added.
    """
    import stopwordsiso
    from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

    dutch = stopwordsiso.stopwords("nl")
    return frozenset(fold(w) for w in (*STOPWORDS_DUTCH, *STOPWORDS_EN, *dutch))


# Stopwords that are also nouns: right after "de" or "het" they are the noun, and what a
# question is about ("het weer morgen", "de weg naar"), so they are kept there.
NOUN_HOMOGRAPHS = frozenset({"weer", "weg", "wezen"})
_ARTICLES = frozenset({"de", "het"})


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lowercase and strip accents: financiële -> financiele.

    Cached: ranking folds the same passages for every question (it was most of the rerank time).
    """
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Folded word tokens, stopwords kept."""
    return _TOKEN.findall(fold(text))


def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def tokenize(text: str) -> list[str]:
    """The Dutch analyzer used for BM25 and for support checks: fold, drop stopwords, stem."""
    stop = stopwords()
    tokens = words(text)
    kept = [
        w
        for i, w in enumerate(tokens)
        if (w not in stop and (len(w) > 1 or w.isdigit()))
        or (w in NOUN_HOMOGRAPHS and i > 0 and tokens[i - 1] in _ARTICLES)
    ]
    return _stemmer().stemWords(kept)
