"""An exported receipt keeps its source and department, valid against the line schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs

from ledger.application import AppealsLedger
from ledger.domain import Appeal
from migration.export import Opener, event_line
from migration.jsonl import parse_line
from migration.record import AppealKey, ImportedEvent
from tests.domain.conftest import receive_routed

SCHEMA = Path(__file__).parents[2] / "migration" / "appeal-event-line.schema.json"


def test_a_receipt_routed_by_its_source_round_trips_through_the_line_format() -> None:
    ledger = AppealsLedger({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    stored = ledger.recorder.select_events(receive_routed(ledger))[0]
    received = ledger.mapper.to_domain_event(stored)
    assert isinstance(received, Appeal.Received)

    line = event_line(1, received, AppealKey("max", "7300451:mid.1"), Opener(ledger.vault))

    assert line["fields"]["source"] == "max:7300451"
    assert line["fields"]["department"] == "lighting"
    jsonschema_rs.validator_for(json.loads(SCHEMA.read_text())).validate(line)
    parsed = parse_line(json.dumps(line, ensure_ascii=False).encode(), 1)
    assert isinstance(parsed, ImportedEvent)
    assert (parsed.fields["source"], parsed.fields["department"]) == ("max:7300451", "lighting")
