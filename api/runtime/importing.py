"""One import run wired to a store, shared by ``appeals import`` and ``POST /import``."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO
from zoneinfo import ZoneInfo

from api.container import Container
from api.runtime import channelwiring
from api.storage.importstore import SqlImportStore
from audit.service import AuditService
from channels.directory import SourceDirectory
from channels.source import clean_platform_id
from ledger.errors import ValidationError
from ledger.values import Actor, Channel, Role
from migration.csv_groups import csv_groups
from migration.importer import Importer, Progress
from migration.jsonl_groups import jsonl_groups
from migration.record import Refusal
from migration.summary import Summary

FORMATS = ("jsonl", "csv")


@dataclass(frozen=True)
class ImportOptions:
    """How to read and what to do: format, default actor, dry run, CSV encoding."""

    format: str = "jsonl"
    actor: str = "migration"
    dry_run: bool = False
    encoding: str | None = None
    time_reason: str = "migration"
    """Recorded with every imported event: why its business time is the file's."""


def run_import(
    container: Container,
    stream: io.BufferedReader,
    options: ImportOptions,
    *,
    refused: Callable[[Refusal], None],
    progress: Progress | None = None,
    counted: Callable[[int], None] = lambda n: None,
    catch_up_audit: bool = True,
    directory: SourceDirectory | None = None,
) -> Summary:
    """Import a stream of lines; the audit log then logs what was written.

    ``catch_up_audit=False`` leaves that to a running audit keeper (a server's duty): a
    second appender in the same process would queue behind the keeper for the SQLite pool's
    one writer connection, which the keeper holds while it logs a page of the new events.
    A line naming a ``source_id`` is checked against the sources (``appeals sources``) of
    ``directory``, or of the store's, opened at the first such line.
    """
    opened: list[SourceDirectory] = [directory] if directory is not None else []

    def source_key(channel: str, source_id: str) -> str | None:
        if not opened:
            opened.append(channelwiring.directory(container))
        try:
            platform_id = clean_platform_id(Channel(channel), source_id)
        except ValidationError:
            return None
        found = opened[0].get(channel, platform_id)
        return found.key if found is not None else None

    importer = Importer(
        container.ledger,
        SqlImportStore(container),
        actor=Actor(options.actor, Role.SYSTEM),
        dry_run=options.dry_run,
        refused=refused,
        progress=progress,
        time_reason=options.time_reason,
        sources=source_key,
        workers=container.settings.import_workers,
    )

    def count(lines_read: int) -> None:
        importer.summary.lines = lines_read
        counted(lines_read)

    groups = (
        csv_groups(
            stream,
            zone=ZoneInfo(container.settings.timezone),
            refuse_line=importer.refuse_line,
            counted=count,
            encoding=options.encoding,
        )
        if options.format == "csv"
        else jsonl_groups(stream, refuse_line=importer.refuse_line, counted=count)
    )
    summary = importer.run(groups)
    if catch_up_audit and summary.events_written and not options.dry_run:
        AuditService(container).catch_up()
    return summary


class ErrorsFile:
    """Refused lines as CSV: line, appeal, field, reason (UTF-8, header first)."""

    HEADER = ("line", "appeal", "field", "reason")

    def __init__(self, stream: IO[str]) -> None:
        self.writer = csv.writer(stream)
        self.writer.writerow(self.HEADER)

    def write(self, refusal: Refusal) -> None:
        """One refused line."""
        self.writer.writerow((refusal.line or "", refusal.appeal, refusal.field, refusal.reason))
