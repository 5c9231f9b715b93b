"""Re-derive the audit log from the raw events table and compare it with everything stored.

The events are read in notification order and hashed here; nothing the audit tables say is
trusted until it matches. Stored leaves are compared row by row, stored nodes level by level,
and every checkpoint's signature and root against the tree the events give.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.merkle import TreeBuilder
from ledger.verify import (
    EMPTY_ROOT,
    VerificationError,
    node_hash,
    parse_checkpoint,
    verify_checkpoint,
)
from projections.audit.divergence import Divergence, VerifyReport
from projections.audit.leaves import Leaf, fast_leaf_maker
from projections.audit.store import Snapshot, StoredCheckpoint

Progress = Callable[[int], None]
PAGE = 20_000
_INDEX = struct.Struct(">Q").pack


def _flat(pages: Iterator[list[Any]]) -> Iterator[Any]:
    for page in pages:
        yield from page


def _diagnose(leaf: Leaf, stored: Leaf | None) -> Divergence:
    """Name how a recomputed leaf differs from the stored one at the same position."""

    def at(kind: str, detail: str) -> Divergence:
        return Divergence(kind, leaf.appeal_id, leaf.version, leaf.notification_id,
                          leaf.leaf_index, detail=detail)  # fmt: skip

    if stored is None:
        return at("event-not-in-log", "the log ends before this event")
    if stored.leaf_index != leaf.leaf_index:
        return at("leaf-index-gap", f"stored leaf index {stored.leaf_index}")
    if stored.notification_id < leaf.notification_id:
        return Divergence("event-missing", stored.appeal_id, stored.version,
                          stored.notification_id, stored.leaf_index,
                          detail="the logged event is not in the events table")  # fmt: skip
    if stored.notification_id > leaf.notification_id:
        return at("event-not-in-log", "no leaf for this stored event")
    if (stored.appeal_id, stored.version) != (leaf.appeal_id, leaf.version):
        return at(
            "event-identity-altered",
            f"logged as appeal {stored.appeal_id} version {stored.version}",
        )
    if stored.topic != leaf.topic:
        return at("event-topic-altered", f"logged topic {stored.topic}")
    if stored.state_sha256 != leaf.state_sha256:
        return at("event-state-altered", "the stored bytes differ from the logged ones")
    return at("leaf-altered", "the stored leaf hash is not the leaf's")


class Verifier:
    """One verification pass over a consistent snapshot of the store."""

    def __init__(self, snapshot: Snapshot, *, public_key: Ed25519PublicKey, key_name: str,
                 origin: str, allow_pending: bool = False, page: int = PAGE,
                 progress: Progress | None = None, limit: int = 100) -> None:  # fmt: skip
        self.snapshot, self.public_key, self.key_name = snapshot, public_key, key_name
        self.origin, self.allow_pending, self.page = origin, allow_pending, page
        self.progress = progress or (lambda advance: None)
        self.limit = limit
        self.report = VerifyReport()

    def add(self, divergence: Divergence) -> None:
        """Record a divergence, keeping at most ``limit``."""
        if len(self.report.divergences) < self.limit:
            self.report.divergences.append(divergence)
        else:
            self.report.truncated = True

    def run(self) -> VerifyReport:
        """Check everything; the report's first divergence is the earliest in log order."""
        checkpoints = self.snapshot.checkpoints()
        position, size = self.snapshot.tracking()
        roots, levels, aligned = self._replay(self._checkpoint_sizes(checkpoints), position)
        if aligned:
            self._check_tracking(position, size)
            self._check_nodes(levels)
        for checkpoint in checkpoints:
            self._check_checkpoint(checkpoint, roots)
        self.report.checkpoints = len(checkpoints)
        return self.report

    def _checkpoint_sizes(self, checkpoints: list[StoredCheckpoint]) -> set[int]:
        sizes = {cp.size for cp in checkpoints}
        for checkpoint in checkpoints:
            with suppress(VerificationError):  # reported when the checkpoint is checked
                sizes.add(parse_checkpoint(checkpoint.note).size)
        return sizes

    def _replay(
        self, sizes: set[int], position: int
    ) -> tuple[dict[int, bytes], dict[int, bytes], bool]:
        """Hash every event into leaves and the tree; compare leaves and versions on the way.

        Returns the roots at the checkpoint sizes, a digest of each level's nodes, and
        whether every stored leaf matched.
        """
        make, builder, report = fast_leaf_maker(), TreeBuilder(), self.report
        roots = {0: EMPTY_ROOT}
        digests: dict[int, Any] = {}
        versions: dict[str, int] = {}
        stored_leaves = _flat(self.snapshot.leaves(self.page))
        aligned = True
        for page in self.snapshot.events(self.page):
            for nid, appeal_id, version, topic, state in page:
                index = builder.size
                leaf = make(index, nid, appeal_id, version, topic, state)
                expected = versions.get(appeal_id, 0) + 1
                if version != expected:
                    self.add(Divergence("version-gap", appeal_id, version, nid, index,
                                        detail=f"expected version {expected}"))  # fmt: skip
                versions[appeal_id] = version
                if aligned:
                    stored = next(stored_leaves, None)
                    if stored != leaf:
                        if stored is None and self.allow_pending and nid > position:
                            report.pending += 1  # written after the last catch-up
                            continue
                        self.add(_diagnose(leaf, stored))
                        aligned = False
                for level, node_index, digest in builder.append(leaf.hash)[1:]:
                    if level not in digests:
                        digests[level] = hashlib.sha256()
                    digests[level].update(_INDEX(node_index) + digest)
                if builder.size in sizes:
                    roots[builder.size] = builder.root()
            self.progress(len(page))
        report.events, report.appeals, report.root = builder.size, len(versions), builder.root()
        if aligned and (extra := next(stored_leaves, None)) is not None:
            self.add(Divergence("event-missing", extra.appeal_id, extra.version,
                                extra.notification_id, extra.leaf_index,
                                detail="the logged event is not in the events table"))  # fmt: skip
            aligned = False
        report.leaves = builder.size if aligned else 0
        return roots, {level: d.digest() for level, d in digests.items()}, aligned

    def _check_tracking(self, position: int, size: int) -> None:
        if size != self.report.leaves:
            self.add(Divergence("tracking-altered",
                                detail=f"size {size}, leaves {self.report.leaves}"))  # fmt: skip

    def _check_nodes(self, levels: dict[int, bytes]) -> None:
        """Compare each stored level with the recomputed one; locate the first bad node."""
        for level in sorted(set(levels) | set(self.snapshot.levels())):
            digest, count = hashlib.sha256(), 0
            for page in self.snapshot.level(level, self.page):
                count += len(page)
                digest.update(b"".join(_INDEX(index) + bytes(hashed) for index, hashed in page))
            self.report.nodes += count
            if digest.digest() != levels.get(level):
                self.add(self._locate_node(level))
                return

    def _locate_node(self, level: int) -> Divergence:
        """Find the first stored node of ``level`` that is not the hash of its stored children."""
        children: Iterator[tuple[int, bytes]]
        if level == 1:
            children = (
                (leaf.leaf_index, leaf.hash) for leaf in _flat(self.snapshot.leaves(self.page))
            )
        else:
            children = _flat(self.snapshot.level(level - 1, self.page))
        stored = _flat(self.snapshot.level(level, self.page))
        expected_index = 0
        for left, right in zip(children, children, strict=False):
            expected = (expected_index, node_hash(left[1], right[1]))
            got = next(stored, None)
            if got is None or (got[0], bytes(got[1])) != expected:
                return Divergence("node-altered", detail=f"level {level} index {expected_index}")
            expected_index += 1
        extra = next(stored, None)
        where = f"level {level} index {extra[0] if extra else expected_index}"
        return Divergence("node-altered", detail=f"{where}: no such subtree")

    def _check_checkpoint(self, stored: StoredCheckpoint, roots: dict[int, bytes]) -> None:
        total = self.report.events
        try:
            note = verify_checkpoint(stored.note, self.public_key, self.key_name)
        except VerificationError as error:
            self.add(Divergence(error.reason, checkpoint_id=stored.id, detail=str(error)))
            return
        if note.origin != self.origin:
            self.add(Divergence("checkpoint-origin-unknown", checkpoint_id=stored.id,
                                detail=note.origin))  # fmt: skip
        if (note.size, note.root, note.time) != (stored.size, stored.root, stored.time):
            self.add(
                Divergence(
                    "checkpoint-row-altered",
                    checkpoint_id=stored.id,
                    detail="the row's size, root or time is not what was signed",
                )
            )
        if note.size > total:
            self.add(Divergence("checkpoint-beyond-log", checkpoint_id=stored.id,
                                detail=f"signed {note.size} events, the store gives {total}: "
                                f"{note.size - total} removed"))  # fmt: skip
        elif roots.get(note.size) != note.root:
            self.add(Divergence("checkpoint-root-mismatch", checkpoint_id=stored.id,
                                detail=f"the events do not give the root signed at size "
                                f"{note.size}"))  # fmt: skip
