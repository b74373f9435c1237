"""One answered question as the metrics see it: the example plus what the assistant returned."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evals.dataset import Example
from evals.judge import JudgeResult


@dataclass(frozen=True)
class Case:
    """One answered question: the example plus what the assistant returned."""

    example: Example
    answer: str
    abstained: bool
    sources: tuple[dict[str, Any], ...] = ()  # Source.to_json() dicts, in order of n
    latency_ms: float | None = None
    judge: JudgeResult | None = None  # the LLM judge's verdict; None: not judged (no --judge)

    def doc_ranking(self) -> list[str]:
        """Distinct doc ids of the sources, best first (document-level ranking)."""
        ranking: list[str] = []
        for source in sorted(self.sources, key=lambda s: s.get("n", 0)):
            if source.get("doc_id") not in ranking:
                ranking.append(source.get("doc_id"))
        return ranking

    def source_texts(self, numbers: set[int] | None = None, labelled: bool = False) -> list[str]:
        """Passage texts of all sources or of the numbered ones; ``labelled`` prefixes each
        with its title and section (what a reader sees next to the citation)."""
        return [
            " ".join(
                str(x)
                for x in (
                    (s.get("title"), s.get("section"), s.get("text"))
                    if labelled
                    else (s.get("text"),)
                )
                if x
            )
            for s in self.sources
            if numbers is None or s.get("n") in numbers
        ]


Observation = tuple[float, ...] | None


Observation = tuple[float, ...] | None
