"""Fill the shared embedding cache for one corpus size ahead of a run: `python -m bench.warm 100k`
(`--naive`: the naive pipeline's MiniLM cache instead).

The seed documents and the first ``ORDERS`` copies are embedded by the model. With ``--reuse``,
a later copy k gets the vectors of copy k mod ORDERS: the same chunks with another made-up place
name. This is how the 100k figures reuse cached embeddings (it keeps the benchmark runnable on
two shared cores); the figures that depend on it are marked in docs/benchmarks.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.embedding_cache import CachedEmbeddings, text_key
from assistant.embedding_models import cached_embeddings
from assistant.settings import Settings
from bench.corpora import ORDERS, PLACES, build, place_name
from bench.naive import naive_embeddings, naive_splits
from bench.run import ROOT, Options, cache_dir
from ingest.chunk import chunk_document
from ingest.index import embedding_text
from ingest.load import discover, load_document


def copy_of(path: Path) -> int | None:
    """The copy number of a variant file (None for a seed document)."""
    if "--" not in path.stem:
        return None
    name, number = path.stem.split("--", 1)[1].rsplit("-", 1)
    index = [p.lower() for p in PLACES].index(name)
    return (int(number) - 1) * len(PLACES) + index


def texts_by_copy(folder: Path, settings: Settings) -> dict[int | None, list[str]]:
    """What Leerstad's ingest embeds, by copy number."""
    found: dict[int | None, list[str]] = {}
    for path in discover([folder]):
        chunks = chunk_document(load_document(path), settings.chunk_size, settings.chunk_min_size)
        found.setdefault(copy_of(path), []).extend(embedding_text(c) for c in chunks)
    return found


def naive_texts_by_copy(folder: Path) -> dict[int | None, list[str]]:
    """What the naive pipeline embeds, by copy number."""
    found: dict[int | None, list[str]] = {}
    for path, texts in naive_splits([folder]):
        found.setdefault(copy_of(path), []).extend(texts)
    return found


def warm(groups: dict[int | None, list[str]], embeddings: CachedEmbeddings, reuse: bool) -> str:
    """Embed the seed documents and (with ``reuse``, only) the first ORDERS copies; give every
    later chunk the vector of the same chunk in copy k mod ORDERS, where that copy has it."""
    from tqdm import tqdm

    own = [t for c, ts in groups.items() if c is None or c < ORDERS or not reuse for t in ts]
    for start in tqdm(range(0, len(own), 512), desc="embed", unit="batch"):
        embeddings.embed_array(own[start : start + 512])
    reused = missing = 0
    for copy, texts in tqdm(groups.items(), desc="reuse", disable=not reuse):
        if not reuse or copy is None or copy < ORDERS:
            continue
        donors = [t.replace(place_name(copy), place_name(copy % ORDERS)) for t in texts]
        vectors = embeddings.cache.get_many([text_key(t) for t in donors])
        found = {
            text_key(t): vectors[text_key(d)]
            for t, d in zip(texts, donors, strict=True)
            if text_key(d) in vectors
        }
        embeddings.cache.put_many(found)
        reused += len(found)
        missing += len(texts) - len(found)
    return (
        f"{len(own)} embedded ({embeddings.computed} computed), {reused} reused, "
        f"{missing} without a donor (computed by the run itself)"
    )


def main(argv: list[str]) -> None:
    opts = Options()
    corpus = build(argv[0], opts.work, ROOT, opts.shared, opts.settings)
    settings = opts.settings.with_(cache_dir=cache_dir(opts))
    reuse = "--reuse" in argv
    if "--naive" in argv:
        line = warm(naive_texts_by_copy(corpus.folder), naive_embeddings(cache_dir(opts)), reuse)
    else:
        groups = texts_by_copy(corpus.folder, settings)
        line = warm(groups, cached_embeddings(settings), reuse)
    print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
