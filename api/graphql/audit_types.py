"""The auditor's view of the ledger: log head, signed checkpoints and Merkle proofs."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from api.graphql.access import require_reader
from api.graphql.context import off_loop
from api.graphql.errors import ApiError, bad_input, from_ledger
from api.graphql.types import Info
from audit.service import AuditService
from ledger.errors import LedgerError
from ledger.verify import b64


@strawberry.type(description="The audit log's current size and RFC 6962 root.")
class LogHead:
    size: int
    root: str = strawberry.field(description="Base64 SHA-256 Merkle tree hash.")
    position: int = strawberry.field(description="Last notification id in the log.")


@strawberry.type(description="A signed statement of tree size, root and time (signed note).")
class Checkpoint:
    id: int
    size: int
    root: str
    time: datetime
    note: str = strawberry.field(description="The signed note text, as at /ledger/checkpoint.")


@strawberry.type(description="An event's leaf and audit path in the tree of `treeSize` leaves.")
class InclusionProof:
    leaf_index: int
    leaf_hash: str = strawberry.field(description="Base64 SHA-256 of 0x00 ‖ leaf.")
    tree_size: int
    path: list[str] = strawberry.field(description="Base64 sibling hashes, leaf to root.")


@strawberry.type(description="The verifiable log behind every appeal history.")
class LedgerInfo:
    @strawberry.field
    async def head(self, info: Info) -> LogHead:
        audit = _audit(info)
        head = await off_loop(audit.head)
        return LogHead(size=head.size, root=b64(head.root), position=head.position)

    @strawberry.field(description="Stored checkpoints, newest first.")
    async def checkpoints(self, info: Info, limit: int = 20) -> list[Checkpoint]:
        if not 1 <= limit <= 100:
            raise bad_input("limit", "must be 1-100")
        stored = await off_loop(_audit(info).list_checkpoints, limit)
        return [
            Checkpoint(id=c.id, size=c.size, root=b64(c.root), time=c.time, note=c.note)
            for c in stored
        ]

    @strawberry.field(
        description="Base64 proof that the tree of size1 is a prefix of the one of size2."
    )
    async def consistency_proof(self, info: Info, size1: int, size2: int) -> list[str]:
        try:
            proof = await off_loop(_audit(info).consistency_proof, size1, size2)
        except LedgerError as error:
            raise from_ledger(error) from None
        return [b64(node) for node in proof]


async def inclusion_proof(
    info: Info, appeal_id: UUID, version: int, size: int | None
) -> InclusionProof:
    """An event's inclusion proof against a checkpoint size (default: the latest checkpoint)."""
    require_reader(info)
    try:
        proof = await off_loop(_audit(info).inclusion_proof_for, appeal_id, version, size)
    except LedgerError as error:
        raise from_ledger(error) from None
    return InclusionProof(
        leaf_index=proof.leaf_index,
        leaf_hash=b64(proof.leaf_hash),
        tree_size=proof.tree_size,
        path=[b64(n) for n in proof.proof],
    )


def ledger_info(info: Info) -> LedgerInfo:
    """The ``ledger`` root field: staff only."""
    require_reader(info)
    return LedgerInfo()


def _audit(info: Info) -> AuditService:
    audit = info.context.services.audit
    if audit is None:
        raise ApiError("UNAVAILABLE", "the audit log is not available in this process")
    return audit
