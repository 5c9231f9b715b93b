"""The directory of sources in the store, with their secrets sealed (``channels.sealing``)."""

from __future__ import annotations

from channels.errors import SourceNotFoundError
from channels.sealing import SecretSeal
from channels.source import Secrets, Source
from channels.sqlport import SqlRunner
from ledger.errors import ValidationError
from ledger.values import Channel

TABLE = "channel_sources"
_SECRETS = ("secret", "confirmation", "token")
_COLUMNS = "channel, platform_id, body, department, category, enabled, " + ", ".join(_SECRETS)
_MARKS = ", ".join("?" * 9)


class SourceDirectory:
    """Sources by (channel, platform id); changes are seen by every process at once."""

    def __init__(self, sql: SqlRunner, seal: SecretSeal) -> None:
        self.sql = sql
        self.seal = seal
        sql.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (channel TEXT NOT NULL, platform_id TEXT NOT NULL,"
            " body TEXT NOT NULL, department TEXT, category TEXT, enabled BOOLEAN NOT NULL,"
            " secret TEXT, confirmation TEXT, token TEXT, PRIMARY KEY (channel, platform_id))"
        )

    def add(self, source: Source) -> None:
        """Add a source, or replace the one with the same channel and id (enabling it)."""
        s = source.secrets
        sealed = [self.seal.seal(getattr(s, name), name) for name in _SECRETS]
        values = (
            source.channel.value,
            source.platform_id,
            source.body,
            source.department,
            source.category,
            True,
            *sealed,
        )
        with self.sql.transaction(commit=True) as cursor:
            cursor.execute(
                self.sql.dialect.sql(f"DELETE FROM {TABLE} WHERE channel = ? AND platform_id = ?"),
                (source.channel.value, source.platform_id),
            )
            cursor.execute(
                self.sql.dialect.sql(f"INSERT INTO {TABLE} ({_COLUMNS}) VALUES ({_MARKS})"),
                values,
            )

    def get(self, channel: str, platform_id: str) -> Source | None:
        """The source, enabled or not, with its secrets opened; None if unknown."""
        rows = self.sql.rows(
            f"SELECT {_COLUMNS} FROM {TABLE} WHERE channel = ? AND platform_id = ?",
            [channel, platform_id],
        )
        return self._source(rows[0]) if rows else None

    def list(self) -> list[Source]:
        """Every source, in channel and id order (secrets opened: never print them)."""
        rows = self.sql.rows(f"SELECT {_COLUMNS} FROM {TABLE} ORDER BY channel, platform_id")
        return [self._source(row) for row in rows]

    def disable(self, key: str) -> Source:
        """Disable a source by ``channel:id`` or by its id alone when that is unambiguous."""
        channel, _, platform_id = key.partition(":")
        if not platform_id:  # no channel given
            channel, platform_id = "", key
        found = [
            s
            for s in self.list()
            if s.platform_id == platform_id and channel in ("", s.channel.value)
        ]
        if not found:
            raise SourceNotFoundError(source=key)
        if len(found) > 1:
            raise ValidationError(field="source", reason="is ambiguous: give it as CHANNEL:ID")
        self.sql.execute(
            f"UPDATE {TABLE} SET enabled = ? WHERE channel = ? AND platform_id = ?",
            [False, found[0].channel.value, platform_id],
        )
        return found[0]

    def _source(self, row: tuple[object, ...]) -> Source:
        channel, platform_id, body, department, category, enabled, secret, confirmation, token = row
        return Source(
            channel=Channel(str(channel)),
            platform_id=str(platform_id),
            body=str(body),
            department=None if department is None else str(department),
            category=None if category is None else str(category),
            enabled=bool(enabled),
            secrets=Secrets(
                secret=self.seal.open(_text(secret), "secret"),
                confirmation=self.seal.open(_text(confirmation), "confirmation"),
                token=self.seal.open(_text(token), "token"),
            ),
        )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
