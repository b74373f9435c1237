"""Fill the shared embedding cache for one corpus size ahead of a run:
`python -m bench.warm 100k` (the 100k figures may then reuse cached embeddings)."""

from __future__ import annotations

import sys

from assistant.store import cached_embeddings
from bench.corpora import build
from bench.run import ROOT, Options, cache_dir, embedding_texts


def main(argv: list[str]) -> None:
    from tqdm import tqdm

    opts = Options()
    corpus = build(argv[0], opts.work, ROOT, opts.shared, opts.settings)
    settings = opts.settings.with_(cache_dir=cache_dir(opts))
    texts = embedding_texts(corpus.folder, settings, limit=10**9)
    embeddings = cached_embeddings(settings)
    step = 2048
    for start in tqdm(range(0, len(texts), step), desc=f"cache {corpus.name}", unit="batch"):
        embeddings.embed_array(texts[start : start + step])
    print(f"{len(texts)} texts, {embeddings.computed} computed", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
