"""The end of a soak: every acknowledged write against the log and the views, the views
against a clean rebuild, and ``appeals verify``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from api.bootstrap import build, read_side
from api.container import Container
from api.settings import Settings
from audit.service import AuditConfig, AuditService
from bench.soak.load import Write

RECEIVED, CATEGORIZED = "appeals:Appeal.Received", "appeals:Appeal.Categorized"
NOT_VIEWS = ("citizen_keys", "projection_tracking")
PAGE = 5000


@dataclass
class Findings:
    """What the end checks found."""

    acked: int = 0
    lost_in_log: list[str] = field(default_factory=list)
    lost_in_views: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    events: int = 0
    view_rows: int = 0
    views_differing: dict[str, int] = field(default_factory=dict)
    verify_ok: bool = False
    verify_line: str = ""


def _log(container: Container) -> tuple[Counter[str], Counter[tuple[str, str]], int]:
    """Received events per appeal, categorized events per (appeal, category), all events."""
    received: Counter[str] = Counter()
    categorized: Counter[tuple[str, str]] = Counter()
    recorder, mapper, start, total = container.ledger.recorder, container.ledger.mapper, 0, 0
    while True:
        page = recorder.select_notifications(start, PAGE, inclusive_of_start=False)
        if not page:
            return received, categorized, total
        for notification in page:
            appeal = str(notification.originator_id)
            if notification.topic == RECEIVED:
                received[appeal] += 1
            elif notification.topic == CATEGORIZED:
                event: Any = mapper.to_domain_event(notification)
                categorized[(appeal, event.category)] += 1
        total += len(page)
        start = page[-1].id


def check_writes(settings: Settings, writes: list[Write], findings: Findings) -> None:
    """Each acknowledged write once in the log and in the views; no intention twice."""
    container = build(settings)
    try:
        received, categorized, findings.events = _log(container)
        rows = container.sql.rows("SELECT id, category FROM appeals_view")
    finally:
        container.close()
    view = {str(UUID(str(ident))): category for ident, category in rows}
    findings.view_rows = len(view)
    for write in writes:
        appeal = str(UUID(write.appeal_uuid)) if write.appeal_uuid else ""
        if write.kind == "receive":
            count = received[appeal] if appeal else 0
            name = f"receive {write.external_id}"
        else:
            count = categorized[(appeal, write.category)]
            name = f"categorize {appeal} {write.category}"
        if count > 1:
            findings.duplicates.append(name)
        if not write.acked:
            continue
        findings.acked += 1
        if count == 0:
            findings.lost_in_log.append(name)
        elif appeal not in view:
            findings.lost_in_views.append(name)


def _view_tables(container: Container) -> list[str]:
    if container.store.is_postgres:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
    names = [str(row[0]) for row in container.sql.rows(query)]
    return sorted(
        name
        for name in names
        if name not in NOT_VIEWS
        and name != container.events_table
        and not name.startswith(("audit_", "sqlite_"))
        # FTS5's shadow tables hold the index's b-tree pages, whose bytes depend on the order
        # of writes; the search view's rows are compared through its own tables.
        and not name.endswith(("_fts_data", "_fts_idx", "_fts_docsize", "_fts_config"))
    )


def snapshot_views(settings: Settings) -> dict[str, list[str]]:
    """Every row of every view table, as sorted text."""
    container = build(settings)
    try:
        return {
            table: sorted(repr(tuple(row)) for row in container.sql.rows(f"SELECT * FROM {table}"))
            for table in _view_tables(container)
        }
    finally:
        container.close()


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``appeals ARGS`` with the soak's environment."""
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def check_rebuild_and_verify(settings: Settings, findings: Findings) -> None:
    """The views as served against a clean rebuild; then the audit log signed and verified.

    Both run here, with the code of ``appeals projections rebuild`` and ``appeals
    checkpoint`` / ``appeals verify``, rather than in three more processes.
    """
    served = snapshot_views(settings)
    container = build(settings)
    try:
        read_side(container).runner.rebuild(None)
        audit = AuditService(container, AuditConfig(Path(settings.keys_dir), settings.log_origin))
        audit.sign_checkpoint()
        verified = audit.verify()
    finally:
        container.close()
    clean = snapshot_views(settings)
    for table in sorted(set(served) | set(clean)):
        differing = len(set(served.get(table, [])) ^ set(clean.get(table, [])))
        if differing:
            findings.views_differing[table] = differing
    findings.verify_ok = verified.ok
    findings.verify_line = (
        f"{verified.events:,} events, {verified.leaves:,} leaves, "
        f"{verified.checkpoints} checkpoints"
        if verified.ok
        else f"FAIL: {verified.first}"
    )
