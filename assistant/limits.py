"""Request limits shared by the assistant, the web UI and the HTTP API (one place for each)."""

from __future__ import annotations

# A question, a comment, and each text of an earlier turn (question or answer) sent as history.
MAX_QUESTION_CHARS = 2000
MAX_TURN_CHARS = 2000
# Earlier turns a request may carry; older turns add nothing to a follow-up question.
MAX_HISTORY_TURNS = 50
MAX_SOURCE_IDS_PER_TURN = 50
# The JSON body of POST /api/ask: 50 turns of 2 x 2,000 characters fit with room to spare.
MAX_BODY_BYTES = 512 * 1024
# Nesting of the JSON body; the valid shape needs 4 levels ({history: [{source_ids: [...]}]}).
MAX_JSON_DEPTH = 8


def thousands(n: int) -> str:
    """A count written the Dutch way: 2000 -> '2.000'."""
    return f"{n:,}".replace(",", ".")
