"""Reading an appeal back: its history, its state at an instant, and its texts in clear."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from ledger.domain import Appeal
from ledger.errors import NotFoundError
from ledger.privacy import Citizen, CitizenVault
from ledger.records import EventPositions, HistoryEntry
from ledger.values import require_aware

if TYPE_CHECKING:
    from uuid import UUID

__all__ = ["Reading"]


class Reading:
    """The auditor's queries of ``AppealsLedger``."""

    vault: CitizenVault
    positions: EventPositions | None

    if TYPE_CHECKING:
        events: Any
        repository: Any

    def get_appeal_as_of(self, appeal_id: UUID, instant: datetime) -> Appeal:
        """The appeal as the ledger knew it at ``instant`` (recorded time)."""
        require_aware(instant, "at")
        known = [e for e in self._events_of(appeal_id) if e.timestamp <= instant]
        if not known:
            raise NotFoundError(appeal_id=appeal_id)
        appeal: Appeal = self.repository.get(appeal_id, version=known[-1].originator_version)
        return appeal

    def history(self, appeal_id: UUID) -> list[HistoryEntry]:
        """Every stored event of the appeal in version order, with log positions."""
        events = self._events_of(appeal_id)
        if not events:
            raise NotFoundError(appeal_id=appeal_id)
        where = self.positions.positions(appeal_id) if self.positions else {}
        return [HistoryEntry(where.get(e.originator_version), e) for e in events]

    def _events_of(self, appeal_id: UUID) -> list[Appeal.Event]:
        return cast("list[Appeal.Event]", list(self.events.get(appeal_id)))

    def open_citizen(self, appeal: Appeal) -> Citizen | None:
        """The citizen's data in clear, or ``None`` when anonymous or erased."""
        if appeal.citizen_id is None or appeal.citizen is None:
            return None
        return self.vault.open(appeal.citizen_id, appeal.citizen)

    def open_text(self, appeal: Appeal) -> str | None:
        """The appeal's message in clear, or ``None`` once erased."""
        return self.open_texts([(appeal.text, appeal.text_key)])[0]

    def open_texts(self, texts: Sequence[tuple[str, str | None]]) -> list[str | None]:
        """Each ``(text, text_key)`` in clear, or ``None`` where its key was destroyed.

        A text without a key was stored in clear (before texts were sealed) and is returned
        as it is. Texts are grouped by key, and the keys fetched together where the key
        store can (one query per 500 keys).
        """
        opened: list[str | None] = [text if key is None else None for text, key in texts]
        by_key: dict[str, list[int]] = {}
        for index, (_, key) in enumerate(texts):
            if key is not None:
                by_key.setdefault(key, []).append(index)
        grouped = self.vault.open_grouped(
            {key: [texts[i][0] for i in indexes] for key, indexes in by_key.items()}
        )
        for key, indexes in by_key.items():
            for index, text in zip(indexes, grouped[key], strict=True):
                opened[index] = text
        return opened

    @staticmethod
    def text_key_of(appeal: Appeal) -> str | None:
        """The key an appeal's new texts are sealed under; ``None``: anonymous, in clear."""
        return appeal.text_key or appeal.citizen_id

    def seal_answer(self, appeal: Appeal, text: str) -> tuple[str, str | None]:
        """An answer's text as stored, and its key: sealed like the appeal's, erased with it."""
        text_key = self.text_key_of(appeal)
        return (text if text_key is None else self.vault.seal_text(text_key, text)), text_key
