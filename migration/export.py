"""Stored events as lines of the import format, with their log positions.

Personal data (the citizen's name, contact and address, the pseudonymous citizen id, and
the free texts, which citizens fill with addresses and phone numbers) is written only when
asked for; without it, a receipt and an answer carry no ``text`` and such a file is for
analysis, not for import. Texts of an erased citizen cannot be opened and are left out too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import orjson

from ledger.domain import Appeal
from ledger.privacy import CitizenVault
from migration.keys import PrefetchedKeys
from migration.record import TYPES, AppealKey

PAGE = 5_000
# Attributes every event has, written at the top of a line or not at all; personal data is
# written only with an opener; ``new_due_at`` is derived by the ledger from ``days``.
NOT_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        "actor_id",
        "actor_role",
        "at",
        "time_reason",
        "channel",
        "external_id",
        "text",
        "text_key",
        "citizen",
        "citizen_id",
        "new_due_at",
    }
)


class ExportSource(Protocol):
    """What an export reads from a store."""

    def page(self, after: int, limit: int) -> Sequence[tuple[int, Appeal.Event]]:
        """Events after a log position, in log order, with their positions."""

    def identities(self, ids: Sequence[UUID]) -> dict[UUID, AppealKey]:
        """The source identity of each appeal."""

    def keys(self, citizen_ids: Sequence[str]) -> dict[str, bytes]:
        """The stored keys of those citizens that have one."""


@dataclass(frozen=True, slots=True)
class Exported:
    """One event as a line, with its position."""

    position: int
    line: bytes


def export_lines(
    source: ExportSource, *, since: int = 0, pii: bool = False, page: int = PAGE
) -> Iterator[Exported]:
    """Every event after ``since`` as a JSON line, page by page (bounded memory)."""
    after = since
    while True:
        events = source.page(after, page)
        if not events:
            return
        identities = source.identities(sorted({e.originator_id for _, e in events}))
        keys = PrefetchedKeys()
        if pii:
            keys.reset(source.keys(sorted(_key_ids(e for _, e in events))))
        opener = Opener(CitizenVault(keys)) if pii else None
        for position, event in events:
            data = event_line(position, event, identities[event.originator_id], opener)
            yield Exported(position, orjson.dumps(data))
        after = events[-1][0]


class Opener:
    """Opens sealed texts and citizens with keys fetched for the page."""

    def __init__(self, vault: CitizenVault) -> None:
        self.vault = vault

    def text(self, text: str, key: str | None) -> str | None:
        """The text in clear, or None once erased."""
        return text if key is None else self.vault.open_texts(key, [text])[0]

    def citizen(self, citizen_id: str | None, sealed: str | None) -> dict[str, Any] | None:
        """The citizen's fields in clear, or None (anonymous or erased)."""
        if citizen_id is None or sealed is None:
            return None
        citizen = self.vault.open(citizen_id, sealed)
        if citizen is None:
            return None
        return {"name": citizen.name, "contact": citizen.contact, "address": citizen.address}


def event_line(
    position: int | None,
    event: Appeal.Event,
    appeal: AppealKey,
    opener: Opener | None,
) -> dict[str, Any]:
    """One event in the line format; personal data only with an ``opener``."""
    kind = type(event)
    # Every attribute of the event, so types and fields added to the ledger are exported
    # too (absent values, None or empty, are left out, as the import reads them).
    fields: dict[str, Any] = {
        name: _plain(value)
        for name, value in vars(event).items()
        if name not in NOT_FIELDS and value is not None and value != []
    }
    if opener is not None:
        if isinstance(event, Appeal.Received | Appeal.Answered | Appeal.NoteAdded):
            text = opener.text(event.text, event.text_key)
            if text is not None:
                fields["text"] = text
        if isinstance(event, Appeal.Received):
            fields["citizen"] = opener.citizen(event.citizen_id, event.citizen)
            fields["citizen_id"] = event.citizen_id
    line: dict[str, Any] = {
        "channel": appeal.channel,
        "external_id": appeal.external_id,
        "type": TYPES[kind].value if kind in TYPES else _snake(kind.__name__),
        "at": event.at.isoformat(),
        "actor": {"id": event.actor_id, "role": event.actor_role},
        "fields": fields,
    }
    if position is not None:
        line["position"] = position
    line["appeal_id"] = str(event.originator_id)
    line["version"] = event.originator_version
    return line


def _plain(value: Any) -> Any:
    """A value as JSON writes it: ids and times as strings."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _key_ids(events: Iterable[Appeal.Event]) -> set[str]:
    ids: set[str] = set()
    for event in events:
        key = getattr(event, "text_key", None) or getattr(event, "citizen_id", None)
        if key:
            ids.add(key)
    return ids
