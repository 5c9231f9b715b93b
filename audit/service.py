"""The audit services the CLI and the API call: catch up, sign, prove, export, verify.

Settings (read by ``api/settings.py``; defaults here): ``APPEALS_KEYS_DIR`` (``var/keys``,
holding ``checkpoint.key`` and ``checkpoint.pub``), ``APPEALS_LOG_ORIGIN``
(``appeals-ledger``, also the signed-note key name) and ``APPEALS_CHECKPOINT_INTERVAL``
(seconds between scheduled checkpoints, ``300``; ``0`` turns the schedule off).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
)
from eventsourcing.application import Application

from audit import (
    AuditLog,
    Head,
    StoredCheckpoint,
    Verifier,
    VerifyReport,
    audit_store_for,
)
from audit.errors import AuditError
from audit.keyfiles import PUBLIC_KEY, load_private_key, load_public_key, public_key_pem
from ledger.errors import NoCheckpointError, NotFoundError, ValidationError
from ledger.verify import (
    BUNDLE_FORMAT,
    b64,
    encode_bundle,
    format_checkpoint_body,
    sign_checkpoint,
)

logger = logging.getLogger("appeals.audit")


class AuditedStore(Protocol):
    """What the service reads of the composition root (``api.container.Container``)."""

    @property
    def ledger(self) -> Application[Any]:
        """The ledger whose stored events the log covers."""
        ...

    @property
    def events_table(self) -> str:
        """The name of the table those events are stored in."""
        ...


@dataclass(frozen=True)
class AuditConfig:
    """Where the checkpoint keys live and what the log calls itself."""

    keys_dir: Path = Path("var/keys")
    origin: str = "appeals-ledger"
    checkpoint_interval: float = 300.0

    @property
    def key_name(self) -> str:
        """The signed-note key name: the origin."""
        return self.origin


@dataclass(frozen=True)
class InclusionProof:
    """An event's leaf and its audit path in the tree of ``tree_size`` leaves."""

    appeal_id: UUID
    version: int
    notification_id: int
    leaf_index: int
    leaf_hash: bytes
    tree_size: int
    proof: list[bytes]


class AuditService:
    """The audit log of one ledger, with its checkpoints, proofs, bundles and verifier."""

    def __init__(self, container: AuditedStore, config: AuditConfig | None = None) -> None:
        self.config = config or AuditConfig()
        recorder: Any = container.ledger.recorder
        self.store = audit_store_for(recorder.datastore, container.events_table)
        self.store.create()
        self.log = AuditLog(self.store, recorder)
        self.on_signed: list[Callable[[StoredCheckpoint], object]] = []
        """Called with each new checkpoint once stored (the witnesses are asked here)."""

    def catch_up(self, batch_size: int = 10_000) -> int:
        """Log every stored event not yet logged; call after commands. Returns how many."""
        return self.log.catch_up(batch_size)

    def head(self) -> Head:
        """The log's size and root now."""
        return self.log.head()

    def list_checkpoints(self, limit: int | None = None) -> list[StoredCheckpoint]:
        """Stored checkpoints, newest first."""
        return self.store.checkpoints(limit=limit)

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        """The newest stored checkpoint."""
        newest = self.store.checkpoints(limit=1)
        return newest[0] if newest else None

    def published_key(self) -> bytes | None:
        """The PEM of the key checkpoints are signed with, for ``/ledger/public-key``."""
        if not (self.config.keys_dir / PUBLIC_KEY).exists():
            return None
        return public_key_pem(load_public_key(self.config.keys_dir))

    def latest_note(self) -> str | None:
        """The newest signed note's text, for ``/ledger/checkpoint``."""
        latest = self.latest_checkpoint()
        return latest.note if latest else None

    def sign_checkpoint(
        self, *, key: Ed25519PrivateKey | None = None, only_if_grown: bool = False
    ) -> StoredCheckpoint | None:
        """Catch up, check the log extends the last checkpoint, then sign and store its head."""
        self.catch_up()
        head, previous = self.head(), self.latest_checkpoint()
        if previous is not None:
            if previous.size > head.size or self.log.root(previous.size) != previous.root:
                raise AuditError(
                    f"the log no longer extends checkpoint {previous.id}: run `appeals verify`"
                )
            if only_if_grown and previous.size == head.size:
                return None
        signer = key or load_private_key(self.config.keys_dir)
        time = datetime.now(UTC).replace(microsecond=0)
        body = format_checkpoint_body(self.config.origin, head.size, head.root)
        note = sign_checkpoint(body, self.config.key_name, signer)
        ident = self.store.add_checkpoint(head.size, head.root, time, note)
        stored = StoredCheckpoint(ident, head.size, head.root, time, note)
        for listener in self.on_signed:
            listener(stored)
        return stored

    def inclusion_proof_for(
        self, appeal_id: UUID, version: int, checkpoint_size: int | None = None
    ) -> InclusionProof:
        """The proof that an event is a leaf of the tree of ``checkpoint_size`` leaves.

        Without a size, the latest checkpoint's; ``NoCheckpointError`` when none covers it.
        """
        latest = self.latest_checkpoint() if checkpoint_size is None else None
        size = checkpoint_size if latest is None else latest.size
        leaves = {leaf.version: leaf for leaf in self.log.leaves_of(str(appeal_id))}
        leaf = leaves.get(version)
        if checkpoint_size is None and (size is None or leaf is None or leaf.leaf_index >= size):
            raise NoCheckpointError(appeal_id=appeal_id, version=version)
        assert size is not None  # a size was given or the latest checkpoint gave one
        if not leaves:
            raise NotFoundError(appeal_id=appeal_id)
        if leaf is None:
            raise ValidationError(field="version", reason="names no event in the log")
        if not leaf.leaf_index < size <= self.head().size:
            raise ValidationError(field="checkpointSize", reason="does not cover this event")
        proof = self.log.inclusion_proof(leaf.leaf_index, size)
        return InclusionProof(
            appeal_id, version, leaf.notification_id, leaf.leaf_index, leaf.hash, size, proof
        )

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        """The proof that the tree of ``size1`` leaves is a prefix of the one of ``size2``."""
        if not 0 <= size1 <= size2 <= self.head().size:
            raise ValidationError(
                field="size2", reason="must satisfy 0 <= size1 <= size2 <= log size"
            )
        return self.log.consistency_proof(size1, size2)

    def export_bundle(self, appeal_id: UUID) -> bytes:
        """The offline-verifiable bundle of an appeal's events under the latest checkpoint."""
        checkpoint = self.latest_checkpoint()
        if checkpoint is None:
            raise AuditError("no checkpoint yet: run `appeals checkpoint`")
        leaves = [
            leaf for leaf in self.log.leaves_of(str(appeal_id)) if leaf.leaf_index < checkpoint.size
        ]
        if not leaves:
            if not self.log.leaves_of(str(appeal_id)):
                raise NotFoundError(appeal_id=appeal_id)
            raise AuditError(f"the latest checkpoint does not cover appeal {appeal_id} yet")
        states = {row[2]: row for row in self.store.stored_events_of(str(appeal_id))}
        public = load_public_key(self.config.keys_dir)
        events = []
        for leaf in leaves:
            stored = states.get(leaf.version)
            if stored is None:
                raise AuditError(
                    f"appeal {appeal_id} version {leaf.version} is missing from "
                    "the events table: run `appeals verify`"
                )
            events.append(
                {
                    "leaf_index": leaf.leaf_index,
                    "notification_id": stored[0],
                    "appeal_id": stored[1],
                    "version": stored[2],
                    "topic": stored[3],
                    "state": b64(stored[4]),
                    "leaf_hash": b64(leaf.hash),
                    "inclusion_proof": [
                        b64(h) for h in self.log.inclusion_proof(leaf.leaf_index, checkpoint.size)
                    ],
                }
            )
        return encode_bundle(
            {
                "format": BUNDLE_FORMAT,
                "appeal_id": str(appeal_id),
                "key_name": self.config.key_name,
                "public_key": b64(public.public_bytes(Encoding.Raw, PublicFormat.Raw)),
                "checkpoint": checkpoint.note,
                "events": events,
            }
        )

    def verify(
        self,
        *,
        progress: Callable[[int, int], None] | None = None,
        allow_pending: bool = False,
        public_key: Ed25519PublicKey | None = None,
    ) -> VerifyReport:
        """Re-derive the log from the raw events table and check everything against it.

        ``progress(done, total)`` is called after each page of events.
        """
        key = public_key or load_public_key(self.config.keys_dir)
        with self.store.snapshot() as snapshot:
            total, done = snapshot.count_events(), 0

            def advance(count: int) -> None:
                nonlocal done
                done += count
                if progress is not None:
                    progress(done, total)

            verifier = Verifier(
                snapshot,
                public_key=key,
                key_name=self.config.key_name,
                origin=self.config.origin,
                allow_pending=allow_pending,
                progress=advance,
            )
            return verifier.run()
