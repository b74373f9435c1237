"""Which language a question is in: Dutch, or English by its function words."""

from __future__ import annotations

from assistant.text.analysis import words

# Short English questions are mostly these; the stopword lists miss several of them. The
# greetings and thanks tell "Hello!" and "Thanks!" (small talk) from their Dutch forms.
_ENGLISH_QUESTION_WORDS = {
    "how",
    "what",
    "who",
    "whom",
    "which",
    "where",
    "when",
    "why",
    "can",
    "could",
    "does",
    "do",
    "our",
    "my",
    "your",
    "the",
    "anything",
    "much",
    "many",
    "has",
    "have",
    "must",
    "hello",
    "hi",
    "thanks",
    "thank",
    "please",
    "good",
    "morning",
    "afternoon",
    "evening",
}


def detect_language(text: str) -> str:
    """ "en" when a question has more English than Dutch function words, else "nl"."""
    from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

    tokens = words(text)
    english_words = (set(STOPWORDS_EN) | _ENGLISH_QUESTION_WORDS) - set(STOPWORDS_DUTCH)
    english = sum(t in english_words for t in tokens)
    dutch = sum(t in STOPWORDS_DUTCH and t not in STOPWORDS_EN for t in tokens)
    return "en" if english > dutch else "nl"
