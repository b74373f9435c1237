"""The naive LangChain recipe as a baseline row: the documents of the evaluated index split into
1000/200-character chunks, embedded into a fresh Chroma collection, dense top-4 per question."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.dataset import Example
from evals.errors import EvalError, RunFileError
from evals.metrics import METRICS, Case

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.vectorstores import VectorStore

    from assistant.settings import Settings
    from ingest.load import SourceDocument

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4
# Compared side by side; the baseline's "sources" are its TOP_K chunks.
COMPARED = ("evidence_recall", "right_doc", "mrr")
LATENCY = ("latency_p50_ms", "latency_p95_ms")


def _minilm(settings: Settings) -> Embeddings:
    """The recipe as written in an afternoon: HuggingFaceEmbeddings on the bundled MiniLM."""
    from langchain_huggingface import HuggingFaceEmbeddings

    from assistant.embeddings import minilm_path

    return HuggingFaceEmbeddings(
        model_name=minilm_path(),
        model_kwargs={"device": settings.embedding_device, "local_files_only": True},
    )


def _use(settings: Settings) -> Embeddings:
    from assistant.embedding_models import build_embeddings
    from assistant.embeddings import USE_MULTILINGUAL

    return build_embeddings(settings.with_(embedding_model=USE_MULTILINGUAL))


# Baselines by name: the embedding model of the recipe (everything else is the same).
RECIPES: dict[str, tuple[str, Callable[[Settings], Embeddings]]] = {
    "naive": ("all-MiniLM-L6-v2 (HuggingFaceEmbeddings)", _minilm),
    "naive-use": ("use-multilingual-v3", _use),
}


@dataclass(frozen=True)
class BaselineRun:
    """One baseline's answers: per question its TOP_K chunks (as sources) and search time."""

    name: str
    cases: list[Case]
    info: dict[str, Any]  # the recipe, the number of chunks, indexing time


def parse_names(values: Sequence[str]) -> list[str]:
    """Baseline names from repeated and/or comma-separated ``--baseline`` values, in order."""
    names = [n.strip() for v in values for n in v.split(",") if n.strip()]
    unknown = [n for n in names if n not in RECIPES]
    if unknown:
        raise EvalError(
            f"--baseline {', '.join(unknown)}: onbekende baseline. Kies uit: {', '.join(RECIPES)}."
        )
    return list(dict.fromkeys(names))


def indexed_documents(index: dict[str, Any]) -> list[SourceDocument]:
    """The documents of the evaluated index (``index_state``), loaded again from their files so
    the baseline reads the same text; a missing or changed file is an error, not a silent skip."""
    from ingest.errors import UnreadableDocumentError
    from ingest.load import load_document

    fix = "Bouw de index opnieuw (leerstad ingest --rebuild) of gebruik --extra-corpus."
    if "error" in index or not index.get("documents"):
        reason = index.get("error", "de index heeft geen documenten")
        raise EvalError(f"De baseline kan niet draaien: {reason}. {fix}")
    docs = []
    for doc_id, info in sorted(index["documents"].items()):
        try:
            doc = load_document(Path(info["path"]))
        except UnreadableDocumentError as e:
            raise EvalError(f"Baseline: document {doc_id!r} uit de index: {e}. {fix}") from e
        if info.get("doc_hash") and not doc.doc_hash.startswith(str(info["doc_hash"])):
            raise EvalError(
                f"Baseline: {info['path']} is gewijzigd sinds het indexeren, dus de baseline zou "
                f"andere tekst lezen dan Leerstad. {fix}"
            )
        docs.append(doc)
    return docs


def run_baselines(
    names: Sequence[str],
    examples: Sequence[Example],
    index: dict[str, Any],
    settings: Settings,
    progress: bool = True,
) -> dict[str, BaselineRun]:
    """Run each named baseline over the documents of ``index`` and the questions."""
    if not names:
        return {}
    docs = indexed_documents(index)
    return {name: _run_one(name, docs, examples, settings, progress) for name in names}


def _run_one(
    name: str,
    docs: Sequence[SourceDocument],
    examples: Sequence[Example],
    settings: Settings,
    progress: bool,
) -> BaselineRun:
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.store import open_client, reset_client_cache, vector_store

    model, build = RECIPES[name]
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    chunks = splitter.split_documents(
        [Document(d.text, metadata={"doc_id": d.doc_id, "title": d.title}) for d in docs]
    )
    with tempfile.TemporaryDirectory(
        prefix="leerstad-baseline-", ignore_cleanup_errors=True
    ) as tmp:
        scratch = settings.with_(data_dir=Path(tmp), chroma="persistent")
        try:
            started = time.perf_counter()
            store = vector_store(
                open_client(scratch), f"baseline-{name}", build(settings), create=True
            )
            for i in range(0, len(chunks), 256):  # below Chroma's maximum batch size
                store.add_documents(chunks[i : i + 256])
            seconds = time.perf_counter() - started
            cases = _search_all(store, examples, f"Baseline {name}", progress)
        finally:
            # The scratch client would otherwise point at the deleted directory.
            reset_client_cache()
    info = {
        "embedding_model": model,
        "chunk_size": CHUNK_SIZE,
        "chunk_overlap": CHUNK_OVERLAP,
        "k": TOP_K,
        "documents": len(docs),
        "chunks": len(chunks),
        "index_seconds": round(seconds, 1),
    }
    return BaselineRun(name, cases, info)


def _search_all(
    store: VectorStore, examples: Sequence[Example], label: str, progress: bool
) -> list[Case]:
    """Top-k chunks for every question, timed; the naive recipe searches the question alone,
    also for a follow-up (it keeps no conversation)."""
    from evals.run import progress_bar

    cases = []
    with progress_bar(progress) as bar:
        task = bar.add_task(label, total=len(examples))
        for example in examples:
            start = time.perf_counter()
            found = store.similarity_search(example.question, k=TOP_K)
            cases.append(_case(example, found, (time.perf_counter() - start) * 1000))
            bar.advance(task)
    return cases


def _case(example: Example, found: Sequence[Any], latency_ms: float) -> Case:
    sources = tuple(
        {
            "n": n,
            "doc_id": d.metadata.get("doc_id"),
            "title": d.metadata.get("title"),
            "text": d.page_content,
        }
        for n, d in enumerate(found, start=1)
    )
    return Case(example=example, answer="", abstained=False, sources=sources, latency_ms=latency_ms)


def baseline_file(out: Path, name: str) -> Path:
    return out / f"baseline-{name}.jsonl"


def write_baselines(out: Path, runs: dict[str, BaselineRun]) -> None:
    """One ``baseline-NAME.jsonl`` per baseline: per question its chunks, time and scores."""
    out.mkdir(parents=True, exist_ok=True)
    for name, run in runs.items():
        lines = []
        for case in run.cases:
            values = {m: METRICS[m].per_question(case) for m in COMPARED}
            row = {
                "id": case.example.id,
                "latency_ms": None if case.latency_ms is None else round(case.latency_ms, 1),
                "sources": list(case.sources),
                "metrics": {k: round(v, 4) for k, v in values.items() if v is not None},
            }
            lines.append(json.dumps(row, ensure_ascii=False) + "\n")
        baseline_file(out, name).write_text("".join(lines), encoding="utf-8")


def load_baselines(
    out: Path, cases: Sequence[Case], summary: dict[str, Any]
) -> dict[str, BaselineRun]:
    """The baselines of an earlier run (for ``leerstad eval report``), paired on question id."""
    examples = {c.example.id: c.example for c in cases}
    runs = {}
    for name, entry in (summary.get("baseline") or {}).get("baselines", {}).items():
        path = baseline_file(out, name)
        if not path.is_file():
            raise RunFileError(f"{path} ontbreekt, maar summary.json noemt baseline {name!r}.")
        found = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            try:
                row = json.loads(line)
                example = examples[row["id"]]
            except (ValueError, KeyError) as e:
                raise RunFileError(f"{path}, regel {number}: geen geldige regel ({e}).") from e
            found.append(
                Case(example, "", False, tuple(row.get("sources") or ()), row.get("latency_ms"))
            )
        runs[name] = BaselineRun(name, found, dict(entry.get("recipe") or {}))
    return runs
