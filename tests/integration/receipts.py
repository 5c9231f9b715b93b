"""Many alike appeals at once: one per number, to the same body, at times of the test's choosing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from uuid import UUID

from ledger.application import AppealsLedger


def receive_appeals(
    ledger: AppealsLedger,
    prefix: str,
    numbers: Iterable[int],
    at: Callable[[int], datetime],
    *,
    channel: str = "pos",
    text: str = "Яма",
    category: str | None = None,
    source: Callable[[int], str | None] = lambda n: None,
) -> list[UUID]:
    """Receive appeal ``{prefix}-{n}`` for each number, to the Администрация; their ids."""
    return [
        ledger.receive_appeal(
            channel=channel,
            external_id=f"{prefix}-{n}",
            text=text,
            body="Администрация",
            category=category,
            at=at(n),
            source=source(n),
        ).appeal_id
        for n in numbers
    ]
