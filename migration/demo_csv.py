"""The demo generator's appeals as a centres' CSV, with the faults real exports have.

One row per appeal in Windows-1251 with ``;`` separators and local times, as the regional
centres' spreadsheets export them, and a sprinkling of faults: a missing receipt time, an
answer dated before the receipt, a duplicated row, and texts with ``;`` inside quotes.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import IO
from uuid import UUID

from demo.generator import DemoOptions, generate
from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.privacy import CitizenVault, MemoryKeyStore
from migration.csv_columns import CHANNELS, OUTCOMES

HEADER = [
    "Канал",
    "Внешний ID",
    "Источник",
    "Орган",
    "Подразделение",
    "Исполнитель",
    "Категория",
    "Дата поступления",
    "Текст обращения",
    "Заявитель",
    "Контакт",
    "Дата регистрации",
    "Регистрационный номер",
    "Дата назначения",
    "Дата первого ответа",
    "Дата окончательного ответа",
    "Текст ответа",
    "Дата закрытия",
    "Результат",
    "Оценка",
    "Дубликат",
]
RUSSIAN_CHANNELS = {channel.value: name for name, channel in CHANNELS.items()}
RUSSIAN_OUTCOMES = {outcome.value: name for name, outcome in OUTCOMES.items()}
FAULT_RATE = 0.005
SEMICOLON_RATE = 0.05


@dataclass
class Faults:
    """Which rows were made faulty (their line numbers), for the reader to check."""

    missing_receipt: list[int]
    answer_before_receipt: list[int]
    duplicated: list[int]
    semicolons: int = 0


def write_demo_csv(out: IO[str], options: DemoOptions, zone: tzinfo) -> Faults:
    """Write the header and one row per generated appeal; returns where the faults are."""
    vault = CitizenVault(MemoryKeyStore())
    ledger = AppealsLedger({"PERSISTENCE_MODULE": "eventsourcing.popo"}, vault=vault)
    rng = random.Random(options.seed + 1)
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    faults = Faults([], [], [])
    # The demo's duplicates point to one of its first thousand appeals.
    names: dict[UUID, str] = {}
    line = 1
    for appeal in generate(ledger, options):
        if len(names) < 1000:
            names[appeal.id] = f"{appeal.channel.value}:{appeal.external_id}"
        cells = _row(ledger, appeal, zone, names)
        if rng.random() < SEMICOLON_RATE:
            cells[8] += "; просим принять меры, срочно"
            faults.semicolons += 1
        fault = rng.random()
        if fault < FAULT_RATE:
            cells[7] = ""
            faults.missing_receipt.append(line + 1)
        elif fault < 2 * FAULT_RATE and cells[15]:
            cells[14] = cells[15] = _local(appeal.received_at - timedelta(days=2), zone)
            faults.answer_before_receipt.append(line + 1)
        writer.writerow(cells)
        line += 1
        if rng.random() < FAULT_RATE:
            writer.writerow(cells)
            line += 1
            faults.duplicated.append(line)
    return faults


def _row(ledger: AppealsLedger, appeal: Appeal, zone: tzinfo, names: dict[UUID, str]) -> list[str]:
    events = list(appeal.pending_events)
    assigned = [e.at for e in events if isinstance(e, Appeal.Assigned)]
    finals = [e for e in events if isinstance(e, Appeal.Answered) and e.final]
    final = finals[-1] if finals else None
    final_text = ledger.open_texts([(final.text, final.text_key)])[0] if final else None
    citizen = ledger.open_citizen(appeal)
    duplicate = names.get(appeal.duplicate_of, "") if appeal.duplicate_of else ""
    return [
        appeal.channel.value,
        appeal.external_id,
        f"src-{appeal.channel.value}",
        appeal.body,
        appeal.department or "",
        appeal.assignee or "",
        appeal.category or "",
        _local(appeal.received_at, zone),
        ledger.open_text(appeal) or "",
        citizen.name or "" if citizen else "",
        citizen.contact or "" if citizen else "",
        _local(appeal.registered_at, zone),
        appeal.registration_number or "",
        _local(assigned[-1] if assigned else None, zone),
        _local(appeal.first_response_at, zone),
        _local(final.at if final else None, zone),
        final_text or "",
        _local(appeal.closed_at, zone),
        RUSSIAN_OUTCOMES[appeal.outcome.value] if appeal.outcome else "",
        str(appeal.rating) if appeal.rating else "",
        duplicate,
    ]


def _local(at: datetime | None, zone: tzinfo) -> str:
    return "" if at is None else at.astimezone(zone).strftime("%d.%m.%Y %H:%M:%S")
