"""``appeals history``: print an appeal's events as an auditor reads them."""

from __future__ import annotations

import argparse
import json
from contextlib import closing
from typing import Any
from uuid import UUID

from api.bootstrap import build
from api.commands.options import Subparsers, appeal_id
from api.settings import Settings
from api.storage.eventdata import event_data
from ledger.application import AppealsLedger, HistoryEntry


def register(subs: Subparsers) -> None:
    """Add ``history`` to the command line."""
    cmd = subs.add_parser(
        "history",
        help="print an appeal's history",
        description="Print every stored event of one appeal, in order.",
    )
    cmd.add_argument("appeal_id", type=appeal_id, help="the appeal's UUID")
    cmd.set_defaults(handler=run_history)


def run_history(args: argparse.Namespace, settings: Settings) -> int:
    with closing(build(settings)) as container:
        print(render_history(container.ledger, args.appeal_id))
    return 0


def render_history(ledger: AppealsLedger, appeal_id: UUID) -> str:
    """A human-readable history: position, version, event, business time, actor, data."""
    entries = ledger.history(appeal_id)
    appeal = ledger.get_appeal(appeal_id)
    lines = [f"appeal {appeal_id}  status={appeal.status.value}  version={appeal.version}"]
    lines += [_line(e, d) for e, d in zip(entries, event_data(ledger, entries), strict=True)]
    lines += ["due dates:"] + [
        f"  {due.explain()}" for due in appeal.due_dates(ledger.norms, ledger.calendar)
    ]
    return "\n".join(lines)


def _line(entry: HistoryEntry, data: dict[str, Any]) -> str:
    event = entry.event
    return (
        f"  #{entry.position} v{event.originator_version} {type(event).__name__:<19} "
        f"at={event.at:%Y-%m-%d %H:%M} by {event.actor_role}:{event.actor_id} "
        f"{json.dumps(data, ensure_ascii=False, default=str)}"
    )
