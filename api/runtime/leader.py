"""One projection duty per store: the API process holding a lock runs it, the others stand by.

Every API process used to start its own projection worker and audit keeper. With several
uvicorn workers (or hosts) on one PostgreSQL they raced for the same batches: the losers read
and decoded events only to find the position moved, and their read-your-writes waiters lagged
behind. Now a process runs the duty only while it holds a lock, and another takes over
within ``RETRY_SECONDS`` when it stops or dies. (After a lost session the two may overlap
for up to that long; that is safe, as runners and the log keeper are exactly-once anyway.)

- PostgreSQL: a session advisory lock on a connection of its own. A crashed process's
  session ends, and the lock with it.
- SQLite: an exclusive ``flock`` on a file beside the database. The kernel drops it when the
  process exits.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol

import psycopg

from api.storage.store import Store
from projections.daemon import DaemonThread

log = logging.getLogger("appeals.leader")
RETRY_SECONDS = 1.0
HOLD_CHECK = 0.25
"""Seconds between the holder's checks that its lock and duty still live: a lost session
(the database restarted, the connection ended) is noticed within this, not a second."""
# pg_advisory_lock keys are bigints; this one spells "appeals projections" in short.
ADVISORY_KEY = 0x41_50_50_45_41_4C_53_50


class Duty(Protocol):
    """What the holder runs: started on acquiring the lock, stopped before releasing it."""

    def start(self) -> None: ...

    def alive(self) -> bool: ...

    def stop(self) -> None: ...


class Lock(Protocol):
    """A non-blocking exclusive lock that can tell whether it is still held."""

    def acquire(self) -> bool: ...

    def alive(self) -> bool: ...

    def release(self) -> None: ...


class Leadership(DaemonThread):
    """A thread that holds the lock when it can and runs the duty while it does.

    ``stop()`` stops the duty if it runs here, then lets the lock go.
    """

    thread_name = "leadership"
    stop_timeout = 30.0

    def __init__(self, lock: Lock, duty: Callable[[], Duty]) -> None:
        super().__init__()
        self.lock = lock
        self.duty = duty
        self.held = False

    def _run(self) -> None:
        # A failure (the database unreachable) ends this session; DaemonThread retries it.
        try:
            while not self._stop.is_set():
                acquired = self.lock.acquire()
                self._healthy()  # the database answered, whoever holds the lock
                if acquired:
                    led = time.monotonic()
                    self._lead()
                    if time.monotonic() - led > RETRY_SECONDS:
                        continue  # it ran a while, then lost the lock: contend again at once
                self._stop.wait(RETRY_SECONDS)
        finally:
            self.lock.release()  # a standby's session too

    def _lead(self) -> None:
        try:
            duty = self.duty()
            try:
                duty.start()
                self.held = True
                log.info("this process now runs the projections and the audit log")
                self._hold(duty)
            finally:
                duty.stop()
        finally:
            # Let go even when the duty failed to start or stop, so another process leads.
            self.lock.release()
            self.held = False

    def _hold(self, duty: Duty) -> None:
        while not self._stop.wait(HOLD_CHECK):
            if not self.lock.alive():
                log.warning("lost the projection lock; standing by")
                return
            if not duty.alive():
                log.error("the projection duty stopped; releasing the lock")
                return


class AdvisoryLock:
    """A PostgreSQL session advisory lock on a dedicated autocommit connection."""

    def __init__(self, conninfo: str, key: int = ADVISORY_KEY, *, connect_timeout: int = 2) -> None:
        self.conninfo = conninfo
        self.key = key
        self.connect_timeout = connect_timeout
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None

    def acquire(self) -> bool:
        """Take the lock if nobody holds it.

        A standby asks every second on one session it keeps open, rather than opening a
        connection for each attempt; a session that broke is replaced on the next one.
        """
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(
                self.conninfo, autocommit=True, connect_timeout=max(2, self.connect_timeout)
            )
        try:
            row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        except psycopg.Error:
            self.release()
            raise
        return row is not None and bool(row[0])

    def alive(self) -> bool:
        """Whether the session that holds the lock still answers."""
        if self._conn is None:
            return False
        try:
            self._conn.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def release(self) -> None:
        """End the session; the server drops its locks (a standby's session goes too)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class FileLock:
    """An exclusive ``flock`` on a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        """Take the lock if no other process holds it."""
        self.release()
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def alive(self) -> bool:
        """A held flock cannot be lost while the file stays open."""
        return self._file is not None

    def release(self) -> None:
        """Close the file, which drops the lock."""
        if self._file is not None:
            self._file.close()
            self._file = None


def lock_for(store: Store) -> Lock:
    """The lock that elects one projection runner on this store."""
    if store.path is not None:
        return FileLock(store.path.with_name(store.path.name + ".projections.lock"))
    return AdvisoryLock(store.conninfo, connect_timeout=store.connect_timeout)
