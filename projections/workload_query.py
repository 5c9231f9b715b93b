"""Reads of the workload view: open appeals per department (and assignee)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from projections.codec import as_uuid, from_us, to_us
from projections.db import Database
from projections.models import WorkloadFilter, WorkloadRow
from projections.workload_view import TABLE


class WorkloadQuery:
    """Groups open appeals; cost grows with open appeals, never with the closed history."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def workload(self, filter: WorkloadFilter, now: datetime) -> list[WorkloadRow]:
        """Open appeals per department (and assignee), busiest first."""
        keys = ["department", "assignee"] if filter.by_assignee else ["department"]
        where: list[str] = []
        params: list[Any] = []
        for column in ("department", "body"):
            value = getattr(filter, column)
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        select = ", ".join(keys)
        now_us = to_us(now)
        statement = (
            f"SELECT {select}, count(*), min(received_at), min(next_due_at), "
            f"SUM(CASE WHEN next_due_at <= ? THEN 1 ELSE 0 END) FROM {TABLE}{clause} "
            f"GROUP BY {select}"
        )
        oldest = (
            f"SELECT id FROM {TABLE} WHERE "
            + " AND ".join(f"{k} {self.db.dialect.is_not_distinct} ?" for k in keys)
            + (f" AND {' AND '.join(where)}" if where else "")
            + " ORDER BY received_at, id LIMIT 1"
        )
        rows: list[WorkloadRow] = []
        with self.db.reading() as cursor:
            cursor.execute(self.db.sql(statement), [now_us, *params])
            groups = [tuple(r) for r in cursor.fetchall()]
            for group in groups:
                names = group[: len(keys)]
                count, first, due, overdue = group[len(keys) :]
                cursor.execute(self.db.sql(oldest), [*names, *params])
                oldest_id = as_uuid(cursor.fetchone()[0])
                received = from_us(int(first))
                assert received is not None
                rows.append(
                    WorkloadRow(
                        department=names[0],
                        assignee=names[1] if filter.by_assignee else None,
                        open_count=int(count),
                        oldest_received_at=received,
                        oldest_appeal_id=oldest_id,
                        nearest_due_at=from_us(int(due)) if due is not None else None,
                        overdue_count=int(overdue or 0),
                    )
                )
        rows.sort(key=lambda r: (-r.open_count, r.department or "", r.assignee or ""))
        return rows
