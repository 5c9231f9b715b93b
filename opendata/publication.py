"""The package's files, built from the public statistics at one state of the view and hour.

Files are keyed by their path under ``/opendata/``: ``datapackage.json``, ``<resource>.csv``
and ``.json`` over every month, and the same under ``<YYYY-MM>/`` for one month. Figures are
as of the start of the current UTC hour ("overdue now" is counted then), so one build serves
every process on the store the same bytes (and ETags).

Only the duty process builds (``opendata.publisher``, into ``opendata.stored``); API
processes serve the stored bytes (``opendata.served``). ``appeals opendata publish`` builds
once and writes the files to a directory (``opendata.disk``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from opendata.descriptor import descriptor
from opendata.figures import Figures
from opendata.formats import to_csv, to_json
from opendata.resources import RESOURCES, Resource
from projections import tracking

VIEW = "statistics"


@dataclass(frozen=True, slots=True)
class File:
    """One published file, its media type, strong ETag and the time its content was made."""

    body: bytes
    media_type: str
    etag: str
    modified: datetime


@dataclass(frozen=True, slots=True)
class Package:
    """Every file of one build, and what it was built from."""

    files: dict[str, File]
    position: int
    """The statistics view's position, read before the figures."""
    as_of: datetime
    """The hour the figures are as of."""


class BuildCancelledError(Exception):
    """A build was asked to stop (the process is stopping) before it finished."""


class Publication:
    """Builds the package's files from ``Figures``."""

    def __init__(self, figures: Figures, resources: tuple[Resource, ...] = RESOURCES) -> None:
        self.figures = figures
        self.resources = resources

    def position(self) -> int:
        """The statistics view's position now."""
        return tracking.read(self.figures.db).get(VIEW, 0)

    def as_of(self) -> datetime:
        """The hour a build now would count "overdue now" at."""
        return _hour(self.figures.clock())

    def build(self, cancelled: Callable[[], bool] = lambda: False) -> Package:
        """Every file of the package as the view stands now.

        ``cancelled`` is asked between resources: a build of a big store takes a while, and
        a stopping process should not wait for it (nor read a store closed under it).
        """
        position = self.position()
        now = self.figures.clock()
        as_of = _hour(now)
        return Package(self._build(as_of, now, cancelled), position, as_of)

    def _build(
        self, as_of: datetime, now: datetime, cancelled: Callable[[], bool]
    ) -> dict[str, File]:
        months = self.figures.months()
        made = now.astimezone(UTC).replace(microsecond=0)
        files: dict[str, File] = {}
        for month in months:
            if cancelled():
                raise BuildCancelledError(month.isoformat())
            # A month's suppression pattern is most of a build's cost when not yet cached
            # (``projections.disclosure`` caches it by content): one month at a time here,
            # so a stopping duty waits for one month's, not every month's.
            self.figures.public.pattern(month, self.figures.threshold)
        tables = {}
        for resource in self.resources:
            if cancelled():
                raise BuildCancelledError(resource.name)
            tables[resource.name] = self.figures.rows(resource, months, as_of)
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


def _hour(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _file(body: bytes, media_type: str, made: datetime) -> File:
    return File(body, media_type, f'"{hashlib.sha256(body).hexdigest()[:32]}"', made)
