"""Replay one appeal's imported history through the application's command methods.

Events already stored (the same type at the same business time) are skipped, so a re-run
records nothing and a continuation records only what is new. Any refusal stops the appeal:
the caller drops it, and none of its events is written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from ledger.commands import AddAppealNote
from ledger.domain import Appeal
from ledger.errors import LedgerError, ValidationError
from ledger.privacy import Citizen
from ledger.values import Actor
from migration.record import EventType, ImportedEvent, Refusal
from migration.staging import StagingLedger

Known = Counter[tuple[EventType, datetime]]
Command = Callable[[StagingLedger, UUID, ImportedEvent, Actor, dict[str, Any]], Any]
SourceKeys = Callable[[str, str], str | None]
"""(channel, source id) -> the source's key as the ledger records it, or None if unknown."""


def no_sources(channel: str, source_id: str) -> str | None:
    """A ledger without sources: every named source is unknown."""
    return None


class RefusedError(Exception):
    """The appeal's history breaks a rule at one of its lines."""

    def __init__(self, refusal: Refusal) -> None:
        self.refusal = refusal
        super().__init__(f"line {refusal.line}: {refusal.field} {refusal.reason}")


def replay(
    staging: StagingLedger,
    events: Sequence[ImportedEvent],
    stored: Appeal | None,
    known: Known,
    actor: Actor,
    time_reason: str | None = None,
    sources: SourceKeys = no_sources,
) -> int:
    """Apply the events not yet stored to the staged appeal; returns how many were new.

    ``stored`` is the appeal as stored (staged by the caller), ``known`` its events' types
    and business times. Raises ``RefusedError`` at the first line a rule refuses.
    """
    known = known.copy()
    new = 0

    def when(event: ImportedEvent) -> dict[str, Any]:
        found = _when(event, time_reason)
        named = _named_source(event)
        if named is not None:
            found["source"] = _source(event, named, sources)
        return found

    for event in events:
        if known:  # a continuation or a re-run: skip what is stored
            key = (event.type, event.at)
            if known.get(key, 0) > 0:
                known[key] -= 1
                continue
        appeal_id = event.appeal_id
        if event.type is EventType.RECEIVED and (stored is not None or new):
            _refuse(event, "type", "repeats the appeal's receipt at another time")
        if event.type is not EventType.RECEIVED and stored is None and not new:
            _refuse(event, "type", "names an appeal that was never received (no received line)")
        given = when(event)
        if event.type is not EventType.RECEIVED:
            given.pop("source", None)  # checked above; the receipt records it
        try:
            COMMANDS[event.type](staging, appeal_id, event, event.actor or actor, given)
        except LedgerError as error:
            field = error.field if isinstance(error, ValidationError) else "type"
            _refuse(event, field, str(error))
        new += 1
    return new


def _when(event: ImportedEvent, time_reason: str | None) -> dict[str, Any]:
    """The business time a command is given: the file's, stated as a migration's.

    Staff times are not backdatable (59-ФЗ, #19) unless a reason is stated; an import's
    reason is recorded with every event it writes.
    """
    return {"at": event.at, "time_reason": time_reason}


def named_sources(event: ImportedEvent) -> list[tuple[str, str]]:
    """The (channel, source id) pairs a line names, for looking their keys up beforehand."""
    channel = event.appeal.channel
    named = [(channel, event.source_id)] if event.source_id is not None else []
    given = event.fields.get("source") if event.type is EventType.RECEIVED else None
    if isinstance(given, str):
        prefix, _, platform_id = given.partition(":")
        if prefix == channel and platform_id:
            named.append((channel, platform_id))
    return named


def _named_source(event: ImportedEvent) -> str | None:
    """The source id a line names: ``source_id``, or a receipt's ``fields.source`` (as
    ``appeals export`` writes it, ``channel:source id``); both must agree."""
    given: str | None = event.fields.get("source") if event.type is EventType.RECEIVED else None
    if given is None:
        return event.source_id
    channel, _, platform_id = given.partition(":")
    if channel != event.appeal.channel or not platform_id:
        _refuse(event, "fields.source", f"must be {event.appeal.channel}:<source id>")
    if event.source_id is not None and event.source_id != platform_id:
        _refuse(event, "source_id", f"differs from fields.source ({given!r})")
    return platform_id


def _source(event: ImportedEvent, named: str, sources: SourceKeys) -> str:
    """The named source's key; a source the ledger does not know refuses the line."""
    key = sources(event.appeal.channel, named)
    if key is None:
        raise RefusedError(
            Refusal(
                event.line,
                str(event.appeal),
                "source_id",
                f"names no {event.appeal.channel} source {named!r}:"
                " add it first with `appeals sources add`",
            )
        )
    return key


def _refuse(event: ImportedEvent, field: str, reason: str) -> None:
    raise RefusedError(Refusal(event.line, str(event.appeal), field, reason))


def _receive(
    staging: StagingLedger, _: UUID, event: ImportedEvent, actor: Actor, when: dict[str, Any]
) -> Any:
    fields = event.fields
    person = fields.get("citizen")
    citizen = (
        Citizen(
            name=person.get("name"), contact=person.get("contact"), address=person.get("address")
        )
        if person
        else None
    )
    return staging.receive_appeal(
        channel=event.appeal.channel,
        external_id=event.appeal.external_id,
        text=fields["text"],
        body=fields["body"],
        citizen=citizen,
        citizen_ref=fields.get("citizen_id"),
        category=fields.get("category"),
        location=fields.get("location"),
        department=fields.get("department"),
        actor=actor,
        **when,
    )


def _erased(
    staging: StagingLedger, _: UUID, event: ImportedEvent, actor: Actor, when: dict[str, Any]
) -> Any:
    raise ValidationError(
        field="type",
        reason="personal_data_erased cannot be imported: erase the citizen's data in the ledger",
    )


def _terms(event: ImportedEvent) -> dict[str, Any]:
    """Special terms of a registration, passed only when the file names some."""
    terms = event.fields.get("special_terms")
    return {"special_terms": tuple(terms)} if terms else {}


def _duplicate_of(value: str | None) -> UUID | None:
    if value is None:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise ValidationError(field="duplicateOf", reason="must be an appeal id (UUID)") from None


COMMANDS: dict[EventType, Command] = {
    EventType.RECEIVED: _receive,
    EventType.REGISTERED: lambda s, i, e, a, w: s.register_appeal(
        i, number=e.fields["number"], actor=a, **_terms(e), **w
    ),
    EventType.CATEGORIZED: lambda s, i, e, a, w: s.categorize_appeal(
        i, category=e.fields["category"], actor=a, **w
    ),
    EventType.ASSIGNED: lambda s, i, e, a, w: s.assign_appeal(
        i, department=e.fields["department"], assignee=e.fields["assignee"], actor=a, **w
    ),
    EventType.FORWARDED: lambda s, i, e, a, w: s.forward_appeal(
        i, to_body=e.fields["to_body"], reason=e.fields["reason"], actor=a, **w
    ),
    EventType.DEADLINE_EXTENDED: lambda s, i, e, a, w: s.extend_appeal_deadline(
        i, days=e.fields["days"], reason=e.fields["reason"], actor=a, **w
    ),
    EventType.ANSWERED: lambda s, i, e, a, w: s.answer_appeal(
        i,
        text=e.fields["text"],
        final=e.fields.get("final") is not False,
        public=e.fields.get("public") is True,
        actor=a,
        **w,
    ),
    EventType.CLOSED: lambda s, i, e, a, w: s.close_appeal(
        i,
        outcome=e.fields["outcome"],
        duplicate_of=_duplicate_of(e.fields.get("duplicate_of")),
        actor=a,
        **w,
    ),
    EventType.REOPENED: lambda s, i, e, a, w: s.reopen_appeal(
        i, reason=e.fields["reason"], actor=a, **w
    ),
    EventType.RATED: lambda s, i, e, a, w: s.rate_appeal(i, score=e.fields["score"], actor=a, **w),
    EventType.PERSONAL_DATA_ERASED: _erased,
    EventType.LEFT_WITHOUT_ANSWER: lambda s, i, e, a, w: s.leave_appeal_without_answer(
        i,
        ground=e.fields["ground"],
        reason=e.fields["reason"],
        to_body=e.fields.get("to_body"),
        actor=a,
        **w,
    ),
    EventType.NOTICE_SENT: lambda s, i, e, a, w: s.send_appeal_notice(
        i, reference=e.fields["reference"], actor=a, **w
    ),
    EventType.NOTE_ADDED: lambda s, i, e, a, w: s.execute(
        AddAppealNote(appeal_id=i, text=e.fields["text"], actor=a, **w)
    ),
}
