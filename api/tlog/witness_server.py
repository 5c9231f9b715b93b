"""``appeals witness serve``: a minimal ``tlog-witness`` that cosigns consistent checkpoints.

``POST /add-checkpoint`` takes ``old <size>``, the consistency proof lines, a blank line and
the checkpoint. It answers 404 for a log it does not know, 403 when the log's signature does
not verify, 400 for a malformed request or an old size above the new one, 409 (with the
size it holds, ``text/x.tlog.size``) when the old size is not the one it cosigned last, 409
for a tree of that same size with another root (a split view), 422 when the proof does not
hold, and otherwise records the tree and answers its cosignature line. Refusals of a
correctly signed checkpoint are logged: they may be proof of a misbehaving log.
"""

from __future__ import annotations

import logging
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from api.tlog.witness_state import Seen, WitnessState
from ledger.verify import VerificationError, verify_consistency
from ledger.verify.cosignature import OpenedCheckpoint, cosign, open_checkpoint
from ledger.verify.encoding import from_b64
from ledger.verify.vkey import VerifierKey

log = logging.getLogger("appeals.witness")
MAX_BODY = 64 * 1024
MAX_PROOF = 63


class WitnessRefusal(Exception):
    """A refusal with its HTTP status and body."""

    def __init__(self, status: int, body: str, *, media_type: str = "text/plain") -> None:
        super().__init__(body)
        self.status, self.body, self.media_type = status, body, media_type


class Witness:
    """The witness's key, the logs it trusts (by origin) and its state."""

    def __init__(
        self, name: str, key: Ed25519PrivateKey, logs: list[VerifierKey], state: WitnessState
    ) -> None:
        self.name, self.key, self.state = name, key, state
        self.logs = {vkey.name: vkey for vkey in logs}

    def add_checkpoint(self, request: str) -> str:
        """Check one request and return the cosignature line, or raise ``WitnessRefusal``."""
        old, proof, note = _parse(request)
        origin = note.split("\n", 1)[0]
        vkey = self.logs.get(origin)
        if vkey is None:
            raise WitnessRefusal(404, "unknown log\n")
        try:
            checkpoint = open_checkpoint(note, vkey)
        except VerificationError as error:
            status = 400 if error.reason == "checkpoint-malformed" else 403
            raise WitnessRefusal(status, f"{error.reason}\n") from None
        if old > checkpoint.size:
            raise WitnessRefusal(400, "old size is above the checkpoint's size\n")
        with self.state.locked():
            self._check(checkpoint, old, proof)
            line = cosign(checkpoint.body, self.name, self.key, int(time.time()))
            self.state.record(origin, Seen(checkpoint.size, checkpoint.root))
        return line.text()

    def _check(self, checkpoint: OpenedCheckpoint, old: int, proof: list[bytes]) -> None:
        seen = self.state.get(checkpoint.origin) or Seen(0, b"")
        if old != seen.size:
            raise WitnessRefusal(409, f"{seen.size}\n", media_type="text/x.tlog.size")
        if old == checkpoint.size and seen.size and seen.root != checkpoint.root:
            log.error("split view: %s signed two trees of size %d", checkpoint.origin, old)
            raise WitnessRefusal(409, "another tree of this size was cosigned\n")
        if old == 0 or old == checkpoint.size:
            holds = not proof
        else:
            holds = verify_consistency(old, checkpoint.size, proof, seen.root, checkpoint.root)
        if not holds:
            log.error(
                "inconsistent: %s size %d does not extend the cosigned size %d",
                checkpoint.origin,
                checkpoint.size,
                old,
            )
            raise WitnessRefusal(422, "the consistency proof does not hold\n")


def _parse(request: str) -> tuple[int, list[bytes], str]:
    head, separator, note = request.partition("\n\n")
    lines = head.split("\n")
    if not separator or not lines[0].startswith("old ") or len(lines) > MAX_PROOF + 1:
        raise WitnessRefusal(400, "malformed request\n")
    size = lines[0][4:]
    if not size.isdigit() or str(int(size)) != size:
        raise WitnessRefusal(400, "malformed old size\n")
    try:
        proof = [from_b64(line, "proof", 32) for line in lines[1:]]
    except VerificationError:
        raise WitnessRefusal(400, "malformed proof line\n") from None
    return int(size), proof, note


def witness_app(witness: Witness) -> Starlette:
    """The witness's HTTP interface."""

    async def add_checkpoint(request: Request) -> Response:
        body = await request.body()
        try:
            if len(body) > MAX_BODY:
                raise WitnessRefusal(400, "request too large\n")
            text = body.decode("utf-8")
            return PlainTextResponse(witness.add_checkpoint(text))
        except UnicodeDecodeError:
            return PlainTextResponse("malformed request\n", status_code=400)
        except WitnessRefusal as refusal:
            return Response(refusal.body, status_code=refusal.status, media_type=refusal.media_type)

    return Starlette(routes=[Route("/add-checkpoint", add_checkpoint, methods=["POST"])])
