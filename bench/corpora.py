"""Benchmark corpora of about 1k, 10k and 100k chunks, built deterministically from the seeds."""

from __future__ import annotations

import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import frontmatter

from assistant.settings import Settings
from ingest.chunk import chunk_document
from ingest.load import discover, load_document

# "seed" is corpus/ + corpus-extra alone; "tiny" is for the smoke test; "3k" sits between the
# sizes where an ingest encodes in this process and in a worker (ingest/encoder.py).
SIZES = {"seed": 0, "tiny": 100, "1k": 1_000, "3k": 3_000, "10k": 10_000, "100k": 100_000}
# Made-up municipality names: the variants must not claim facts about real places.
PLACES = [
    "Aldewerf",
    "Beekhoven",
    "Dorrestein",
    "Elsmeer",
    "Fennehout",
    "Grootvenne",
    "Hanzeburg",
    "Ijsselweerd",
    "Jutterdam",
    "Kamperveen",
    "Lindehoven",
    "Moerkapelle-Noord",
    "Nieuwstade",
    "Oosterwolde-Zuid",
    "Polderwijk",
    "Quatrebras",
    "Rijnsoever",
    "Schelpenburg",
    "Tolhuizen",
    "Uddelbroek",
    "Veenhuizen-West",
    "Waalkade",
    "Zandvoorde",
    "Achterveld-Oost",
    "Brederode-Stad",
    "Coevorden-Haven",
    "Dinxperlo-Oost",
    "Ede-Noord",
    "Gorssel-Dorp",
]
VERSION = 2  # bump when the variants change, so cached corpora are rebuilt
# Copies k and k + ORDERS share their paragraph order, so their chunks differ only in the place
# name: the 100k corpus may reuse the vectors of the first ORDERS copies (see bench/warm.py).
ORDERS = 40


@dataclass(frozen=True)
class Corpus:
    """A benchmark corpus: its folder (seed documents plus variants) and its size."""

    name: str
    folder: Path
    documents: int
    chunks: int


def seed_paths(root: Path, shared: Path) -> tuple[Path, Path]:
    """The assistant's own corpus and the distractors in ../shared/corpus-extra."""
    return root / "corpus", shared / "corpus-extra"


def count_chunks(folder: Path, settings: Settings) -> tuple[int, int]:
    docs = [load_document(p) for p in discover([folder])]
    chunks = sum(len(chunk_document(d, settings.chunk_size, settings.chunk_min_size)) for d in docs)
    return len(docs), chunks


def place_name(copy: int) -> str:
    return f"{PLACES[copy % len(PLACES)]}-{copy // len(PLACES) + 1}"


def variant(path: Path, copy: int) -> tuple[str, str]:
    """Copy ``copy`` of one distractor document: another place, its own title and paragraph
    order, each paragraph prefixed with the place (so every chunk is a new text to embed)."""
    rng = random.Random(f"1-{copy % ORDERS}-{path.name}")
    place = place_name(copy)
    post = frontmatter.load(path)
    title = f"{post.get('title') or path.stem} ({place})"
    blocks = [b for b in re.split(r"\n\s*\n", post.content.replace("Utrecht", place)) if b.strip()]
    body, paragraphs = [], []
    for block in [*blocks, "# end"]:
        if block.lstrip().startswith("#"):
            rng.shuffle(paragraphs)
            body += paragraphs
            paragraphs = []
            body.append(block if block != "# end" else "")
        else:
            paragraphs.append(f"{place}: {block.strip()}")
    meta = {"title": title, "url": f"https://example.invalid/{place.lower()}/{path.stem}"}
    text = frontmatter.dumps(frontmatter.Post("\n\n".join(body).strip() + "\n", **meta))
    return f"{path.stem}--{place.lower()}.md", text


def build(name: str, work: Path, root: Path, shared: Path, settings: Settings) -> Corpus:
    """The corpus of about ``SIZES[name]`` chunks under ``work`` (reused when already built)."""
    target = SIZES[name]
    folder = work / f"corpus-{name}-v{VERSION}-c{settings.chunk_size}"
    stamp = folder / ".complete"
    own, extra = seed_paths(root, shared)
    if not stamp.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "seed").mkdir(parents=True)
        for source in (own, extra):
            for path in discover([source]):
                shutil.copy2(path, folder / "seed" / path.name)
        _, seed_chunks = count_chunks(folder / "seed", settings)
        per_copy = _chunks_per_copy(extra, settings)
        copies = max(0, round((target - seed_chunks) / per_copy))
        for copy in range(copies):
            sub = folder / f"v{copy // 100:03d}"
            sub.mkdir(exist_ok=True)
            for path in discover([extra]):
                file, text = variant(path, copy)
                (sub / file).write_text(text, encoding="utf-8")
        documents, chunks = count_chunks(folder, settings)
        stamp.write_text(f"{documents} {chunks}\n", encoding="utf-8")
    documents, chunks = map(int, stamp.read_text(encoding="utf-8").split())
    return Corpus(name, folder, documents, chunks)


def _chunks_per_copy(extra: Path, settings: Settings) -> int:
    # Measured on the originals: a variant differs from its original only slightly in size.
    return max(1, count_chunks(extra, settings)[1])


def change_share(corpus: Corpus, share: float, marker: str) -> dict[Path, str]:
    """Change ``share`` of the variant documents in place (one sentence appended); returns
    their original texts for ``restore``. The same files for the same corpus and share."""
    every = sorted(discover([corpus.folder]))
    files = [p for p in every if p.parent.name != "seed"] or every
    picked = random.Random(f"change-{corpus.name}").sample(files, max(1, round(len(files) * share)))
    originals = {path: path.read_text(encoding="utf-8") for path in picked}
    for path, text in originals.items():
        path.write_text(text.rstrip("\n") + f"\n\nGewijzigd: {marker}.\n", encoding="utf-8")
    return originals


def restore(originals: dict[Path, str]) -> None:
    for path, text in originals.items():
        path.write_text(text, encoding="utf-8")
