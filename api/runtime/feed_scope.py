"""The scope of each live event: the body and department its appeal has after that event.

Subscribers must be judged against the appeal as it is after each event, not against a
view row (it lags behind the event) or a row cached for a whole WebSocket connection (it
goes stale as appeals move between departments). The feed decides it once per event, for
every subscriber, by folding each event into the appeal with the domain's own ``mutate``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from ledger.application import AppealsLedger, HistoryEntry
from ledger.domain import Appeal

KEPT_APPEALS = 1024


@dataclass(frozen=True, slots=True)
class ScopedEntry(HistoryEntry):
    """A live event with the body and department of its appeal after that event."""

    body: str
    department: str | None


class AppealScopes:
    """Folds the feed's events into recently seen appeals, reloading those it does not hold.

    Used from the feed's one thread only. An appeal it holds moves on by one event at a
    time; one it does not hold, or whose next event is not the one it expects (it was
    evicted, or a fetch failed half-way), is read from the store at that event's version.
    """

    def __init__(self, ledger: AppealsLedger, *, size: int = KEPT_APPEALS) -> None:
        self.ledger = ledger
        self.size = size
        self._appeals: OrderedDict[UUID, Appeal] = OrderedDict()

    def scoped(self, entries: Iterable[HistoryEntry]) -> list[ScopedEntry]:
        """Each entry with its appeal's scope after it, in the given (log) order."""
        result = []
        for entry in entries:
            appeal = self._after(entry.event)
            result.append(ScopedEntry(entry.position, entry.event, appeal.body, appeal.department))
        return result

    def _after(self, event: Appeal.Event) -> Appeal:
        appeal_id = event.originator_id
        version = event.originator_version
        held = self._appeals.pop(appeal_id, None)
        if version == 1:
            appeal = event.mutate(None)
        elif held is not None and held.version == version - 1:
            appeal = event.mutate(held)
        else:
            appeal = self.ledger.repository.get(appeal_id, version=version)
        assert isinstance(appeal, Appeal)
        self._appeals[appeal_id] = appeal
        if len(self._appeals) > self.size:
            self._appeals.popitem(last=False)
        return appeal
