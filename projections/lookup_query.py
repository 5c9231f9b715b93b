"""Lookup lists for the operator's forms: values of a dimension with their open appeals.

Read from the month cells of the statistics view (``projections.contribution``), so a list
costs O(cells of the scope), never a scan of appeals. An appeal forwarded elsewhere counts
under the body that has it now, as in the statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.lifecycle import OPEN
from ledger.values import Status
from projections.db import Database
from projections.models import Dimension
from projections.statistics_view import CELLS

_OPEN_SUM = " + ".join(f"n_{status.value}" for status in Status if status in OPEN)


@dataclass(frozen=True, slots=True)
class LookupEntry:
    """One value of a dimension, how many appeals it has and how many of them are open."""

    value: str
    count: int
    open_count: int


class LookupQuery:
    """Distinct values of one dimension within a scope, from the statistics cells."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def values(
        self, dimension: Dimension, *, body: str | None, department: str | None
    ) -> list[LookupEntry]:
        """Values of ``dimension`` in the scope, by value; missing values are left out."""
        column = dimension.value
        where, params = ["grain = 'm'", f"{column} <> ''"], list[Any]()
        for name, value in (("body", body), ("department", department)):
            if value is not None:
                where.append(f"{name} = ?")
                params.append(value)
        statement = (
            f"SELECT {column}, sum(n), sum({_OPEN_SUM}) FROM {CELLS} "
            f"WHERE {' AND '.join(where)} GROUP BY {column}"
        )
        with self.db.reading() as cursor:
            cursor.execute(self.db.sql(statement), params)
            found = [LookupEntry(str(v), int(n), int(o)) for v, n, o in cursor.fetchall()]
        # Sorted here: the stores' collations differ.
        return sorted(found, key=lambda entry: entry.value)
