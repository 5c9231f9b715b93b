"""An event's data as auditors and subscribers read it: sealed texts opened, or marked erased."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.application import AppealsLedger, HistoryEntry
from ledger.domain import Appeal

# Shown elsewhere (actor, times) or never shown: the sealed citizen and the name of a key.
HIDDEN = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "actor_id",
        "actor_role",
        "at",
        "time_reason",
        "citizen",
        "text_key",
    }
)
TEXT_EVENTS = (Appeal.Received, Appeal.Answered, Appeal.NoteAdded)


def event_data(ledger: AppealsLedger, entries: Sequence[HistoryEntry]) -> list[dict[str, Any]]:
    """Each entry's event attributes; ``text`` is in clear, or ``None`` with ``text_erased``.

    Blocking (one key lookup per distinct key): call it off the event loop.
    """
    texts = [e.event for e in entries if isinstance(e.event, TEXT_EVENTS)]
    opened = iter(ledger.open_texts([(event.text, event.text_key) for event in texts]))
    result = []
    for entry in entries:
        data = {k: v for k, v in vars(entry.event).items() if k not in HIDDEN}
        if isinstance(entry.event, TEXT_EVENTS):
            data["text"] = next(opened)
            data["text_erased"] = data["text"] is None
        result.append(data)
    return result
