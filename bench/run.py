"""The benchmark run: per corpus size, ingest, re-ingest, answers, cold start, memory, the naive
pipeline side by side; and both shipped encoders on the seed corpus."""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from bench.answers import answers
from bench.cachestate import forget_since, kept, vector_keys
from bench.corpora import Corpus, build, change_share, restore
from bench.fresh import ANSWER_TIMES, ROOT, answer_rounds, note, probe
from bench.measure import size_mb
from evals.dataset import Example, load_dataset

QUESTIONS = ROOT / "evals" / "datasets" / "holdout.jsonl"
ENCODERS = ("use-multilingual-v3", "all-MiniLM-L6-v2")


@dataclass
class Options:
    """What to run and where; the defaults are the full benchmark."""

    work: Path = ROOT / "runs" / "bench"
    shared: Path = ROOT.parent / "shared"
    sizes: Sequence[str] = ("1k", "10k", "100k")
    encoders: Sequence[str] = ENCODERS
    chroma: str = "persistent"
    naive_max_chunks: int = 20_000  # MiniLM embeds ~55 texts/s here: 100k would take half an hour
    encode_sample: int = 2000
    encoder_sample: int = 300  # texts for the raw speed of each shipped encoder
    reuse_cache_from: int = 50_000  # sizes from here embed through the shared cache
    ingest_only: bool = False  # only the ingest and the encoder around it
    baseline: Path | None = None  # another checkout whose ingest is measured beside this one
    repeat: int = 1  # ingests per size (alternating with the baseline's): the median is reported
    answer_rounds: int = 0  # warm answer runs beside the baseline's (0: as many as ``repeat``)
    settings: Settings = field(default_factory=Settings.from_env)


def embedding_texts(folder: Path, settings: Settings, limit: int) -> list[str]:
    """What ingest embeds for up to ``limit`` chunks spread over the corpus."""
    from ingest.chunk import chunk_document
    from ingest.index import embedding_text
    from ingest.load import discover, load_document

    paths = list(discover([folder]))
    step = max(1, len(paths) // max(1, limit // 8))
    texts: list[str] = []
    for path in paths[::step]:
        doc = load_document(path)
        chunks = chunk_document(doc, settings.chunk_size, settings.chunk_min_size)
        texts += [embedding_text(c) for c in chunks]
        if len(texts) >= limit:
            break
    return texts[:limit]


def raw_encode(settings: Settings, texts: list[str]) -> float:
    """The encoder's own throughput on these texts, in one call: the limit for ingest."""
    from assistant.embedding_models import build_embeddings

    model = build_embeddings(settings)
    model.embed_documents(texts[:16])  # loaded and warm
    started = time.perf_counter()
    model.embed_documents(texts)
    return round(len(texts) / (time.perf_counter() - started), 1)


def cache_dir(opts: Options) -> Path:
    return opts.work / "cache"


def fresh_settings(opts: Options, name: str, cold_cache: bool) -> Settings:
    """Settings of an empty index for one measurement (a cold cache when asked)."""
    data = opts.work / f"data-{name}"
    shutil.rmtree(data, ignore_errors=True)
    cache = data / "cache" if cold_cache else cache_dir(opts)
    collection = f"bench-{name}-{int(time.time())}" if opts.chroma != "persistent" else "leerstad"
    return opts.settings.with_(
        data_dir=data, cache_dir=cache, chroma=opts.chroma, collection=collection
    )


def ingest_beside_encoder(
    settings: Settings, corpus: Corpus, texts: list[str], code: Path | None = None
) -> dict[str, Any]:
    """An ingest into an empty index, with the encoder's own speed on ``texts`` measured right
    before and right after it, so the ratio is not decided by the load of a shared machine.

    ``code`` runs the ingest with another checkout's code (a baseline to compare with).
    Without it, and with ``LEERSTAD_SENTENCE_VECTORS=after``, the enrichment follows (what
    ``leerstad ingest`` does once the index is usable; ``enriched``); the embedding cache's
    keys from before it go under ``unenriched_keys``.
    """
    before = raw_encode(settings, texts)
    first = probe(settings, "ingest", str(corpus.folder), code=code)
    after = raw_encode(settings, texts)
    encoder = round((before + after) / 2, 1)
    ingest = round(first["chunks"] / first["wall_s"], 1)
    enriched: dict[str, Any] = {}
    if code is None and settings.sentence_vectors == "after":
        enriched["unenriched_keys"] = vector_keys(settings)
        enriched.update(enrichment(settings, first["chunks"] / encoder, first["wall_s"]))
    return {
        **enriched,
        "raw_encode_chunks_per_s": encoder,
        "raw_encode_before_chunks_per_s": before,
        "raw_encode_after_chunks_per_s": after,
        "chunks": first["chunks"],
        "ingest_s": round(first["wall_s"], 2),
        "ingest_in_process_s": round(first["seconds"], 2),
        "ingest_chunks_per_s": ingest,
        "ingest_computed": first["computed"],
        # The ratio the target is about: end to end (a fresh process, imports included) against
        # the mean of the two encoder samples taken around it.
        "ingest_vs_raw_encode": round(ingest / encoder, 3),
        # The share of the ingest's own time spent in the encoder, measured in the same
        # process at the same time.
        "ingest_encoder_share": round(first["encode_s"] / first["seconds"], 3),
        "ingest_peak_rss_mb": first["peak_rss_mb"],
        # The encoder process of a large ingest (0 when it encoded in the ingest process).
        "ingest_encoder_peak_rss_mb": first.get("children_peak_rss_mb"),
        "keyword_build_s": first["keyword_build_s"],
        # Seconds before the encoder's first batch, between batches, in it, after the last.
        "ingest_encoder_timeline": first.get("encoder_timeline"),
    }


def enrichment(settings: Settings, encoder_s: float, ingest_s: float) -> dict[str, Any]:
    """The enrichment after an ingest, in a fresh process; ``encoder_s``: the encoder's own
    seconds for the chunks, ``ingest_s``: the ingest's (until the index was usable)."""
    done = probe(settings, "enrich")
    return {
        "enrich_s": done["wall_s"],
        "enrich_vectors": done["vectors"],
        "enrich_encode_s": done["encode_s"],
        "enrich_peak_rss_mb": done["peak_rss_mb"],
        # The ingest and the enrichment after it, end to end, against the encoder alone.
        "enriched_vs_raw_encode": round(encoder_s / (ingest_s + done["wall_s"]), 3),
    }


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of the run with the median ingest / encoder ratio, and every run's ratio
    (in the order they ran)."""
    ranked = sorted(runs, key=lambda r: r["ingest_vs_raw_encode"])
    ratios = [r["ingest_vs_raw_encode"] for r in runs]
    return {**ranked[(len(ranked) - 1) // 2], "ingest_vs_raw_encode_runs": ratios}


def ingests(
    name: str, opts: Options, corpus: Corpus, texts: list[str], result: dict[str, Any]
) -> tuple[Settings, set[bytes] | None]:
    """``opts.repeat`` ingests beside the encoder, each followed by the baseline's when there is
    one (so the two alternate); their median figures go into ``result``. Returns the settings
    of the last ingest's index, for the measurements that read it, and its embedding cache's
    keys before the enrichment (None without one)."""
    cold = result["embedding_cache"] == "cold"
    mine: list[dict[str, Any]] = []
    base: list[dict[str, Any]] = []
    for n in range(opts.repeat):
        note(f"{name}: {corpus.chunks} chunks; encoder, ingest, encoder ({n + 1}/{opts.repeat})")
        settings = fresh_settings(opts, name, cold_cache=cold)
        mine.append(ingest_beside_encoder(settings, corpus, texts))
        if opts.baseline is not None and cold:  # with cached vectors no encoder to match
            note(f"{name}: the same with the ingest of {opts.baseline}")
            other = fresh_settings(opts, f"{name}-baseline", cold_cache=cold)
            base.append(ingest_beside_encoder(other, corpus, texts, opts.baseline))
    unenriched = mine[-1].get("unenriched_keys")  # of the index the later steps read
    for run in mine:
        run.pop("unenriched_keys", None)
    result.update(median_run(mine))
    if base:
        result.update({f"baseline_{k}": v for k, v in median_run(base).items()})
    return settings, unenriched


def measure_size(name: str, opts: Options, examples: list[Example]) -> dict[str, Any]:
    """Every figure for one corpus size, with the settings' default encoder."""
    corpus = build(name, opts.work, ROOT, opts.shared, opts.settings)
    cold = corpus.chunks < opts.reuse_cache_from
    texts = embedding_texts(corpus.folder, opts.settings, opts.encode_sample)
    result: dict[str, Any] = {
        "size": name,
        "documents": corpus.documents,
        "raw_encode_sample": len(texts),
        "embedding_cache": "cold" if cold else "shared (may be warm)",
    }
    settings, unenriched = ingests(name, opts, corpus, texts, result)
    if opts.ingest_only:
        return result
    ingested = vector_keys(settings)  # answers add passages' vectors: forgotten before each
    note(f"{name}: ingested in {result['ingest_s']} s; re-ingest unchanged and 1% changed")
    again = probe(settings, "ingest", str(corpus.folder))
    result.update(
        reingest_unchanged_s=again["seconds"], reingest_unchanged_embedded=again["embedded"]
    )
    changed = change_share(corpus, 0.01, marker=f"bench {int(time.time())}")
    try:
        one = probe(settings, "ingest", str(corpus.folder))
    finally:
        restore(changed)
    result.update(
        reingest_1pct_s=one["seconds"],
        reingest_1pct_documents=one["changed"],
        reingest_1pct_embedded=one["embedded"],
    )
    result["index_mb"] = size_mb(settings.chroma_dir, settings.keyword_dir)
    note(f"{name}: cold start")
    start = probe(settings, "first-answer", examples[0].question)
    result.update(cold_start_s=start["wall_s"], serve_peak_rss_mb=start["peak_rss_mb"])
    pipeline, naive_dir = None, None
    if corpus.chunks <= opts.naive_max_chunks:
        from bench.naive import NaiveProcess, build_naive

        note(f"{name}: the naive pipeline's index")
        naive_dir = opts.work / f"naive-{name}"
        built = build_naive([corpus.folder], naive_dir, cache_dir(opts))
        pipeline = NaiveProcess(naive_dir, built.build_s, built.computed)
    note(
        f"{name}: {len(examples)} questions warm"
        + (", each also to the naive one" * bool(pipeline))
    )
    forget_since(settings, ingested)  # the cold start's answer: first sight for all of them
    try:
        result.update(answers(settings, examples, pipeline))
        if unenriched is not None:
            note(f"{name}: the same questions before the enrichment")
            with kept(settings):
                forget_since(settings, unenriched)
                result["before_enrichment"] = answers(settings, examples, pipeline)
    finally:
        if pipeline is not None:
            pipeline.close()
    result["peak_rss_mb"] = max(result["ingest_peak_rss_mb"], result["serve_peak_rss_mb"])
    if opts.baseline is not None:
        rounds = opts.answer_rounds or opts.repeat
        result["answers_beside_baseline"] = answer_rounds(
            settings, opts.baseline, rounds, QUESTIONS, naive_dir, ingested
        )
    return result


def measure_encoder(model: str, opts: Options, examples: list[Example]) -> dict[str, Any]:
    """One shipped encoder on the seed corpus (corpus/ + corpus-extra): speed and quality."""
    corpus = build("seed", opts.work, ROOT, opts.shared, opts.settings)
    settings = fresh_settings(opts, f"seed-{model}", cold_cache=False)
    # Passages encoded with the question ("answer"), for both encoders alike: preparing them
    # after the ingest ("after") took MiniLM 124 s on this corpus, and unprepared
    # answers would time their preparation (docs/benchmarks.md).
    settings = settings.with_(
        embedding_model=model, chroma="persistent", collection="leerstad", sentence_vectors="answer"
    )
    texts = embedding_texts(corpus.folder, settings, opts.encoder_sample)
    from ingest import ingest_paths

    note(f"encoder {model}: seed corpus index and {len(examples)} questions")

    summary = ingest_paths([corpus.folder], settings, progress=False)
    return {
        "model": model,
        "chunks": summary.chunks,
        "raw_encode_chunks_per_s": raw_encode(settings, texts),
        "raw_encode_sample": len(texts),
        **answers(settings, examples),
    }


def run(opts: Options) -> dict[str, Any]:
    """The whole benchmark: one dict, the largest size's figures also at the top level."""
    from bench.measure import machine

    examples = load_dataset(QUESTIONS)
    opts.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sizes = [measure_size(name, opts, examples) for name in opts.sizes]
    encoders = [measure_encoder(model, opts, examples) for model in opts.encoders]
    main = sizes[-1] if sizes else {}
    return {
        **{k: main.get(k) for k in TOP_LEVEL},
        "embedding_model": opts.settings.embedding_model,
        "chroma": opts.chroma,
        "questions": str(QUESTIONS.relative_to(ROOT)),
        "machine": machine(),
        "sizes": sizes,
        "encoders": encoders,
        "seconds": round(time.perf_counter() - started, 1),
    }


TOP_LEVEL = (
    "chunks",
    "ingest_chunks_per_s",
    "raw_encode_chunks_per_s",
    "ingest_vs_raw_encode",
    "ingest_encoder_share",
    "enriched_vs_raw_encode",
    *ANSWER_TIMES,
    "evidence_recall",
    "naive_evidence_recall",
    "cold_start_s",
    "peak_rss_mb",
    "reingest_unchanged_s",
    "keyword_build_s",
)
