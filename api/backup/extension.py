"""Proof that a log extends a checkpoint signed earlier: a restore, not a rewrite.

An auditor who kept a signed checkpoint (``/ledger/checkpoint``) from before a backup can
check a restored store against it: the checkpoint's signature must verify with the pinned
key, and an RFC 9162 consistency proof must show the checkpoint's tree to be a prefix of
the restored log. The proof is checked by ``ledger.verify``, the offline verifier's code,
not by the code that built the log.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from api.backup.errors import BackupError
from audit.service import AuditService
from ledger.verify import VerificationError, b64, verify_checkpoint, verify_consistency


@dataclass(frozen=True)
class CheckpointExtension:
    """A checked proof: the checkpoint's tree is a prefix of the log's tree now."""

    checkpoint_size: int
    checkpoint_root: bytes
    log_size: int
    log_root: bytes
    proof_hashes: int

    def describe(self) -> str:
        """One line for the operator."""
        return (
            f"the log of {self.log_size} leaves (root {b64(self.log_root)}) extends the "
            f"checkpoint of {self.checkpoint_size} leaves (root {b64(self.checkpoint_root)}); "
            f"consistency proof of {self.proof_hashes} hashes checked"
        )


def prove_extends(
    audit: AuditService, note: str, public_key: Ed25519PublicKey
) -> CheckpointExtension:
    """Check ``note``'s signature, then prove the log now extends it; ``BackupError`` if not.

    Codes: ``CHECKPOINT_INVALID`` (malformed, or not signed by ``public_key``),
    ``LOG_DOES_NOT_EXTEND_CHECKPOINT`` (the log is shorter, or its history differs).
    """
    try:
        checkpoint = verify_checkpoint(note, public_key, audit.config.key_name)
    except VerificationError as error:
        raise BackupError(
            "CHECKPOINT_INVALID", f"the checkpoint does not verify: {error}"
        ) from None
    if checkpoint.origin != audit.config.origin:
        raise BackupError(
            "CHECKPOINT_INVALID",
            f"the checkpoint is of log {checkpoint.origin!r}, not {audit.config.origin!r}",
        )
    head = audit.head()
    if checkpoint.size > head.size:
        raise BackupError(
            "LOG_DOES_NOT_EXTEND_CHECKPOINT",
            f"the log has {head.size} leaves, fewer than the checkpoint's "
            f"{checkpoint.size}: entries it covered are missing",
        )
    proof = audit.consistency_proof(checkpoint.size, head.size)
    if not verify_consistency(checkpoint.size, head.size, proof, checkpoint.root, head.root):
        raise BackupError(
            "LOG_DOES_NOT_EXTEND_CHECKPOINT",
            f"the log of {head.size} leaves does not extend the checkpoint of "
            f"{checkpoint.size} leaves: its history differs",
        )
    return CheckpointExtension(checkpoint.size, checkpoint.root, head.size, head.root, len(proof))
