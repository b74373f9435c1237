"""Small frozen domain records shared by ingest, retrieval, answering and evaluation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Chunk:
    """A piece of a source document as stored in the index."""

    chunk_id: str
    doc_id: str
    text: str
    title: str
    section: str | None
    source: str
    url: str | None
    start: int
    end: int
    content_hash: str
    doc_hash: str
    kind: str = "text"  # "text" (a passage of the body) or "meta" (built from front matter)
    # Its sentences as ingest stored them (assistant.text.sentences.stored_splits, with
    # LEERSTAD_SENTENCE_VECTORS=ingest) or as an answer found them in the embedding cache
    # (=after); None otherwise. Not part of what the chunk is.
    sentences: str | None = field(default=None, compare=False, repr=False)

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata as Chroma stores it (no None values)."""
        meta = asdict(self)
        del meta["text"]
        return {k: v for k, v in meta.items() if v is not None}


@dataclass(frozen=True)
class Passage:
    """A chunk returned by retrieval, with the scores that ranked it."""

    chunk: Chunk
    score: float
    dense_score: float | None = None
    keyword_score: float | None = None


@dataclass(frozen=True)
class Source:
    """A numbered source under an answer: the [n] in the text points here."""

    n: int
    doc_id: str
    title: str
    section: str | None
    url: str | None
    text: str
    score: float
    chunk_id: str
    start: int
    end: int
    quote: str | None = None  # the sentence of the passage the answer relies on

    def to_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "doc_id": self.doc_id,
            "title": self.title,
            "section": self.section,
            "url": self.url,
            "text": self.text,
            "score": round(self.score, 4),
            "chunk_id": self.chunk_id,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation."""

    question: str
    answer: str = ""
    source_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """What the assistant says, with its sources and how it got there."""

    text: str
    sources: tuple[Source, ...] = ()
    abstained: bool = False
    backend: str = "extractive"
    notices: tuple[str, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    query: str = ""  # the standalone question actually searched for
    language: str = "nl"
    edits: tuple[str, ...] = ()  # what citation checking changed in a generated answer
    # How sure the backend is that the sources answer (0-1; None when it does not say). The
    # extractive backend abstains below its fitted threshold; the eval plots the trade-off.
    confidence: float | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "sources": [s.to_json() for s in self.sources],
            "backend": self.backend,
            "notices": list(self.notices),
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "query": self.query,
            "language": self.language,
            "edits": list(self.edits),
            "confidence": None if self.confidence is None else round(self.confidence, 4),
        }
