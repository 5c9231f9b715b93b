"""Replay in worker processes, many small batches in flight: the outcome of one after another."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from api.container import Container
from api.storage.importstore import SqlImportStore
from ledger.domain import appeal_id_for
from ledger.values import Actor, Role
from migration.importer import Group, Importer
from migration.jsonl_groups import jsonl_groups
from migration.record import Refusal
from migration.summary import Summary
from tests.migration.duplicate_lines import duplicate_history
from tests.migration.lines import history, write


def _import(container: Container, groups: list[Group], *, workers: int) -> Summary:
    refused: list[Refusal] = []
    importer = Importer(
        container.ledger,
        SqlImportStore(container),
        actor=Actor("migration", Role.SYSTEM),
        refused=refused.append,
        batch=2,
        workers=workers,
    )
    summary = importer.run(groups)
    assert [r.field for r in refused] == ["duplicateOf"] * summary.appeals_refused
    return summary


def _groups(path: Path) -> list[Group]:
    with path.open("rb") as stream:
        return list(jsonl_groups(stream, refuse_line=lambda refusal: None))


def test_batches_in_flight_in_two_workers_store_what_batches_one_after_another_would(
    container: Container, tmp_path: Path
) -> None:
    rows: list[dict[str, Any] | str | bytes] = [
        row for number in range(12) for row in history(str(number))
    ]
    # A duplicate of an appeal in a later batch, and one of an appeal that is nowhere.
    for n, target in (("d1", "11"), ("d2", "nowhere")):
        rows += duplicate_history(n, target, number=f"Д-{n}", text="Снова", body="Мэрия")
    groups = _groups(write(tmp_path / "in.jsonl", rows))
    by_id = {group.appeal_id: group for group in groups}
    one, two, three = (by_id[appeal_id_for("pos", n)] for n in ("3", "4", "5"))
    # Repeated groups (a centre's duplicated rows), one right behind its first.
    repeated = [one, *groups, two, three]

    first = _import(container, repeated, workers=2)
    again = _import(container, _groups(tmp_path / "in.jsonl"), workers=2)

    assert (first.appeals_new, first.appeals_unchanged, first.appeals_refused) == (13, 3, 1)
    assert first.events_written == 12 * 6 + 3
    notifications = container.ledger.recorder.select_notifications(start=1, limit=1000)
    versions = Counter(n.originator_id for n in notifications)
    assert sorted(versions.values()) == [3] + [6] * 12
    assert container.ledger.get_appeal(appeal_id_for("pos", "d1")).duplicate_of == (
        appeal_id_for("pos", "11")
    )
    assert (again.events_written, again.appeals_unchanged, again.appeals_refused) == (0, 13, 1)


def test_a_dry_run_in_workers_accepts_a_duplicate_of_an_appeal_it_accepted_earlier(
    container: Container, tmp_path: Path
) -> None:
    rows: list[dict[str, Any] | str | bytes] = [
        *history("1"),
        *duplicate_history("2", "1", number="Д-2", text="Снова", body="Мэрия"),
    ]
    groups = _groups(write(tmp_path / "in.jsonl", rows))
    importer = Importer(
        container.ledger,
        SqlImportStore(container),
        actor=Actor("migration", Role.SYSTEM),
        dry_run=True,
        batch=1,
        workers=2,
    )

    summary = importer.run(groups)

    assert (summary.appeals_new, summary.appeals_refused, summary.events_written) == (2, 0, 9)
    assert container.ledger.recorder.select_notifications(start=1, limit=10) == []
