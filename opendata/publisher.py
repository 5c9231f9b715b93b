"""The duty's publisher: builds the open-data package once for every API process, into the store.

It runs beside the projections in the one process that holds the duty (``api.runtime.duty``),
so the package is built once per store, not once per API worker. Every ``check`` seconds it
compares the stored package's stamp with the statistics view and the clock, and builds when:

- no package is stored yet;
- the hour moved ("overdue now" is counted at the hour), at once;
- the view moved, at most once per ``refresh`` seconds after the last build ended, and never
  sooner than the last build took: under a steady stream of appeals a slow build on a big
  store would otherwise run back to back and take the duty's CPU from the projections.

While the view is more than ``CATCHING_UP`` events behind the log (a rebuild, a start after
downtime) the stored package stays as it is: it shows an older state, but a whole one. Only
when there is none yet is one built from the view as it stands, and it is replaced as soon
as the view has caught up.

The debounce is taken from the stored stamp, so a process that takes the duty over does not
rebuild at once what the previous holder just built.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from opendata.publication import BuildCancelledError, Publication
from opendata.stored import PackageStore, Stamp
from projections.daemon import DaemonThread

log = logging.getLogger("appeals.opendata")
CHECK_EVERY = 1.0
CATCHING_UP = 1000
"""Events behind the log: the statistics view is still catching up."""
START_DELAY = 10.0
"""Seconds a new holder of the duty leaves a stored package as it is (at most ``refresh``).

A package is due again after the hour moved or ``refresh`` passed, which a restart after
downtime usually finds, and a build (its disclosure audit above all) took the CPU while the
process started: on SQLite, where the duty shares the API's process and its GIL, the first
requests waited for their writes' projection behind it."""


class Publisher(DaemonThread):
    """A daemon thread that keeps the stored package in step with the statistics view."""

    thread_name = "opendata-publisher"
    stop_timeout = 30.0

    def __init__(
        self,
        publication: Publication,
        store: PackageStore,
        *,
        refresh: float,
        on_built: Callable[[float], None] = lambda seconds: None,
        check: float = CHECK_EVERY,
    ) -> None:
        super().__init__()
        self.publication = publication
        self.store = store
        self.refresh = refresh
        self.on_built = on_built
        """Told each saved build's duration (the process's metrics count builds)."""
        self.check = check
        self._partial = False
        """The last build here read a view that was still catching up."""
        self._start_delay = min(START_DELAY, refresh)

    def _run(self) -> None:
        # A failure (the store away) ends this session; DaemonThread retries it.
        self.store.create()
        if self._start_delay and self.store.stamp() is not None:
            self._stop.wait(self._start_delay)
        self._start_delay = 0.0  # a later session (after a failure) goes on at once
        while not self._stop.is_set():
            if self.due(self.store.stamp()):
                self.publish()
            self._healthy()
            self._stop.wait(self.check)

    def due(self, stamp: Stamp | None) -> bool:
        """Whether a build is due now, given the stored package's stamp."""
        if stamp is None:
            return True
        position = self.publication.position()
        if self._lagging(position):
            return False
        if self._partial or stamp.as_of != self.publication.as_of():
            return True
        if stamp.position == position:
            return False
        return time.time() - stamp.built_at >= max(self.refresh, stamp.seconds)

    def _lagging(self, position: int) -> bool:
        return self.publication.figures.db.head() - position > CATCHING_UP

    def publish(self) -> None:
        """Build the package and save it."""
        started = time.perf_counter()
        try:
            package = self.publication.build(self._stop.is_set)
        except BuildCancelledError:
            log.info("open-data build stopped: the duty is stopping")
            return
        seconds = time.perf_counter() - started
        self._partial = self._lagging(package.position)
        changed = self.store.save(
            package.files,
            position=package.position,
            as_of=package.as_of,
            built_at=time.time(),
            seconds=seconds,
        )
        self.on_built(seconds)
        log.info(
            "open data built in %.2f s at position %d: %d files, %d changed",
            seconds,
            package.position,
            len(package.files),
            changed,
        )
