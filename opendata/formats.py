"""A table's rows as CSV (UTF-8, RFC 4180: CRLF line ends, quoted where needed) and as JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from opendata.columns import Column

Row = dict[str, object]


def to_csv(columns: Sequence[Column], rows: Sequence[Row]) -> bytes:
    """CSV with a header row; an empty field is a missing value (null or suppressed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([_cell(row.get(c.name)) for c in columns])
    return out.getvalue().encode("utf-8")


def to_json(columns: Sequence[Column], rows: Sequence[Row]) -> bytes:
    """A JSON array of objects with the same columns; a missing value is null."""
    ordered = [{c.name: row.get(c.name) for c in columns} for row in rows]
    return json.dumps(ordered, ensure_ascii=False, indent=1).encode("utf-8")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
