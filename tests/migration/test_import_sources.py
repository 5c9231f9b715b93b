"""A ``source_id`` in an import file names one of the ledger's sources (``appeals sources``)."""

from __future__ import annotations

import io
import json
from typing import Any

import orjson

from api.container import Container
from api.runtime.importing import ImportOptions, run_import
from channels.directory import SourceDirectory
from channels.source import Secrets, new_source
from ledger.domain import appeal_id_for
from migration.export import Opener, event_line
from migration.record import AppealKey, Refusal
from migration.summary import Summary
from tests.migration.lines import line


def _directory(container: Container) -> SourceDirectory:
    directory = SourceDirectory(container.sql, lambda: (b"k" * 32, None))
    source = new_source("vk", "4242", body="Администрация города", secrets=Secrets("s"))
    directory.add(source)
    return directory


def _received(external_id: str, source_id: str | None) -> dict[str, Any]:
    row = line(
        "vk",
        external_id,
        "received",
        "2025-03-03T09:00:00+03:00",
        text="Яма во дворе",
        body="Администрация города",
    )
    if source_id is not None:
        row["source_id"] = source_id
    return row


def _import(
    container: Container, rows: list[dict[str, Any]], *, fmt: str = "jsonl"
) -> tuple[Summary, list[Refusal]]:
    data = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows)
    refusals: list[Refusal] = []
    summary = run_import(
        container,
        io.BufferedReader(io.BytesIO(data)),
        ImportOptions(format=fmt),
        refused=refusals.append,
        directory=_directory(container),
    )
    return summary, refusals


def test_an_imported_appeal_records_its_source_and_an_unknown_source_refuses_it(
    container: Container,
) -> None:
    answered = line("vk", "m-1", "answered", "2025-03-05T09:00:00+03:00", text="Заделали")
    rows = [
        _received("m-1", "4242"),
        answered,
        _received("m-2", "9999"),
        _received("m-3", None),
    ]

    summary, refusals = _import(container, rows)

    assert summary.appeals_new == 2 and summary.appeals_refused == 1
    assert [(r.line, r.appeal, r.field) for r in refusals] == [(3, "vk:m-2", "source_id")]
    assert "'9999'" in refusals[0].reason and "appeals sources add" in refusals[0].reason
    ledger = container.ledger
    # Recorded as a live webhook message of that source records it (Source.key).
    assert ledger.get_appeal(appeal_id_for("vk", "m-1")).source == "vk:4242"
    assert ledger.get_appeal(appeal_id_for("vk", "m-3")).source is None
    assert ledger.find_appeal(appeal_id_for("vk", "m-2")) is None


def test_the_export_names_the_source_and_imports_again_to_the_same_source(
    container: Container,
) -> None:
    _import(container, [_received("m-9", "4242")])
    appeal_id = appeal_id_for("vk", "m-9")
    (received,) = [e.event for e in container.ledger.history(appeal_id)]

    opener = Opener(container.ledger.vault)  # as `appeals export --pii` writes it
    exported = event_line(1, received, AppealKey("vk", "m-9"), opener)

    assert exported["fields"]["source"] == "vk:4242"
    again, refusals = _import(container, [orjson.loads(orjson.dumps(exported))])
    assert refusals == [] and again.appeals_unchanged == 1 and again.events_written == 0


def test_the_csv_source_id_column_names_the_source(container: Container) -> None:
    data = (
        "Канал;Внешний ID;ID источника;Орган;Дата поступления;Текст обращения\n"
        "вконтакте;c-1;4242;Администрация города;01.03.2025 10:00;Яма\n"
        "вконтакте;c-2;77;Администрация города;01.03.2025 11:00;Яма\n"
    ).encode("cp1251")
    refusals: list[Refusal] = []

    summary = run_import(
        container,
        io.BufferedReader(io.BytesIO(data)),
        ImportOptions(format="csv"),
        refused=refusals.append,
        directory=_directory(container),
    )

    assert summary.appeals_new == 1
    assert [(r.line, r.field) for r in refusals] == [(3, "source_id")]
    assert container.ledger.get_appeal(appeal_id_for("vk", "c-1")).source == "vk:4242"
