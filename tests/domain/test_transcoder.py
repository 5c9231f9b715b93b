"""The orjson transcoder writes and reads exactly the library's JSON format.

Stored bytes are part of the audit trail (the Merkle log hashes them) and events written
before the switch must load after it, so both directions are checked byte for byte against
the library's own ``JSONTranscoder``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.transcoder import FastJSONTranscoder
from ledger.values import Actor, Outcome, Role
from tests.domain.conftest import _PATHS, AppealFactory


def _registered(transcoder: JSONTranscoder) -> JSONTranscoder:
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return transcoder


LIBRARY = _registered(JSONTranscoder())
OURS = _registered(FastJSONTranscoder())


def _event_states() -> list[dict[str, Any]]:
    factory = AppealFactory()
    states = []
    for state in _PATHS:
        for event in factory.in_state(state, external_id=state).collect_events():
            states.append(dict(vars(event)))
    duplicate = factory.in_state("registered", external_id="dup")
    duplicate.close(
        outcome=Outcome.DUPLICATE,
        duplicate_of=uuid4(),
        actor=Actor("op", Role.OPERATOR),
        at=factory.registered_at + timedelta(hours=1),
    )
    states.extend(dict(vars(e)) for e in duplicate.collect_events())
    return states


EDGE_CASES: list[Any] = [
    {"nested": {"id": UUID(int=7), "at": [datetime(2025, 1, 1, tzinfo=UTC)]}},
    {"tuple": (1, "два", None, True, 1.5), "money": Decimal("12.30")},
    {"text": 'кавычки " и \\ и \n\t и \u0001 и 🙂', "naive": datetime(2025, 1, 1, 12, 30)},
    {"offset": datetime(2025, 1, 1, 12, tzinfo=timezone(timedelta(hours=3)))},
    {"_type_": "not a wrapper", "other": 1},
    [UUID(int=1), {"x": []}],
    # Values orjson writes differently; these take the library's own code.
    {"small": 1e-7, "nan": float("nan"), "big": 2**70, "negative": -(2**65)},
    {1: "a non-str key", "nested": {2.5: "float key"}},
    {"subclass": type("Sub", (dict,), {})(id=UUID(int=9))},
    {"long digits": 12345678901234567890123, "in text": "1234567890123456789012"},
    # UTC datetimes are written by orjson itself: every form isoformat() takes.
    {
        "no microseconds": datetime(2025, 3, 3, 9, tzinfo=UTC),
        "microseconds": [datetime(2025, 3, 3, 9, 0, 0, 10, tzinfo=UTC)],
        "last": datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        "first": datetime(1, 1, 1, tzinfo=UTC),
        "three digit year": datetime(999, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
        "fold": datetime(2025, 10, 26, 1, 30, fold=1, tzinfo=UTC),
        "utc by offset": datetime(2025, 1, 1, tzinfo=timezone(timedelta(0))),
        "named zero offset": datetime(2025, 1, 1, tzinfo=timezone(timedelta(0), "GMT")),
    },
]


@pytest.mark.parametrize("obj", _event_states() + EDGE_CASES)
def test_ours_writes_the_same_bytes_as_the_library(obj: Any) -> None:
    assert OURS.encode(obj) == LIBRARY.encode(obj)


@pytest.mark.parametrize("obj", _event_states() + EDGE_CASES)
def test_ours_reads_what_the_library_wrote(obj: Any) -> None:
    data = LIBRARY.encode(obj)

    assert repr(OURS.decode(data)) == repr(LIBRARY.decode(data))


def test_a_datetime_transcoding_of_ones_own_is_used_for_utc_datetimes_too() -> None:
    class DatetimeAsText(DatetimeAsISO):
        name = "datetime_text"

        def encode(self, obj: datetime) -> str:
            return obj.strftime("%d.%m.%Y %H:%M")

    library, ours = JSONTranscoder(), FastJSONTranscoder()
    for transcoder in (library, ours):
        transcoder.register(DatetimeAsText())
    obj = {"at": datetime(2025, 3, 3, 9, 0, 0, 10, tzinfo=UTC)}

    assert ours.encode(obj) == library.encode(obj)


def test_an_unregistered_type_is_refused_as_the_library_refuses_it() -> None:
    class Unknown:
        pass

    with pytest.raises(TranscodingNotRegisteredError):
        OURS.encode({"x": Unknown()})


def test_the_ledger_stores_events_with_ours(appeals: AppealFactory) -> None:
    ledger = AppealsLedger({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    appeal = appeals.in_state("closed")
    ledger.save(appeal)

    assert isinstance(ledger.mapper.transcoder, FastJSONTranscoder)
    assert ledger.get_appeal(appeal.id).version == appeal.version
    assert isinstance(ledger.get_appeal(appeal.id), Appeal)
