"""The import lines of an appeal that was closed as a duplicate of another."""

from __future__ import annotations

from typing import Any

from ledger.domain import appeal_id_for
from tests.migration.lines import line


def duplicate_history(
    external_id: str, of: str, *, number: str, text: str, body: str
) -> list[dict[str, Any]]:
    """A ``pos`` appeal received, registered as ``number`` and closed as a duplicate of ``of``.

    ``of`` is the external id of another ``pos`` appeal, in the same file or nowhere.
    """
    return [
        line("pos", external_id, "received", "2025-03-04T09:00:00+03:00", text=text, body=body),
        line("pos", external_id, "registered", "2025-03-04T10:00:00+03:00", number=number),
        line(
            "pos",
            external_id,
            "closed",
            "2025-03-04T11:00:00+03:00",
            outcome="duplicate",
            duplicate_of=str(appeal_id_for("pos", of)),
        ),
    ]
