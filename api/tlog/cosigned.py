"""The checkpoint as served: the log's signed note with the witnesses' cosignatures added."""

from __future__ import annotations

from api.audit import AuditService
from api.tlog.witness import cosignature_store
from projections.audit import StoredCheckpoint


def served_checkpoint(audit: AuditService, checkpoint: StoredCheckpoint) -> str:
    """The note with every stored cosignature line of this checkpoint after the log's own."""
    return checkpoint.note + "".join(cosignature_store(audit).lines(checkpoint.id))


def latest_served(audit: AuditService) -> str | None:
    """The newest checkpoint with its cosignatures, for ``/ledger/checkpoint``."""
    latest = audit.latest_checkpoint()
    return None if latest is None else served_checkpoint(audit, latest)
