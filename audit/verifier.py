"""Re-derive the audit log from the raw events table and compare it with everything stored.

The events are read in notification order and hashed here; nothing the audit tables say is
trusted until it matches. Stored leaves are compared page by page, stored nodes level by
level, and every checkpoint's signature and root against the tree the events give.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, suppress

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from audit.divergence import Divergence, VerifyReport
from audit.leaves import EventHead, Leaf, hash_page, parse_head
from audit.levels import LevelBuilder
from audit.nodes import locate_node
from audit.prefetch import prefetch
from audit.store import Incomplete, Snapshot, StoredCheckpoint
from ledger.verify import EMPTY_ROOT, VerificationError, parse_checkpoint, verify_checkpoint

Progress = Callable[[int], None]
PAGE = 20_000


def diagnose(leaf: Leaf, stored: Leaf | None) -> Divergence:
    """Name how a recomputed leaf differs from the stored one at the same position."""

    def at(kind: str, detail: str) -> Divergence:
        return Divergence(
            kind, leaf.appeal_id, leaf.version, leaf.notification_id, leaf.leaf_index, detail=detail
        )

    if stored is None:
        return at("event-not-in-log", "the log ends before this event")
    if stored.leaf_index != leaf.leaf_index:
        return at("leaf-index-gap", f"stored leaf index {stored.leaf_index}")
    if stored.notification_id < leaf.notification_id:
        return Divergence(
            "event-missing",
            stored.appeal_id,
            stored.version,
            stored.notification_id,
            stored.leaf_index,
            detail="the logged event is not in the events table",
        )
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
    return at("leaf-altered", "the stored leaf is not the hash of its contents")


class Verifier:
    """One verification pass over a consistent snapshot of the store."""

    def __init__(
        self,
        snapshot: Snapshot,
        *,
        public_key: Ed25519PublicKey,
        key_name: str,
        origin: str,
        allow_pending: bool = False,
        page: int = PAGE,
        progress: Progress | None = None,
        limit: int = 100,
    ) -> None:
        self.snapshot, self.public_key, self.key_name = snapshot, public_key, key_name
        self.origin, self.allow_pending, self.page = origin, allow_pending, page
        self.progress = progress or (lambda advance: None)
        self.limit = limit
        self.report = VerifyReport()
        self._events: list[Divergence] = []
        self._checkpoints: list[Divergence] = []

    def run(self) -> VerifyReport:
        """Check everything; the report lists divergences in log order, checkpoints last."""
        checkpoints = self.snapshot.checkpoints()
        position, size = self.snapshot.tracking()
        until = position if self.allow_pending else None
        with ThreadPoolExecutor(max_workers=2 if self.snapshot.parallel else 1) as side:
            appeals = side.submit(self.snapshot.appeals, self.limit)
            stored_levels = side.submit(self.snapshot.level_digests)
            if not self.snapshot.parallel:  # one connection: let the side work finish first
                appeals.result(), stored_levels.result()
            roots, tree, aligned = self._replay(self._checkpoint_sizes(checkpoints), until)
            self._check_versions(*appeals.result())
            if aligned:
                self._check_nodes(tree, stored_levels.result())
        if until is not None:
            self.report.pending = self.snapshot.count_events(after=position)
        if aligned and size != tree.size:
            self._events.append(
                Divergence("tracking-altered", detail=f"size {size}, leaves {tree.size}")
            )
        for checkpoint in checkpoints:
            self._check_checkpoint(checkpoint, roots)
        self.report.checkpoints = len(checkpoints)
        self._events.sort(key=lambda d: (d.notification_id is None, d.notification_id or 0))
        found = self._events + self._checkpoints
        self.report.divergences = found[: self.limit]
        self.report.truncated = len(found) > self.limit
        return self.report

    def _checkpoint_sizes(self, checkpoints: list[StoredCheckpoint]) -> list[int]:
        sizes = {cp.size for cp in checkpoints}
        for checkpoint in checkpoints:
            with suppress(VerificationError):  # reported when the checkpoint is checked
                sizes.add(parse_checkpoint(checkpoint.note).size)
        return sorted(sizes)

    def _replay(
        self, sizes: list[int], until: int | None
    ) -> tuple[dict[int, bytes], LevelBuilder, bool]:
        """Hash every event into leaves and the tree, comparing each page with stored leaves."""
        tree, wanted, roots, aligned = LevelBuilder(), set(sizes), {0: EMPTY_ROOT}, True
        with (
            closing(prefetch(self.snapshot.event_pages(sizes, self.page, until=until))) as pages,
            closing(prefetch(self.snapshot.leaf_pages(sizes, self.page))) as leaf_pages,
        ):
            for (start, events), (_, stored, stored_hashes) in zip(pages, leaf_pages, strict=False):
                inputs, digests, hashes = hash_page(start, events)
                if aligned and (stored != b"".join(inputs) or stored_hashes != b"".join(hashes)):
                    self._events.append(self._first_difference(start, events, digests, hashes))
                    aligned = False
                tree.extend(hashes)
                if tree.size in wanted:
                    roots[tree.size] = tree.root()
                self.progress(len(events))
        if aligned and (extra := self.snapshot.leaves_between(tree.size, tree.size + 1)):
            leaf = extra[0]
            self._events.append(
                Divergence(
                    "event-missing",
                    leaf.appeal_id,
                    leaf.version,
                    leaf.notification_id,
                    leaf.leaf_index,
                    detail="the logged event is not in the events table",
                )
            )
            aligned = False
        self.report.events, self.report.root = tree.size, tree.root()
        self.report.leaves = tree.size if aligned else 0
        return roots, tree, aligned

    def _first_difference(
        self, start: int, events: list[EventHead], digests: list[bytes], hashes: list[bytes]
    ) -> Divergence:
        stored = self.snapshot.leaves_between(start, start + len(events))
        for offset, (head, _) in enumerate(events):
            leaf = Leaf(start + offset, *parse_head(head), digests[offset], hashes[offset])
            found = stored[offset] if offset < len(stored) else None
            if found != leaf:
                return diagnose(leaf, found)
        return Divergence("leaf-altered", leaf_index=start, detail="a stored leaf is malformed")

    def _check_versions(self, appeals: int, incomplete: list[Incomplete]) -> None:
        self.report.appeals = appeals
        for appeal_id, versions in incomplete:
            expected = 1
            for version, nid in versions:
                if version != expected:
                    self._events.append(
                        Divergence(
                            "version-gap",
                            appeal_id,
                            version,
                            nid,
                            detail=f"version {expected} is missing",
                        )
                    )
                    break
                expected += 1

    def _check_nodes(self, tree: LevelBuilder, stored: dict[int, tuple[bytes, int]]) -> None:
        """Compare each stored level with the recomputed one; locate the first bad node."""
        expected = tree.level_digests()
        self.report.nodes = sum(count for _, count in stored.values())
        for level in sorted(set(expected) | set(stored)):
            if stored.get(level) != expected.get(level):
                count = expected.get(level, (b"", 0))[1]
                self._events.append(locate_node(self.snapshot, level, count))
                return

    def _check_checkpoint(self, stored: StoredCheckpoint, roots: dict[int, bytes]) -> None:
        found, total = self._checkpoints, self.report.events

        def add(kind: str, detail: str) -> None:
            found.append(Divergence(kind, checkpoint_id=stored.id, detail=detail))

        try:
            note = verify_checkpoint(stored.note, self.public_key, self.key_name)
        except VerificationError as error:
            add(error.reason, str(error))
            return
        if note.origin != self.origin:
            add("checkpoint-origin-unknown", note.origin)
        signed_time = stored.time if note.time is None else note.time  # older notes had it
        if (note.size, note.root, signed_time) != (stored.size, stored.root, stored.time):
            add("checkpoint-row-altered", "the row's size, root or time is not what was signed")
        if note.size > total:
            add(
                "checkpoint-beyond-log",
                f"signed {note.size} events, the store gives {total}: {note.size - total} removed",
            )
        elif roots.get(note.size) != note.root:
            add(
                "checkpoint-root-mismatch",
                f"the events do not give the root signed at size {note.size}",
            )
