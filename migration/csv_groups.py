"""A centres' CSV file as groups of one appeal each: every row is a whole appeal.

The encoding is UTF-8 when the first megabyte decodes as UTF-8 (a byte-order mark is
allowed), else Windows-1251, unless given. The separator is ``,`` or ``;``, whichever the
header row uses outside quotes. A row's events get the row's first line number.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, tzinfo
from uuid import UUID

from ledger.domain import appeal_id_for
from ledger.errors import ValidationError
from ledger.values import Channel, clean_name
from migration import csv_columns as col
from migration.importer import Group
from migration.record import AppealKey, EventType, ImportedEvent, Refusal

COUNTED_EVERY = 1_000
"""Rows between updates of the lines read: one import batch, so the progress bar's lines
never trail its appeals."""
SAMPLE = 1 << 20


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) if the sample decodes as such, else Windows-1251."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def csv_groups(
    stream: io.BufferedReader,
    *,
    zone: tzinfo,
    refuse_line: Callable[[Refusal], None],
    counted: Callable[[int], None] = lambda n: None,
    encoding: str | None = None,
) -> Iterator[Group]:
    """Read rows, yield each as a group.

    A row refused whole is yielded as its appeal's group with the fault (the importer
    refuses and counts the appeal), or goes to ``refuse_line`` where it names no appeal.
    """
    chosen = encoding or detect_encoding(stream.peek(SAMPLE)[:SAMPLE])
    text = io.TextIOWrapper(stream, encoding=chosen, errors="replace", newline="")
    try:
        header_line = text.readline()
        delimiter = (
            ";"
            if _outside_quotes(header_line).count(";") > _outside_quotes(header_line).count(",")
            else ","
        )
        header = next(csv.reader([header_line], delimiter=delimiter), [])
        try:
            columns = col.map_header(header)
        except col.RowError as error:
            refuse_line(Refusal(1, "", error.field, error.reason))
            return
        # Strict: a quote left open to the end of the file (a truncated file) or text after
        # a closing quote is refused with its row, not read as a cell running to the end.
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        start = 2
        for rows, row in enumerate(_rows(reader), 1):
            # A quoted cell may span lines: a row starts on the line after the last one ended.
            number, start = start, reader.line_num + 2
            if rows % COUNTED_EVERY == 0:
                counted(reader.line_num + 1)
            if isinstance(row, csv.Error):
                reason = f"is not a valid CSV row ({row}): a quote left open, or a truncated file?"
                refuse_line(Refusal(number, "", "", reason))
                continue
            if not any(cell.strip() for cell in row):
                continue
            try:
                yield _group(row, columns, number, zone)
            except col.RowError as error:
                name, appeal_id = _named_appeal(row, columns)
                refusal = Refusal(number, name, error.field, error.reason)
                if appeal_id is None:
                    refuse_line(refusal)
                else:  # the appeal is known: it is refused, and counted, as one
                    yield Group(appeal_id, faults=[refusal])
        counted(reader.line_num + 1)
    finally:
        # The stream is the caller's: unwrap it rather than let the wrapper close it.
        text.detach()


def _group(row: list[str], columns: dict[str, int], line: int, zone: tzinfo) -> Group:
    if "\ufffd" in "".join(row):
        raise col.RowError("", "has bytes that are not valid in the file's encoding")
    cell = col.cells(row, columns)
    missing = [name for name in col.REQUIRED if name not in cell]
    if missing:
        raise col.RowError(missing[0], "is required")
    channel = col.channel(cell["channel"])
    try:
        external = clean_name(cell["external_id"], "external_id")
    except ValidationError as error:
        raise col.RowError(error.field, error.reason) from None
    key = AppealKey(channel, external)
    appeal_id = appeal_id_for(channel, external)
    group = Group(appeal_id)
    source_id = cell.get("source_id")
    for kind, at, fields in _events(cell, zone):
        named = source_id if kind is EventType.RECEIVED else None
        group.events.append(ImportedEvent(line, key, appeal_id, kind, at, fields, None, named))
    # As in JSON Lines: the receipt, then the rest in business-time order (ties keep the
    # lifecycle order), so a date before the receipt meets the ledger's time-order rule.
    group.events[1:] = sorted(group.events[1:], key=lambda event: event.at)
    return group


def _events(
    cell: dict[str, str], zone: tzinfo
) -> Iterable[tuple[EventType, datetime, dict[str, object]]]:
    """The events one row stands for, in lifecycle order."""

    def when(name: str) -> datetime | None:
        return col.time(cell[name], name, zone) if name in cell else None

    received = col.time(cell["received_at"], "received_at", zone)
    citizen = col.fields(name=cell.get("citizen_name"), contact=cell.get("citizen_contact"))
    yield (
        EventType.RECEIVED,
        received,
        col.fields(
            text=cell["text"],
            body=cell["body"],
            category=cell.get("category"),
            citizen=citizen or None,
        ),
    )
    registered = when("registered_at")
    if registered is not None:
        number = cell.get("registration_number") or cell["external_id"]
        yield EventType.REGISTERED, registered, {"number": number}
    assigned = when("assigned_at")
    if assigned is not None:
        department = cell.get("department")
        if department is None:
            raise col.RowError("department", "is required when assigned_at is given")
        yield (
            EventType.ASSIGNED,
            assigned,
            {
                "department": department,
                "assignee": cell.get("assignee") or department,
            },
        )
    first, final = when("first_answer_at"), when("final_answer_at")
    if first is not None and first != final:
        yield EventType.ANSWERED, first, {"text": col.INTERIM_TEXT, "final": False}
    if final is not None:
        text = cell.get("final_answer_text") or col.FINAL_TEXT
        yield EventType.ANSWERED, final, {"text": text, "final": True}
    closed = when("closed_at")
    if closed is not None:
        outcome = col.outcome(cell.get("outcome") or "")
        yield (
            EventType.CLOSED,
            closed,
            col.fields(outcome=outcome, duplicate_of=_duplicate(cell.get("duplicate_of"))),
        )
    if "rating" in cell:
        rated = max((t for t in (closed, final) if t is not None), default=None)
        if rated is None:
            raise col.RowError("rating", "is given but the appeal was never answered")
        yield EventType.RATED, rated, {"score": col.rating(cell["rating"])}


def _duplicate(value: str | None) -> str | None:
    """The original appeal: its UUID, or ``channel:external id``."""
    if value is None:
        return None
    channel, sep, external = value.partition(":")
    if sep and channel in Channel._value2member_map_:
        return str(appeal_id_for(channel, external.strip()))
    try:
        return str(UUID(value))
    except ValueError:
        raise col.RowError("duplicate_of", "must be channel:external_id or an appeal id") from None


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str] | csv.Error]:
    """The reader's rows, and its error in place of a row it cannot read (it reads on)."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield error


def _named_appeal(row: list[str], columns: dict[str, int]) -> tuple[str, UUID | None]:
    """The appeal a refused row names, as written, and its id (None where the row's channel
    or external id cannot tell it)."""
    cell = col.cells(row, columns)
    name = f"{cell.get('channel', '')}:{cell.get('external_id', '')}" if cell else ""
    try:
        external = clean_name(cell["external_id"], "external_id")
        return name, appeal_id_for(col.channel(cell["channel"]), external)
    except (KeyError, col.RowError, ValidationError):
        return name, None


def _outside_quotes(line: str) -> str:
    return "".join(part for index, part in enumerate(line.split('"')) if index % 2 == 0)
