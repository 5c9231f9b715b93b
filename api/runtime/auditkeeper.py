"""The API's audit duty: keep the Merkle log caught up and sign checkpoints on a schedule."""

from __future__ import annotations

import logging
import time

from audit.errors import AuditError
from audit.keyfiles import load_private_key
from audit.service import AuditService
from projections.daemon import DaemonThread

log = logging.getLogger("appeals.audit")
CATCH_UP_EVERY = 0.5


class AuditKeeper(DaemonThread):
    """A daemon thread: catch up twice a second, sign when the interval has passed."""

    thread_name = "audit-keeper"

    def __init__(self, audit: AuditService) -> None:
        super().__init__()
        self.audit = audit
        self._next_checkpoint = time.monotonic() + audit.config.checkpoint_interval

    def _run(self) -> None:
        # A failed step ends this session; DaemonThread retries it after a backoff.
        interval = self.audit.config.checkpoint_interval
        while not self._stop.wait(CATCH_UP_EVERY):
            self.audit.catch_up()
            if interval > 0 and time.monotonic() >= self._next_checkpoint:
                self._next_checkpoint = time.monotonic() + interval
                self._sign()
            self._healthy()

    def _sign(self) -> None:
        try:
            key = load_private_key(self.audit.config.keys_dir)
        except AuditError:
            log.warning(
                "no checkpoint key in %s: run `appeals keys generate`", self.audit.config.keys_dir
            )
            return
        self.audit.sign_checkpoint(key=key, only_if_grown=True)
