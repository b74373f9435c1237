"""The answer to "which documents do you have?": each indexed document, with a link to it."""

from __future__ import annotations

from typing import Any

from assistant.citations import to_source
from assistant.messages import Messages
from assistant.records import Answer, Passage
from assistant.retrieval.hybrid import chunks_from


def collection_answer(
    documents: list[dict[str, Any]], store: Any, msg: Messages, language: str
) -> Answer:
    """Every document in ``documents`` (``Assistant.documents``) by title, each cited with its
    first passage, read from ``store`` (the LangChain Chroma store)."""
    if not documents:  # Chroma refuses a get without ids
        return Answer(
            text=msg.no_documents, abstained=True, backend="collection", language=language
        )
    first_chunks = store.get(
        ids=[f"{d['doc_id']}#0000" for d in documents], include=["documents", "metadatas"]
    )
    by_doc = {c.doc_id: c for c in chunks_from(first_chunks)}
    lines, sources = [msg.collection_intro.format(count=len(documents))], []
    for d in documents:
        chunk = by_doc.get(d["doc_id"])
        if chunk is None:
            continue
        source = to_source(Passage(chunk, 1.0), len(sources) + 1)
        sources.append(source)
        link = f" ({d['url']})" if d.get("url") else ""
        lines.append(f"- {d['title']}{link} [{source.n}]")
    return Answer(
        text="\n".join(lines),
        sources=tuple(sources),
        abstained=False,
        backend="collection",
        language=language,
    )
