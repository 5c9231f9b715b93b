"""A JSON Lines file as groups of one appeal each, by an external sort (bounded memory).

The first pass checks each line's shape and spills ``(appeal, receipt first, business
time, line number, raw line)`` records in sorted chunks; the merge then yields each
appeal's lines together: its receipt, then the rest in business-time order (ties keep the
file's order). An event dated before the receipt is then refused by the ledger's own
time-order rule. A line whose appeal can be told but which is malformed travels with its appeal, so
the whole appeal is refused with it. Records carry the parsed event as plain values
(marshal writes and reads them fast), so no line is parsed twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any
from uuid import UUID

from ledger.values import Actor, Role
from migration.importer import Group
from migration.jsonl import Fault, parse_line
from migration.record import AppealKey, EventType, ImportedEvent, Refusal
from migration.sorting import ExternalSort

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
_KINDS = {kind.value: kind for kind in EventType}
_ACTORS: dict[tuple[str, str], Actor] = {}
# A line longer than this is refused unread: no event of ours comes near it.
MAX_LINE = 1 << 20


def jsonl_groups(
    lines: Iterable[bytes],
    *,
    refuse_line: Callable[[Refusal], None],
    counted: Callable[[int], None] = lambda n: None,
    folder: Path | None = None,
) -> Iterator[Group]:
    """Group a JSON Lines stream by appeal; lines refused alone go to ``refuse_line``."""
    sort = ExternalSort(folder)
    number = 0
    for number, raw in enumerate(lines, 1):
        if number % 10_000 == 0:
            counted(number)
        if len(raw) > MAX_LINE:
            refuse_line(Refusal(number, "", "", f"is longer than {MAX_LINE:,} bytes"))
            continue
        if not raw.strip():
            continue
        parsed = parse_line(raw, number)
        if isinstance(parsed, Fault):
            _fault(sort, parsed, refuse_line)
            continue
        rank = 0 if parsed.type is EventType.RECEIVED else 1
        at = (parsed.at - EPOCH) // MICROSECOND
        actor = parsed.actor
        payload = (
            parsed.appeal.channel,
            parsed.appeal.external_id,
            parsed.type.value,
            parsed.fields,
            None if actor is None else actor.id,
            None if actor is None else actor.role.value,
            parsed.source_id,
        )
        sort.add((parsed.appeal_id.bytes, rank, at, number, payload))
    counted(number)
    try:
        for key, records in groupby(sort.sorted(), key=itemgetter(0)):
            group = Group(UUID(bytes=key))
            appeal: AppealKey | None = None  # one per group: its lines name the same appeal
            for _, rank, at, number, payload in records:
                if rank < 0:
                    field, reason, name = payload
                    group.faults.append(Refusal(number, name, field, reason))
                else:
                    appeal = appeal or AppealKey(payload[0], payload[1])
                    group.events.append(_event(group.appeal_id, appeal, at, number, payload))
            yield group
    finally:
        sort.close()


def _event(
    appeal_id: UUID, appeal: AppealKey, at: int, number: int, payload: tuple[Any, ...]
) -> ImportedEvent:
    """The event as the first pass checked it (business time in UTC, as stored)."""
    _, _, kind, fields, actor_id, actor_role, source_id = payload
    return ImportedEvent(
        line=number,
        appeal=appeal,
        appeal_id=appeal_id,
        type=_KINDS[kind],
        at=EPOCH + timedelta(microseconds=at),
        fields=fields,
        actor=None if actor_id is None else _actor(actor_id, actor_role),
        source_id=source_id,
    )


def _actor(actor_id: str, role: str) -> Actor:
    """Actors repeat (a few thousand staff): each is built and checked once."""
    key = (actor_id, role)
    found = _ACTORS.get(key)
    if found is None:
        if len(_ACTORS) >= 10_000:
            _ACTORS.clear()
        found = _ACTORS[key] = Actor(actor_id, Role(role))
    return found


def _fault(sort: ExternalSort, fault: Fault, refuse_line: Callable[[Refusal], None]) -> None:
    refusal = fault.refusal
    if fault.appeal_id is None:
        refuse_line(refusal)
        return
    payload = (refusal.field, refusal.reason, refusal.appeal)
    sort.add((fault.appeal_id.bytes, -1, -1, refusal.line, payload))
