"""One line of the JSON Lines format, read into an ``ImportedEvent`` or refused with a reason.

A line is refused on its own (truncated, not JSON, a NUL byte, a wrong JSON type, an
unknown event type or channel, an unknown field). When its appeal can still be told, the
refusal also names the appeal, and the whole appeal is refused with it: nothing of a
history with a bad line in it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from ledger.domain import appeal_id_for
from ledger.errors import ValidationError
from ledger.values import Actor, Channel, Role, clean_name
from migration.record import AppealKey, EventType, ImportedEvent, Refusal
from migration.shape import ShapeError, check_fields, check_object

TOP: dict[str, tuple[type, bool]] = {
    "channel": (str, True),
    "external_id": (str, True),
    "source_id": (str, False),
    "type": (str, True),
    "at": (str, True),
    "actor": (dict, False),
    "fields": (dict, True),
    # Written by ``appeals export``; informative on import (``appeal_id`` is checked).
    "position": (int, False),
    "appeal_id": (str, False),
    "version": (int, False),
}
ACTOR: dict[str, tuple[type, bool]] = {"id": (str, True), "role": (str, False)}
_RECENT: dict[AppealKey, tuple[UUID, str]] = {}
_KINDS = {kind.value: kind for kind in EventType}
# Actors repeat (a few thousand staff); each is checked and built once.
_ACTORS: dict[tuple[object, object], Actor] = {}
_CHANNEL = re.compile(rb'"channel"\s*:\s*"([^"\\]{1,50})"')
_EXTERNAL = re.compile(rb'"external_id"\s*:\s*"([^"\\]{1,200})"')


@dataclass(frozen=True, slots=True)
class Fault:
    """A refused line and, when it could be told, the appeal it belongs to."""

    refusal: Refusal
    appeal_id: UUID | None


def parse_line(raw: bytes, line: int) -> ImportedEvent | Fault:
    """Read one line; every problem becomes a ``Fault`` naming the field, never an exception."""
    if b"\x00" in raw:
        return _fault(raw, line, "", "contains a NUL byte")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        return _fault(raw, line, "", f"is not valid JSON ({_first(error)}): truncated?")
    try:
        top = check_object(data, TOP, "line", "a field of an event line")
    except ShapeError as error:
        return _fault(raw, line, error.field.removeprefix("line."), error.reason)
    if top["channel"] not in Channel._value2member_map_:
        allowed = "|".join(Channel)
        return _fault(raw, line, "channel", f"is unknown: {top['channel']!r} (one of {allowed})")
    try:
        # The application derives the id from the cleaned name, so the file's must match it.
        external = clean_name(top["external_id"], "external_id")
    except ValidationError as error:
        return _fault(raw, line, error.field, error.reason)
    appeal = AppealKey(top["channel"], external)
    appeal_id, appeal_text = _appeal_id(appeal)
    try:
        event = _event(top, appeal, appeal_id, appeal_text, line)
    except ShapeError as error:
        return Fault(Refusal(line, str(appeal), error.field, error.reason), appeal_id)
    return event


def _event(
    top: dict[str, Any], appeal: AppealKey, appeal_id: UUID, appeal_text: str, line: int
) -> ImportedEvent:
    kind = _KINDS.get(top["type"])
    if kind is None:
        raise ShapeError("type", f"is unknown: {top['type']!r} (one of {'|'.join(EventType)})")
    stated = top.get("appeal_id")
    if stated is not None and stated != appeal_text:
        raise ShapeError("appeal_id", f"is not the id of {appeal} ({appeal_id})")
    return ImportedEvent(
        line,
        appeal,
        appeal_id,
        kind,
        parse_time(top["at"], "at"),
        check_fields(kind, top["fields"]),
        _actor(top.get("actor")),
        top.get("source_id"),
    )


def parse_time(value: str, field: str) -> datetime:
    """An ISO 8601 date and time with an offset (``Z`` allowed)."""
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise ShapeError(field, f"is not an ISO 8601 date and time: {value[:40]!r}") from None
    if at.tzinfo is None:
        raise ShapeError(field, "must carry a timezone offset")
    return at


def _actor(value: dict[str, Any] | None) -> Actor | None:
    if value is None:
        return None
    if type(value) is dict and len(value) == 2:
        known = _ACTORS.get((value.get("id"), value.get("role")))
        if known is not None:
            return known
    actor = check_object(value, ACTOR, "actor", "a field of an actor")
    role = actor.get("role") or Role.SYSTEM.value
    if role not in Role._value2member_map_:
        raise ShapeError("actor.role", f"is unknown: {role!r} (one of {'|'.join(Role)})")
    try:
        made = Actor(actor["id"], Role(role))
    except ValidationError as error:
        raise ShapeError(error.field, error.reason) from None
    if len(_ACTORS) >= 10_000:
        _ACTORS.clear()
    _ACTORS[(actor["id"], actor.get("role"))] = made
    return made


def _appeal_id(appeal: AppealKey) -> tuple[UUID, str]:
    """The appeal's id, and as text; lines of one appeal are usually near each other, so
    remember a few."""
    found = _RECENT.get(appeal)
    if found is None:
        if len(_RECENT) >= 4096:
            _RECENT.clear()
        appeal_id = appeal_id_for(appeal.channel, appeal.external_id)
        found = _RECENT[appeal] = (appeal_id, str(appeal_id))
    return found


def _fault(raw: bytes, line: int, field: str, reason: str) -> Fault:
    """A refused line; its appeal is told from the raw bytes when they name one."""
    channel, external = _CHANNEL.search(raw), _EXTERNAL.search(raw)
    if channel is None or external is None:
        return Fault(Refusal(line, "", field, reason), None)
    name_channel = channel.group(1).decode(errors="replace")
    name_external = external.group(1).decode(errors="replace")
    known = name_channel in Channel._value2member_map_
    appeal_id = appeal_id_for(name_channel, name_external) if known else None
    return Fault(Refusal(line, f"{name_channel}:{name_external}", field, reason), appeal_id)


def _first(error: orjson.JSONDecodeError) -> str:
    return str(error).split(":", 1)[0]
