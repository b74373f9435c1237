"""The Assistant: retrieves passages for a question and has a backend answer from them."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from assistant.answering.base import Backend, Request
from assistant.answering.collection import collection_answer
from assistant.answering.factory import build_backend
from assistant.answering.parts import join_answers, split_parts
from assistant.conversation.memory import (
    as_turns,
    context_of,
    moved_on,
    resolve_ordinal,
    standalone_question,
)
from assistant.errors import LeerstadError
from assistant.limits import MAX_QUESTION_CHARS
from assistant.messages import Messages, messages_for
from assistant.records import Answer, Passage, Turn
from assistant.retrieval.hybrid import HybridRetriever
from assistant.settings import Settings
from assistant.store import Index, IndexState, open_index
from assistant.text.concepts import concepts, found_in, is_compound_of_known
from assistant.text.language import detect_language
from assistant.text.vocabulary import load_vocabulary

log = logging.getLogger(__name__)


class Assistant:
    """Answers Dutch (and English) questions about the indexed documents, with sources."""

    def __init__(self, settings: Settings | None = None, backend: Backend | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.vocabulary = load_vocabulary()
        self.backend = backend or build_backend(self.settings)
        self._retriever: HybridRetriever | None = None
        self._opened: Index | None = None
        self._scope_documents: tuple[HybridRetriever, frozenset[str]] | None = None

    # -- the index ---------------------------------------------------------------------------

    def _index(self) -> tuple[HybridRetriever, IndexState]:
        """The retriever for the current index, reopened when another writer changed it."""
        index = self._opened.fresh() if self._opened is not None else open_index(self.settings)
        if index is not self._opened or self._retriever is None:
            self._retriever = HybridRetriever(
                store=index.vectors,
                collection=index.collection,
                keyword=index.keyword(),
                vocabulary=self.vocabulary,
                settings=self.settings,
            )
            self._opened = index
        return self._retriever, index.state

    @property
    def retriever(self) -> HybridRetriever:
        return self._index()[0]

    def documents(self) -> list[dict[str, Any]]:
        """The indexed documents: doc_id, title, url, chunks, ingested_at, source."""
        _, state = self._index()
        return [
            {"doc_id": doc_id, **{k: v for k, v in info.items() if k != "path"}}
            for doc_id, info in sorted(state.documents.items(), key=lambda kv: kv[1]["title"])
        ]

    # -- answering ---------------------------------------------------------------------------

    def answer(self, question: str, history: Sequence[Turn | str] | None = None) -> Answer:
        """The final answer to ``question`` after the earlier turns in ``history``."""
        *_, final = self.stream(question, history)
        return final

    def stream(
        self, question: str, history: Sequence[Turn | str] | None = None
    ) -> Iterator[Answer]:
        """Partial answers with growing text; the last one is final and carries the sources."""
        started = time.perf_counter()
        question = " ".join(str(question or "").split())[:MAX_QUESTION_CHARS]
        language = detect_language(question)
        msg = messages_for(language)
        # Instructions inside a question are not cut out (that damaged ordinary questions): the
        # extractive answer only quotes sources, so it needs no notice either; an LLM's answer
        # is checked against the sources, and the notice says the instruction was not followed.
        injected = not self.backend.quotes_only and self.vocabulary.has_injection(question)
        notices = (msg.injection_notice,) if injected else ()
        if not re.search(r"\w", question):
            yield Answer(
                text=msg.empty_question,
                abstained=True,
                language=language,
                notices=notices,
                backend=self.backend.name,
            )
            return
        small_talk = self.vocabulary.small_talk(question)
        if small_talk is not None:  # "Hallo!", "Dank je wel!": a reply, not quotes
            replies = {"greeting": msg.greeting, "thanks": msg.thanks, "ack": msg.ack}
            yield Answer(
                text=replies[small_talk].format(topics=self.settings.topics or "mijn bronnen"),
                abstained=True,
                language=language,
                notices=notices,
                backend=self.backend.name,
            )
            return
        if self.vocabulary.is_collection_question(question):
            retriever, _ = self._index()
            listed = collection_answer(self.documents(), retriever.store, msg, language)
            yield replace(listed, timings_ms={"total_ms": (time.perf_counter() - started) * 1000})
            return
        turns = as_turns(history)
        parts, background = [question], ""
        if self.backend.splits_questions:
            parts, background = split_parts(question)
        # The parts of one message are about what the whole message is about.
        about = self._about(question) if len(parts) > 1 or background else frozenset()
        if len(parts) > 1:
            final = self._answer_parts(parts, turns, language, background, about)
            timings = {"total_ms": (time.perf_counter() - started) * 1000}
            yield replace(final, timings_ms=timings, notices=(*notices, *final.notices))
            return
        request, timings = self.prepare(parts[0], turns, language, background, about)
        t = time.perf_counter()
        final: Answer | None = None
        for partial in self.backend.stream(request):
            final = partial
            yield partial
        assert final is not None
        timings["generate_ms"] = (time.perf_counter() - t) * 1000
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        text = final.text
        if final.abstained:
            _, state = self._index()
            pointer = self._pointer(request.standalone, list(request.passages), state, msg)
            text = " ".join([text, *pointer])
        yield replace(final, text=text, timings_ms=timings, notices=(*notices, *final.notices))

    def prepare(
        self,
        question: str,
        turns: tuple[Turn, ...],
        language: str,
        background: str = "",
        topic: frozenset[str] = frozenset(),
    ) -> tuple[Request, dict[str, float]]:
        """The request a backend answers: the question resolved against the conversation (and
        the message's other sentences, ``background``), and the passages retrieved for it;
        with the time each step took, in ms. ``topic``: documents the message is about."""
        retriever, _ = self._index()
        timings: dict[str, float] = {}
        t = time.perf_counter()
        question = resolve_ordinal(question, turns)  # "die tweede": the second thing listed
        if turns and self._starts_anew(question, turns, retriever):
            turns = ()  # "Wat is een IKC?" after questions about the learning cities
        unknown = not turns and not background and self._names_only_unknown(question, retriever)
        if unknown and language == "nl":
            # Nothing it names is in the index ("asdfgh", "Vertel me een mop"): no passage can
            # answer it, and the topics as its context would make it look like a question
            # about them. Nothing is searched, so every backend refuses.
            return Request(question, question, (), (), language, topic=topic), timings
        # A question in another language than the index's has words it lacks by nature ("What
        # are the requirements?"): it is searched, only not as a question about the topics.
        opening = () if turns or unknown else self._opening(question, background)
        standalone, rewritten = self._standalone(question, turns or opening)
        timings["rewrite_ms"] = (time.perf_counter() - t) * 1000
        if standalone != question:  # a follow-up: about what the conversation is about
            scope = bool(opening) and not background
            about = self._scope(retriever) if scope else self._topic(turns or opening, retriever)
            if turns and not rewritten:
                # ... unless it names another document's subject ("en de kindcentra?").
                standalone, about = self._moved_on(question, turns, about) or (standalone, about)
            topic |= about
        elif turns:  # a question of its own in a conversation is most likely about it too
            topic |= self._topic(turns, retriever)
        if standalone != question and not rewritten:  # within the conversation's documents
            passages, search_timings = retriever.search_joined(standalone, question, topic, topic)
        elif background and standalone == question:  # "Ik zit in een stichting. Mogen wij ...?"
            joined = f"{background} {question}"
            passages, search_timings = retriever.search_joined(joined, question, topic)
        elif not turns and standalone == question and self.settings.topics:
            # Nothing before it, and nothing else in the message: the assistant's own documents
            # rank a little higher (in the search only; the answer's confidence is unchanged).
            passages, search_timings = retriever.search(question, topic | self._scope(retriever))
        else:
            passages, search_timings = retriever.search(standalone, topic)
        asked = self.vocabulary.answer_type(question)
        if asked is not None and asked.pointer:
            passages = retriever.with_pointers(passages, asked.pattern)
        timings.update(search_timings)
        request = Request(
            question=question,
            standalone=standalone,
            history=turns,
            passages=tuple(passages),
            language=language,
            doc_freq=retriever.keyword.doc_freq,
            corpus_size=retriever.keyword.size,
            topic=topic,
            context=" ".join(
                dict.fromkeys(filter(None, [background, context_of(question, standalone)]))
            ),
        )
        return request, timings

    def _answer_parts(
        self,
        parts: list[str],
        turns: tuple[Turn, ...],
        language: str,
        background: str,
        about: frozenset[str],
    ) -> Answer:
        """One answer per part of a message; a part that refers back ("en wat kost dat?") is
        read after the parts before it, as in a conversation, and all with the message's other
        sentences (``background``). When the part before it was not answered, neither is a part
        that refers back to it ("Is er een jaarlijkse conferentie? En waar wordt die gehouden?"):
        what "die" stands for is not in the sources."""
        answers: list[Answer] = []
        earlier = [*turns, *([Turn(background)] if background else [])]
        for part in parts:
            if answers and answers[-1].abstained and self.vocabulary.refers_back(part):
                final = answers[-1]
            else:
                request, _ = self.prepare(part, tuple(earlier), language, background, about)
                *_, final = self.backend.stream(request)
            answers.append(final)
            earlier.append(Turn(part, final.text, tuple(s.chunk_id for s in final.sources)))
        return join_answers(parts, answers, language)

    def _about(self, message: str) -> frozenset[str]:
        """The document a whole message retrieves first: what its parts are about."""
        retriever, _ = self._index()
        passages, _ = retriever.search(message)
        return frozenset(p.chunk.doc_id for p in passages[:1])

    def _opening(self, question: str, background: str) -> tuple[Turn, ...]:
        """What a first question that refers to something it does not name follows on from:
        the message's other sentences ("Er schijnt een handleiding te zijn. Van wie komt
        die?"), or, when it has none and names at most one thing ("Wie is de contactpersoon?",
        "Hoeveel kost het?"), the assistant's topics, which its welcome names
        (``Settings.topics``)."""
        if background:
            return (Turn(background),) if self.vocabulary.is_followup(question) else ()
        if self.settings.topics and self.vocabulary.names_little(question):
            return (Turn(self.settings.topics),)
        return ()

    def _names_only_unknown(self, question: str, retriever: HybridRetriever) -> bool:
        """Whether a question names something and the index has a word for none of it (nor a
        synonym, a close spelling or the parts of a compound): "asdfgh", the "mop" of "Vertel
        me een mop"."""
        doc_freq = retriever.keyword.doc_freq
        found = concepts(question, self.vocabulary, doc_freq, retriever.keyword.size)
        own = [g.word for g, _, is_own in found.groups if is_own]
        return bool(own) and not any(
            found.known(word, doc_freq) or is_compound_of_known(word, doc_freq) for word in own
        )

    def _scope(self, retriever: HybridRetriever) -> frozenset[str]:
        """The documents the assistant's topics retrieve: what a conversation is about before
        its first question names anything. Once per index revision."""
        if self._scope_documents is None or self._scope_documents[0] is not retriever:
            passages, _ = retriever.search(self.settings.topics)
            self._scope_documents = (retriever, frozenset(p.chunk.doc_id for p in passages))
        return self._scope_documents[1]

    def _standalone(self, question: str, turns: tuple[Turn, ...]) -> tuple[str, bool]:
        """The question to search, and whether the backend (a language model) rewrote it."""
        if not turns:
            return question, False
        rewritten = self.backend.standalone_question(question, turns)
        if rewritten:
            return rewritten, True
        return standalone_question(question, turns, self.vocabulary), False

    def _moved_on(
        self, question: str, turns: tuple[Turn, ...], about: frozenset[str]
    ) -> tuple[str, frozenset[str]] | None:
        """See moved_on: the documents the follow-up itself retrieves first, and their titles."""
        if not self.vocabulary.is_elliptical(question):
            return None  # no search for a follow-up that asks its own question
        retriever, state = self._index()
        passages, _ = retriever.search(question)
        titles = {
            p.chunk.doc_id: p.chunk.title for p in passages[:3] if p.chunk.doc_id not in about
        }
        old = [str(state.documents.get(d, {}).get("title", d)) for d in about]
        return moved_on(question, turns[-1].question, titles, old, self.vocabulary)

    def _starts_anew(
        self, question: str, turns: tuple[Turn, ...], retriever: HybridRetriever
    ) -> bool:
        """Whether a question that would be read as a follow-up only because it names little
        names the subject of other documents than the conversation's (most of their title):
        "Wat is een IKC?" after questions about the learning cities asks what a first question
        would. Not when it refers back itself ("Kost dat iets?")."""
        if not self.vocabulary.is_followup(question) or self.vocabulary.refers_back(question):
            return False
        _, state = self._index()
        groups = self.vocabulary.term_groups(question)

        def is_subject(title: str) -> bool:
            # Most of the title ("Integrale Kindcentra", "UNESCO Learning Cities"), not one of
            # its words ("betaalbare" in "Actieplan betaalbare koop").
            parts = self.vocabulary.content_tokens(title)
            named = [p for p in parts if found_in(p, groups)]
            return bool(parts) and 2 * len(named) >= len(parts)

        subjects = {
            d for d, info in state.documents.items() if is_subject(str(info.get("title", "")))
        }
        # The conversation's documents (a search, when the turns carry no sources) only when
        # the question names a subject at all.
        return bool(subjects) and bool(subjects - self._topic(turns, retriever))

    @staticmethod
    def _topic(turns: tuple[Turn, ...], retriever: HybridRetriever) -> frozenset[str]:
        """The document the previous turn was answered from (or, when only its question is
        known, the one its question retrieves first)."""
        previous = turns[-1]
        if previous.source_ids:
            return frozenset(chunk_id.split("#")[0] for chunk_id in previous.source_ids)
        passages, _ = retriever.search(previous.question)
        return frozenset(p.chunk.doc_id for p in passages[:1])

    def _pointer(
        self, question: str, passages: list[Passage], state: IndexState, msg: Messages
    ) -> list[str]:
        """Where to ask instead, when the best-matching document is about what the question
        names (its title has one of the question's concepts) and names a contact or a page."""
        if not passages:
            return []
        top = passages[0].chunk
        info = state.documents.get(top.doc_id, {})
        if not (passages[0].keyword_score and passages[0].dense_score):
            return []  # only when both searches agree the document is about the question
        about = f"{info.get('title') or top.title} {info.get('contact') or ''}"
        if not found_in(about, self.vocabulary.term_groups(question)):
            return []  # "Waarom vindt UNESCO ...?" is not about a text on school buildings
        if info.get("contact"):
            return [msg.ask_contact.format(contact=info["contact"])]
        if info.get("url"):
            return [msg.more_info.format(title=info["title"], url=info["url"])]
        return []

    def status(self) -> dict[str, Any]:
        """What the UI shows about the setup: backend, model, store, documents."""
        info: dict[str, Any] = {
            "backend": self.backend.name,
            "llm": self.settings.llm,
            "embedding_model": self.settings.embedding_model,
            "chroma": self.settings.chroma,
        }
        try:
            _, state = self._index()
            info["documents"] = len(state.documents)
            info["revision"] = state.revision
        except LeerstadError as e:
            info["error"] = str(e)
        return info
