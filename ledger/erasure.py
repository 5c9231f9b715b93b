"""Erasure under 152-ФЗ: destroy a citizen's key, then record it on each of their appeals."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from ledger.domain import Appeal
from ledger.errors import CitizenNotFoundError
from ledger.privacy import CitizenVault
from ledger.records import Recorded
from ledger.values import Actor, clean_text

if TYPE_CHECKING:
    from uuid import UUID

__all__ = ["Erasure"]


class Erasure:
    """The erasure half of ``AppealsLedger``."""

    vault: CitizenVault
    clock: Callable[[], datetime]

    if TYPE_CHECKING:

        def get_appeal(self, appeal_id: UUID) -> Appeal: ...

        def _current(self, appeal_id: UUID, expected_version: int | None) -> Appeal: ...

        def _save(self, appeal: Appeal, *, expected_version: int | None) -> Recorded: ...

    def erase_citizen_data(
        self, citizen_id: str, appeal_ids: Iterable[UUID], *, legal_basis: str, actor: Actor
    ) -> list[Recorded]:
        """Destroy the citizen's key, then record the erasure on each of their appeals.

        Their name, contact and address, their appeals' texts and the answers to them were
        sealed under that key, so all of it reads as erased from now on. A citizen with
        neither a key nor an appeal is unknown: ``CitizenNotFoundError``.
        """
        basis = clean_text(legal_basis, "legalBasis")
        appeal_ids = list(appeal_ids)
        if not self.vault.erase(citizen_id) and not appeal_ids:
            raise CitizenNotFoundError(citizen_id=citizen_id)
        return [
            self._erase(appeal_id, basis, actor)
            for appeal_id in appeal_ids
            if not self.get_appeal(appeal_id).erased
        ]

    def _erase(self, appeal_id: UUID, legal_basis: str, actor: Actor) -> Recorded:
        appeal = self._current(appeal_id, None)
        appeal.erase_personal_data(legal_basis=legal_basis, actor=actor, at=self.clock())
        return self._save(appeal, expected_version=None)
