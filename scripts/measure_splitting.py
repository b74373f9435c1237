"""Time chunking and cleaning on long single-line texts (numbers in docs/reliability.md).

    PYTHONPATH=. .venv/bin/python scripts/measure_splitting.py [--sizes 1,10,20] [--old]

Chunking is timed on single-line texts of the given sizes in MB (Dutch-looking sentences, no
line breaks), and cleaning on pathological lines of 2 MB (MAX_TEXT_CHARS). With ``--old`` the
previous splitter (pysbd over a whole paragraph) is timed on 25k and 50k characters for
comparison; it grows with the square of the length.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

from assistant.sentences import sentence_spans
from ingest.chunk import chunk_document
from ingest.limits import MAX_TEXT_CHARS
from ingest.load import SourceDocument, clean_text

WORDS = [
    "de",
    "het",
    "een",
    "gemeente",
    "school",
    "kind",
    "kinderen",
    "leren",
    "stad",
    "netwerk",
    "onderwijs",
    "opvang",
    "samen",
    "werk",
    "ouders",
    "wijk",
    "bibliotheek",
    "integraal",
    "kindcentrum",
    "lerende",
    "steden",
    "unesco",
    "beleid",
]


def sentences_text(size: int, seed: int = 1) -> str:
    """``size`` characters of sentences on one line."""
    rng = random.Random(seed)
    parts, total = [], 0
    while total < size:
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 24)))
        part = words[0].upper() + words[1:] + ". "
        parts.append(part)
        total += len(part)
    return "".join(parts)[:size]


N = MAX_TEXT_CHARS
PATHOLOGICAL = {
    "emphasis openers ('**a ' repeated)": "**a " * (N // 4),
    "link openers ('[' repeated)": "[" * N,
    "one word (no spaces)": "x" * N,
    "spaces between two words": "a" + " " * N + "b",
    "heading ending in '#'s": "# a" + "#" * N + "b",
}


def _doc(text: str) -> SourceDocument:
    return SourceDocument("lang", "Lang", text, Path("lang.txt"))


def measure_chunking(sizes_mb: list[float]) -> None:
    print("chunking a single-line text (chunk_document, max 600 characters):")
    for mb in sizes_mb:
        text = sentences_text(int(mb * 1024 * 1024))
        started = time.perf_counter()
        chunks = chunk_document(_doc(text))
        seconds = time.perf_counter() - started
        longest = max(len(c.text) for c in chunks)
        print(f"  {mb:>5} MB: {seconds:6.1f} s, {len(chunks)} chunks, longest {longest} chars")


def measure_cleaning() -> None:
    print(f"cleaning + chunking pathological lines of {MAX_TEXT_CHARS:,} characters:")
    for name, line in PATHOLOGICAL.items():
        started = time.perf_counter()
        text = clean_text(line)
        chunks = chunk_document(_doc(text))
        seconds = time.perf_counter() - started
        print(f"  {name:<38} {seconds:6.2f} s, {len(chunks)} chunks")


def measure_paragraphs() -> None:
    print(f"chunking {MAX_TEXT_CHARS:,} characters in paragraphs that pysbd splits (windows):")
    for size in (1_500, 5_000, 19_000):
        paragraph = sentences_text(size)
        text = "\n\n".join([paragraph] * (MAX_TEXT_CHARS // size))
        started = time.perf_counter()
        chunks = chunk_document(_doc(text))
        seconds = time.perf_counter() - started
        print(f"  paragraphs of {size:>6} chars: {seconds:6.1f} s, {len(chunks)} chunks")


OLD_PATTERNS = {
    "emphasis openers ('**a ' repeated)": (r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", "**a "),
    "link openers ('[' repeated)": (r"\[([^\]]+)\]\((?:[^)\s]+)\)", "["),
}


def measure_old() -> None:
    print("previous splitter (pysbd over the whole paragraph):")
    for size in (25_000, 50_000):
        text = sentences_text(size)
        started = time.perf_counter()
        sentence_spans(text)
        print(f"  {size:>7} chars: {time.perf_counter() - started:6.1f} s")
    print("previous cleaning patterns:")
    for name, (pattern, unit) in OLD_PATTERNS.items():
        for size in (20_000, 40_000):
            line = unit * (size // len(unit))
            started = time.perf_counter()
            re.sub(pattern, r"\1", line)
            print(f"  {name:<38} {size:>7} chars: {time.perf_counter() - started:6.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,20", help="sizes in MB, comma-separated")
    parser.add_argument("--old", action="store_true", help="also time the previous splitter")
    args = parser.parse_args()
    measure_chunking([float(s) for s in args.sizes.split(",")])
    measure_cleaning()
    measure_paragraphs()
    if args.old:
        measure_old()


if __name__ == "__main__":
    main()
