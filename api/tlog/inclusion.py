"""``/ledger/inclusion/<appeal id>``: an appeal's leaves and their proofs, for the audit page.

It discloses nothing the entry bundles do not (every leaf is public there); it only saves a
browser from scanning them. The browser checks each proof against the signed checkpoint
itself, so a wrong answer from here shows as a failure, never as a pass.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.tlog.cosigned import served_checkpoint
from api.tlog.tiles import entry
from audit.service import AuditService
from ledger.verify import b64


def inclusion(audit: AuditService, appeal_id: UUID) -> dict[str, Any] | None:
    """The latest checkpoint and each of the appeal's events it covers, or None."""
    latest = audit.latest_checkpoint()
    if latest is None:
        return None
    leaves = [leaf for leaf in audit.log.leaves_of(str(appeal_id)) if leaf.leaf_index < latest.size]
    if not leaves:
        return None
    return {
        "checkpoint": served_checkpoint(audit, latest),
        "events": [
            {
                "version": leaf.version,
                "leafIndex": leaf.leaf_index,
                "entry": b64(entry(leaf)),
                "proof": [b64(h) for h in audit.log.inclusion_proof(leaf.leaf_index, latest.size)],
            }
            for leaf in leaves
        ],
    }
