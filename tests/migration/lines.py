"""Building JSON Lines import files for tests, and running ``appeals`` as a user does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from api.bootstrap import build
from api.container import Container
from api.settings import Settings
from tests.api import command_line

FIXED_NOW = "2026-01-10T00:00:00+00:00"


def line(channel: str, external_id: str, kind: str, at: str, **fields: Any) -> dict[str, Any]:
    """One event line; ``actor`` may be passed as a field-like keyword."""
    actor = fields.pop("actor", None)
    data: dict[str, Any] = {
        "channel": channel,
        "external_id": external_id,
        "type": kind,
        "at": at,
        "fields": fields,
    }
    if actor is not None:
        data["actor"] = actor
    return data


def write(path: Path, rows: list[dict[str, Any] | str | bytes]) -> Path:
    """Write rows (dicts as JSON, strings and bytes as they are) one per line."""
    with path.open("wb") as out:
        for row in rows:
            if isinstance(row, dict):
                out.write(json.dumps(row, ensure_ascii=False).encode())
            elif isinstance(row, str):
                out.write(row.encode())
            else:
                out.write(row)
            out.write(b"\n")
    return path


def history(number: str, *, body: str = "Администрация города") -> list[dict[str, Any]]:
    """A whole lawful history of a formal appeal (pos), in file order."""
    return [
        line(
            "pos",
            number,
            "received",
            "2025-03-03T09:00:00+03:00",
            text=f"Нет воды, дом {number}",
            body=body,
            citizen={"name": "Иванов И.", "contact": "+7 900 000-00-00"},
        ),
        line("pos", number, "registered", "2025-03-03T12:00:00+03:00", number=f"ОГ-{number}"),
        line(
            "pos",
            number,
            "assigned",
            "2025-03-04T10:00:00+03:00",
            department="Управление ЖКХ города",
            assignee="executor-1",
            actor={"id": "op-7", "role": "operator"},
        ),
        line("pos", number, "answered", "2025-03-10T10:00:00+03:00", text="Воду дали", final=True),
        line("pos", number, "closed", "2025-03-11T10:00:00+03:00", outcome="resolved"),
        line("pos", number, "rated", "2025-03-12T10:00:00+03:00", score=5),
    ]


def appeals(*args: str, url: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``appeals`` command line against a store, given the time a large import takes."""
    return command_line.appeals(*args, url=url, cwd=cwd, timeout=600)


def container(url: str) -> Container:
    """A wired ledger on the store (close it after use)."""
    return build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))


def stored_events(url: str) -> list[tuple[str, int, str]]:
    """Every stored event as (appeal id, version, topic), in log order."""
    built = container(url)
    try:
        notifications = built.ledger.recorder.select_notifications(start=1, limit=1_000_000)
        return [(str(n.originator_id), n.originator_version, n.topic) for n in notifications]
    finally:
        built.close()
