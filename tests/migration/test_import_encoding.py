"""An import encodes the events it stores byte for byte as the live path does.

The import encodes a batch's events with ``RowEncoder`` rather than one
``Mapper.to_stored_event`` per event; the stored bytes are hashed into the audit log, so
they must be exactly those of the live path, and of the library's own ``JSONTranscoder``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from eventsourcing.persistence import JSONTranscoder, Mapper

from demo.generator import DemoOptions, generate
from ledger.application import AppealsLedger
from migration.encoding import RowEncoder


def _library_mapper(ledger: AppealsLedger) -> Mapper:  # type: ignore[type-arg]
    transcoder = JSONTranscoder()
    ledger.register_transcodings(transcoder)
    return Mapper(transcoder)


def test_an_imports_rows_are_the_live_paths_and_the_librarys_bytes() -> None:
    ledger = AppealsLedger({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    options = DemoOptions(
        appeals=400, seed=3, until=datetime(2026, 1, 1, tzinfo=UTC), surge=20, clusters=5
    )
    events = [event for appeal in generate(ledger, options) for event in appeal.collect_events()]
    library = _library_mapper(ledger)

    rows = RowEncoder(ledger.mapper).rows(events)

    live = [ledger.mapper.to_stored_event(event) for event in events]
    assert rows == [(s.originator_version, s.topic, s.state) for s in live]
    assert [state for _, _, state in rows] == [library.to_stored_event(e).state for e in events]
    assert len({topic for _, topic, _ in rows}) >= 10
