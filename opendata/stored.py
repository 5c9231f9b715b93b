"""The published package kept in the store: every file with its ETag and Last-Modified.

The duty process builds the package (``opendata.publisher``) and saves it here in one
transaction; every API process, on any machine, serves these bytes and never builds. Two
tables, on SQLite and PostgreSQL alike:

- ``opendata_files``: per path under ``/opendata/``, the media type, ETag, Last-Modified and
  the body;
- ``opendata_package``: one row: the ``generation`` (moved by every save, so a reader knows
  its cached files are stale with one read of one row), the statistics view's position and
  the hour the figures are as of, when the build ended, how long it took, and the count of
  builds saved so far.

A file whose bytes did not change keeps its Last-Modified, so pollers get 304 across builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from opendata.publication import File
from projections.db import Database

FILES, PACKAGE = "opendata_files", "opendata_package"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {FILES} (path TEXT PRIMARY KEY, media_type TEXT NOT NULL, "
    "etag TEXT NOT NULL, modified TEXT NOT NULL, body BLOB NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {PACKAGE} (id INTEGER PRIMARY KEY, generation BIGINT NOT NULL, "
    "position BIGINT NOT NULL, as_of TEXT NOT NULL, built_at DOUBLE PRECISION NOT NULL, "
    "seconds DOUBLE PRECISION NOT NULL, builds BIGINT NOT NULL)",
)


@dataclass(frozen=True, slots=True)
class Stamp:
    """What the stored package was built from, and when."""

    generation: int
    position: int
    """The statistics view's position the figures were read at."""
    as_of: datetime
    """The hour "overdue now" was counted at."""
    built_at: float
    """When the build ended (seconds since the epoch)."""
    seconds: float
    """How long the build took."""
    builds: int


class PackageStore:
    """Reads and saves the published package on the read side's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self) -> None:
        """Create the tables if missing (processes starting together take turns)."""
        with self.db.transaction() as cursor:
            self.db.serialize_setup(cursor)
            for statement in DDL:
                cursor.execute(self.db.sql(statement))

    def stamp(self) -> Stamp | None:
        """The stored package's stamp, or None before the first build."""
        with self.db.reading() as cursor:
            cursor.execute(
                f"SELECT generation, position, as_of, built_at, seconds, builds FROM {PACKAGE}"
            )
            row = cursor.fetchone()
        if row is None:
            return None
        generation, position, as_of, built_at, seconds, builds = tuple(row)
        return Stamp(
            int(generation),
            int(position),
            datetime.fromisoformat(str(as_of)),
            float(built_at),
            float(seconds),
            int(builds),
        )

    def generation(self) -> int | None:
        """The stored package's generation (one small read), or None before the first build."""
        with self.db.reading() as cursor:
            cursor.execute(f"SELECT generation FROM {PACKAGE}")
            row = cursor.fetchone()
        return None if row is None else int(row[0])

    def file(self, path: str) -> File | None:
        """One stored file, or None."""
        with self.db.reading() as cursor:
            cursor.execute(
                self.db.sql(f"SELECT media_type, etag, modified, body FROM {FILES} WHERE path = ?"),
                (path,),
            )
            row = cursor.fetchone()
        if row is None:
            return None
        media_type, etag, modified, body = tuple(row)
        return File(bytes(body), str(media_type), str(etag), datetime.fromisoformat(modified))

    def paths(self) -> list[str]:
        """Every stored file's path, in order."""
        with self.db.reading() as cursor:
            cursor.execute(f"SELECT path FROM {FILES} ORDER BY path")
            return [str(row[0]) for row in cursor.fetchall()]

    def save(
        self,
        files: Mapping[str, File],
        *,
        position: int,
        as_of: datetime,
        built_at: float,
        seconds: float,
    ) -> int:
        """Replace the package with ``files`` in one transaction; returns how many changed.

        Unchanged files (same ETag) are left as stored, Last-Modified included.
        """
        with self.db.transaction() as cursor:
            cursor.execute(f"SELECT path, etag FROM {FILES}")
            stored = {str(path): str(etag) for path, etag in map(tuple, cursor.fetchall())}
            changed = [(p, f) for p, f in files.items() if stored.get(p) != f.etag]
            gone = [(p,) for p in stored if p not in files]
            if gone:
                cursor.executemany(self.db.sql(f"DELETE FROM {FILES} WHERE path = ?"), gone)
            if changed:
                cursor.executemany(
                    self.db.sql(
                        f"INSERT INTO {FILES} (path, media_type, etag, modified, body) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET "
                        "media_type = excluded.media_type, etag = excluded.etag, "
                        "modified = excluded.modified, body = excluded.body"
                    ),
                    [(p, f.media_type, f.etag, f.modified.isoformat(), f.body) for p, f in changed],
                )
            cursor.execute(
                self.db.sql(
                    f"INSERT INTO {PACKAGE} "
                    "(id, generation, position, as_of, built_at, seconds, builds) "
                    "VALUES (1, 1, ?, ?, ?, ?, 1) ON CONFLICT (id) DO UPDATE SET "
                    f"generation = {PACKAGE}.generation + 1, position = excluded.position, "
                    "as_of = excluded.as_of, built_at = excluded.built_at, "
                    f"seconds = excluded.seconds, builds = {PACKAGE}.builds + 1"
                ),
                (position, as_of.isoformat(), built_at, seconds),
            )
            return len(changed) + len(gone)
