"""Receiving an appeal: validate what arrived, seal the citizen's data, record it once."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ledger.business_time import BusinessClock
from ledger.domain import Appeal, appeal_id_for
from ledger.errors import ConflictError
from ledger.privacy import Citizen, CitizenVault
from ledger.records import Recorded
from ledger.values import SYSTEM, Actor, Channel, clean_name, clean_text, parse_enum

if TYPE_CHECKING:
    from uuid import UUID

__all__ = ["Intake"]


class Intake:
    """The ``receive_appeal`` half of ``AppealsLedger``."""

    vault: CitizenVault
    business: BusinessClock

    if TYPE_CHECKING:

        def get_appeal(self, appeal_id: UUID) -> Appeal: ...

        def _save(self, appeal: Appeal, *, expected_version: int | None) -> Recorded: ...

    def receive_appeal(
        self,
        *,
        channel: str,
        external_id: str,
        text: str,
        body: str,
        citizen: Citizen | None = None,
        citizen_ref: str | None = None,
        category: str | None = None,
        location: str | None = None,
        actor: Actor = SYSTEM,
        at: datetime | None = None,
        time_reason: str | None = None,
        source: str | None = None,
        department: str | None = None,
    ) -> Recorded:
        """Record a received message; a re-delivery returns the existing appeal unchanged."""
        appeal = self.new_appeal(
            channel=channel,
            external_id=external_id,
            text=text,
            body=body,
            citizen=citizen,
            citizen_ref=citizen_ref,
            category=category,
            location=location,
            actor=actor,
            at=at,
            time_reason=time_reason,
            source=source,
            department=department,
        )
        try:
            # Optimistic: a new message is the common case, so try the insert first; the
            # store's uniqueness refuses a re-delivery, which then reads what is stored.
            return self._save(appeal, expected_version=None)
        except ConflictError:
            # Received before (perhaps by another writer a moment ago): that is the appeal.
            current = self.get_appeal(appeal.id)
            return Recorded(current.id, current.version, None, created=False)

    def new_appeal(
        self,
        *,
        channel: str,
        external_id: str,
        text: str,
        body: str,
        citizen: Citizen | None = None,
        citizen_ref: str | None = None,
        category: str | None = None,
        location: str | None = None,
        actor: Actor = SYSTEM,
        at: datetime | None = None,
        time_reason: str | None = None,
        source: str | None = None,
        department: str | None = None,
    ) -> Appeal:
        """Validate intake and build an unsaved appeal (batch imports save many at once).

        ``at`` is the source platform's time of the message (default now); ``time_reason``
        says why it is stated otherwise (a migration), and is recorded.
        """
        kind = parse_enum(Channel, channel, "channel")
        external = clean_name(external_id, "externalId")
        appeal_id = appeal_id_for(kind.value, external)
        clean = clean_text(text, "text")
        citizen_id = sealed = None
        sealed_text = clean
        if citizen is not None and not citizen.is_anonymous:
            citizen_id = clean_name(citizen_ref or f"c-{appeal_id.hex[:16]}", "citizenId")
            # The text is the citizen's too (people write their address and phone into it),
            # so it is sealed under their key; an anonymous appeal's stays in clear.
            sealed, sealed_text = self.vault.seal_intake(citizen_id, citizen, clean)
        return Appeal(
            channel=kind.value,
            external_id=external,
            text=sealed_text,
            text_key=citizen_id,
            body=clean_name(body, "body"),
            citizen_id=citizen_id,
            citizen=sealed,
            category=clean_name(category, "category") if category is not None else None,
            location=clean_name(location, "location") if location is not None else None,
            actor_id=actor.id,
            actor_role=actor.role.value,
            at=self.business.time_of(at, "receivedAt"),
            time_reason=clean_text(time_reason, "timeReason") if time_reason is not None else None,
            source=clean_name(source, "source") if source is not None else None,
            department=clean_name(department, "department") if department is not None else None,
        )
