"""The sentences the assistant itself says (not quoted from sources), in Dutch and English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Messages:
    yes: str
    no: str
    abstain: str
    ask_contact: str  # {contact}
    more_info: str  # {title} {url}
    collection_intro: str  # {count}
    no_documents: str  # the index lists no documents
    empty_question: str
    injection_notice: str
    quoting: str  # before quotes in another language than the question's
    part_unanswered: str  # {part}: one question of several that the sources do not answer
    greeting: str  # {topics}: the reply to a message that only greets
    thanks: str  # the reply to thanks
    ack: str  # {topics}: the reply to "ok", "duidelijk"


DUTCH = Messages(
    yes="Ja.",
    no="Nee.",
    abstain="Dat staat niet in mijn bronnen, dus daar kan ik geen betrouwbaar antwoord op geven.",
    ask_contact="U kunt uw vraag stellen aan {contact}.",
    more_info="Meer informatie over {title}: {url}",
    collection_intro="Ik beantwoord vragen met {count} documenten:",
    no_documents="De index bevat nog geen documenten. Voeg ze toe met: leerstad ingest",
    empty_question="Stel een vraag, bijvoorbeeld: Hoe kan onze gemeente lid worden van het "
    "netwerk van lerende steden?",
    injection_notice="Uw vraag bevatte een opdracht aan de assistent; die is genegeerd. "
    "Ik antwoord alleen met wat in de bronnen staat.",
    quoting="De bronnen zeggen:",
    part_unanswered="Over „{part}” staat niets in mijn bronnen.",
    greeting="Hallo! Ik beantwoord vragen over {topics}, met de bronnen erbij. Bijvoorbeeld: "
    "Hoe kan onze gemeente lid worden van het netwerk van lerende steden?",
    thanks="Graag gedaan! Stel gerust nog een vraag.",
    ack="Stel gerust nog een vraag over {topics}.",
)

ENGLISH = Messages(
    yes="Yes.",
    no="No.",
    abstain="My sources do not say, so I cannot give a reliable answer to that.",
    ask_contact="You can ask {contact}.",
    more_info="More information about {title}: {url}",
    collection_intro="I answer questions from {count} documents (in Dutch):",
    no_documents="The index holds no documents yet. Add them with: leerstad ingest",
    empty_question="Ask a question, for example: How can our city join the network of "
    "learning cities?",
    injection_notice="Your question contained an instruction to the assistant; it was ignored. "
    "I only answer with what the sources say.",
    quoting="The sources are in Dutch; this is what they say:",
    part_unanswered="My sources say nothing about “{part}”.",
    # The topics (LEERSTAD_TOPICS) are in the operator's language, Dutch: not named here.
    greeting="Hello! I answer questions from my sources (in Dutch), with the sources given. "
    "For example: How can our city join the network of learning cities?",
    thanks="You're welcome! Feel free to ask another question.",
    ack="Feel free to ask another question.",
)

MESSAGES = {"nl": DUTCH, "en": ENGLISH}


def messages_for(language: str) -> Messages:
    return MESSAGES.get(language, DUTCH)
