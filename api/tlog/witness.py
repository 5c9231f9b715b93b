"""Asking witnesses to cosign each new checkpoint (``tlog-witness``), and keeping what they say.

After the log signs a checkpoint it sends each witness in ``APPEALS_WITNESSES`` the size that
witness last cosigned, a consistency proof from there, and the checkpoint. A witness that
holds another size answers 409 with it, and the request is made once more from that size. A
cosignature is verified with the witness's key before it is kept and served. A refusal, or
a witness that cannot be reached, is an ERROR in the log (``appeals.witness``) and counts in
``appeals_witness_refusals`` on ``/metrics``: a refusal of a consistent log's checkpoint
means someone was shown another history.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from api.tlog.cosignatures import CosignatureStore
from api.tlog.cosigned import cosignature_store
from audit import StoredCheckpoint
from audit.service import AuditService
from ledger.verify import VerificationError, b64
from ledger.verify.cosignature import split_note, verify_cosignature
from ledger.verify.vkey import VerifierKey, parse_verifier_key

log = logging.getLogger("appeals.witness")
SIZE_TYPE = "text/x.tlog.size"


class WitnessRefusedError(Exception):
    """The witness did not cosign; the message says what it answered."""


@dataclass(frozen=True)
class WitnessPeer:
    """One witness: where to reach it and the key its cosignatures must verify with."""

    url: str
    vkey: VerifierKey


class Witnessing:
    """Submits signed checkpoints to every configured witness and stores their cosignatures."""

    def __init__(
        self,
        audit: AuditService,
        peers: list[WitnessPeer],
        store: CosignatureStore,
        timeout: float = 10.0,
    ) -> None:
        self.audit, self.peers, self.store, self.timeout = audit, peers, store, timeout

    def submit(self, checkpoint: StoredCheckpoint) -> dict[str, str]:
        """Ask every witness; return each one's failure by name (empty: all cosigned)."""
        failures = {}
        for peer in self.peers:
            try:
                self._ask(peer, checkpoint)
            except (WitnessRefusedError, httpx.HTTPError, VerificationError) as error:
                reason = f"{type(error).__name__}: {error}"
                log.error(
                    "witness %s refused checkpoint %d (size %d): %s",
                    peer.vkey.name,
                    checkpoint.id,
                    checkpoint.size,
                    reason,
                )
                self.store.refuse(peer.vkey.name, reason)
                failures[peer.vkey.name] = reason
        return failures

    def _ask(self, peer: WitnessPeer, checkpoint: StoredCheckpoint) -> None:
        body, _ = split_note(checkpoint.note)
        old = self.store.cosigned_size(peer.vkey.name)
        for attempt in (1, 2):
            if old > checkpoint.size:
                raise WitnessRefusedError(
                    f"the witness holds size {old}, above this checkpoint's {checkpoint.size}"
                )
            proof = self.audit.consistency_proof(old, checkpoint.size) if old else []
            request = f"old {old}\n" + "".join(b64(h) + "\n" for h in proof) + "\n"
            answer = httpx.post(
                peer.url.rstrip("/") + "/add-checkpoint",
                content=(request + checkpoint.note).encode(),
                timeout=self.timeout,
            )
            is_size = answer.headers.get("content-type", "").startswith(SIZE_TYPE)
            if answer.status_code == 409 and is_size and attempt == 1:
                old = _size(answer.text)
                continue
            if answer.status_code != 200:
                raise WitnessRefusedError(f"{answer.status_code} {answer.text.strip()[:200]}")
            _, lines = split_note(body + "\n" + answer.text)
            mine = [line for line in lines if line.key_id == peer.vkey.key_id]
            if not mine:
                raise WitnessRefusedError("200 without a cosignature by its key")
            verify_cosignature(body, mine[0], peer.vkey)
            self.store.add(checkpoint.id, peer.vkey.name, mine[0].text(), checkpoint.size)
            return
        raise WitnessRefusedError("409 twice")


def _size(text: str) -> int:
    value = text.strip()
    if not value.isdigit():
        raise WitnessRefusedError(f"409 with a size that is not a number: {value[:40]!r}")
    return int(value)


def attach_witnesses(audit: AuditService, witnesses: tuple[tuple[str, str], ...]) -> None:
    """Have every checkpoint this service signs submitted to these witnesses."""
    store = cosignature_store(audit)
    if witnesses:
        peers = [WitnessPeer(url, parse_verifier_key(vkey)) for url, vkey in witnesses]
        audit.on_signed.append(Witnessing(audit, peers, store).submit)
