"""The read side's fast paths give exactly what the library and the ledger give."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from eventsourcing.persistence import StoredEvent
from hypothesis import given, settings
from hypothesis import strategies as st

from api.bootstrap import build, read_side
from api.commands.demo import load_demo
from api.settings import Settings
from ledger.calendar import ProductionCalendar
from ledger.deadlines import Norms, first_response_due, first_response_due_at
from projections.decoding import EventDecoder
from projections.state import DECODED

UNTIL = datetime(2025, 6, 1, tzinfo=UTC)


def test_decoded_attributes_equal_the_library_mappers_events(store_url: str) -> None:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": store_url}))
    load_demo(container, 150, seed=11, until=UNTIL, quiet=True)
    side = read_side(container)
    mapper = container.ledger.mapper
    rows = side.db.events_after(0, 100_000)

    library = [
        mapper.to_domain_event(
            StoredEvent(
                originator_id=r.originator_id,
                originator_version=r.originator_version,
                topic=r.topic,
                state=r.state,
            )
        )
        for r in rows
    ]
    every = {type(e): tuple(vars(e)) for e in library}
    decoder = EventDecoder(mapper)

    fast = [decoder.fields(row, every) for row in rows]
    partial = [decoder.fields(row, DECODED) for row in rows]

    assert len({r.topic for r in rows}) >= 8
    expected = [(type(e), _stored_attributes(e)) for e in library]
    assert fast == expected
    assert [(kind, {k: data[k] for k in DECODED.get(kind, ())}) for kind, data in partial] == [
        (kind, {k: data[k] for k in DECODED.get(kind, ())}) for kind, data in expected
    ]
    container.close()


def _stored_attributes(event: object) -> dict[str, object]:
    # The row carries the originator's id and version; the decoder does not repeat them.
    values = dict(vars(event))
    del values["originator_id"], values["originator_version"]
    return values


@settings(max_examples=500, deadline=None)
@given(
    channel=st.sampled_from(["vk", "ok", "telegram", "chatbot", "web", "letter"]),
    received_at=st.datetimes(
        min_value=datetime(2023, 12, 1), max_value=datetime(2027, 2, 1), timezones=st.just(UTC)
    ),
    minutes=st.sampled_from([0, 1, 59, 60, 61]),
    lunch=st.booleans(),
)
def test_the_folds_first_response_due_is_the_ledgers_rule_on_cached_windows(
    channel: str, received_at: datetime, minutes: int, lunch: bool
) -> None:
    norms = Norms()
    breaks = ((time(13), time(14)),) if lunch else ()
    warm, cold = ProductionCalendar(breaks=breaks), ProductionCalendar(breaks=breaks)
    # Near whole hours, where working windows open and close, as well as anywhere.
    instants = [received_at, received_at.replace(minute=0, second=0, microsecond=0)]
    instants.append(instants[1] + timedelta(minutes=minutes, microseconds=-1))

    fast = [first_response_due_at(channel, at, norms, warm) for at in instants]
    ledger = [first_response_due(channel, at, norms, cold) for at in instants]

    assert fast == [due.due_at if due else None for due in ledger]
    hours = norms.first_response_hours_for(channel)
    for at, due_at in zip(instants, fast, strict=True):
        if hours is not None and due_at is not None:
            # Exactly the norm's working hours elapse, breaks and days off not counted.
            assert abs(cold.working_hours_between(at, due_at) - hours) < 1e-9
