"""The package's files, built once per state of the statistics view and hour, with ETags.

Files are keyed by their path under ``/opendata/``: ``datapackage.json``, ``<resource>.csv``
and ``.json`` over every month, and the same under ``<YYYY-MM>/`` for one month. Figures are
as of the start of the current UTC hour ("overdue now" is counted then), so every process on
one store serves the same bytes (and ETags) for one state of the view, and a poller's
conditional request costs one read of the view's position. Under a steady stream of new
appeals the view moves all the time: files are then rebuilt at most every ``refresh`` seconds
(the ``max-age`` the routes announce), not on every request.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

from opendata.descriptor import descriptor
from opendata.figures import Figures
from opendata.formats import to_csv, to_json
from opendata.resources import RESOURCES, Resource
from projections import tracking

VIEW = "statistics"
CATCHING_UP = 1000  # events behind the log: the view is still catching up


@dataclass(frozen=True, slots=True)
class File:
    """One published file, its media type, strong ETag and the time its content was made."""

    body: bytes
    media_type: str
    etag: str
    modified: datetime


class Publication:
    """Builds the files from ``Figures`` and keeps them until the view or the hour moves on."""

    def __init__(
        self,
        figures: Figures,
        resources: tuple[Resource, ...] = RESOURCES,
        refresh: float = 60.0,
    ) -> None:
        self.figures = figures
        self.resources = resources
        self.refresh = refresh
        self._checked = -float("inf")
        self._lock = threading.Lock()
        self._key: tuple[int, datetime] | None = None
        self._files: dict[str, File] = {}
        self._builders: list[threading.Thread] = []

    def files(self) -> dict[str, File]:
        """Every file of the package, rebuilt only when the data may have changed.

        Once built, a stale package is served while a thread rebuilds it (stale while
        revalidate): a request never waits for a rebuild, only the very first one does.
        With ``refresh`` 0 every call checks the view and rebuilds at once if it moved.
        """
        if time.monotonic() - self._checked < self.refresh:
            return self._files
        if not self._files or self.refresh <= 0:
            return self.refreshed()
        stale = self._files
        if self._lock.acquire(blocking=False):  # else a rebuild is under way already
            self._lock.release()
            self._build_aside("opendata")
        return stale

    def warm(self) -> None:
        """Build the package in the background now, so the first visitor does not wait."""
        self._build_aside("opendata-warm")

    def stop(self, timeout: float = 30.0) -> None:
        """Wait for background builds: they read the store, which closes after this."""
        for builder in self._builders:
            builder.join(timeout)

    def _build_aside(self, name: str) -> None:
        builder = threading.Thread(target=self.refreshed, name=name, daemon=True)
        self._builders = [b for b in self._builders if b.is_alive()] + [builder]
        builder.start()

    def refreshed(self) -> dict[str, File]:
        """The package rebuilt if the view or the hour moved since it was built."""
        with self._lock:
            if time.monotonic() - self._checked < self.refresh and self._files:
                return self._files
            now = self.figures.clock()
            as_of = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
            key = (tracking.read(self.figures.db).get(VIEW, 0), as_of)
            if key != self._key:
                built = self._build(as_of, now)
                # A file whose bytes did not change keeps its Last-Modified.
                old = self._files
                self._files = {
                    path: old[path] if path in old and old[path].etag == f.etag else f
                    for path, f in built.items()
                }
                self._key = key
            # Built from a view still catching up (start-up, a rebuild): check again on
            # the next request instead of serving it for a whole ``refresh``.
            if self.figures.db.head() - key[0] <= CATCHING_UP:
                self._checked = time.monotonic()
            return self._files

    def _build(self, as_of: datetime, now: datetime) -> dict[str, File]:
        months = self.figures.months()
        made = now.astimezone(UTC).replace(microsecond=0)
        files: dict[str, File] = {}
        tables = {r.name: self.figures.rows(r, months, as_of) for r in self.resources}
        self._add_package(files, "", tables, months, made, as_of)
        for month in months:
            label = month.strftime("%Y-%m")
            own = {
                name: [row for row in rows if str(row["period"])[:7] == label]
                for name, rows in tables.items()
            }
            self._add_package(files, f"{label}/", own, [month], made, as_of)
        return files

    def _add_package(
        self,
        files: dict[str, File],
        prefix: str,
        tables: dict[str, list[dict[str, object]]],
        months: list[date],
        made: datetime,
        as_of: datetime,
    ) -> None:
        for resource in self.resources:
            rows = tables[resource.name]
            files[f"{prefix}{resource.name}.csv"] = _file(
                to_csv(resource.columns, rows), "text/csv; charset=utf-8", made
            )
            files[f"{prefix}{resource.name}.json"] = _file(
                to_json(resource.columns, rows), "application/json", made
            )
        package = descriptor(self.resources, months, made, as_of)
        body = json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
        files[f"{prefix}datapackage.json"] = _file(body, "application/json", made)


def _file(body: bytes, media_type: str, made: datetime) -> File:
    return File(body, media_type, f'"{hashlib.sha256(body).hexdigest()[:32]}"', made)
