"""The directory of sources in the store, with their secrets sealed (``channels.sealing``).

The sources key can be rotated (``rotate``): every secret is opened with the current key
and sealed under the new one in one transaction. The key that names senders by pseudonyms
must not change with it (a Telegram appeal's identity and every sender's citizen id derive
from it), so the first rotation stores it, sealed under the new key, in ``channel_keys``.
A process still holding the old key re-reads the key (``keys``) when a secret does not
open, so a rotation needs no restart of processes that read the key file.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

from channels.errors import SourceNotFoundError
from channels.named_values import NamedValues
from channels.sealing import SecretSeal
from channels.source import Secrets, Source
from channels.sqlport import SqlRunner
from ledger.errors import ValidationError
from ledger.values import Channel

TABLE = "channel_sources"
KEYS = NamedValues("channel_keys", "sealed", "TEXT")
PSEUDONYMS = "pseudonyms"
RELOAD_SECONDS = 1.0
Keys = tuple[bytes, bytes | None]
"""The sources key, and the next key while a rotation is under way."""
_SECRETS = ("secret", "confirmation", "token")
_COLUMNS = "channel, platform_id, body, department, category, enabled, " + ", ".join(_SECRETS)
_MARKS = ", ".join("?" * 9)


class SourceDirectory:
    """Sources by (channel, platform id); changes are seen by every process at once."""

    def __init__(self, sql: SqlRunner, keys: Callable[[], Keys]) -> None:
        """``keys`` reads the sources key (a setting or the key file) and the next key while
        a rotation is under way."""
        self.sql = sql
        self.keys = keys
        with sql.transaction(commit=True) as cursor:
            if sql.dialect.is_postgres:
                # Processes starting together would race on CREATE TABLE IF NOT EXISTS (a
                # unique violation in pg_type): one at a time.
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('appeals-sources-create'))")
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (channel TEXT NOT NULL,"
                " platform_id TEXT NOT NULL, body TEXT NOT NULL, department TEXT, category TEXT,"
                " enabled BOOLEAN NOT NULL, secret TEXT, confirmation TEXT, token TEXT,"
                " PRIMARY KEY (channel, platform_id))"
            )
            cursor.execute(KEYS.create())
        self.seal = self._seal(keys())
        self._reloaded_at = 0.0

    def _seal(self, keys: Keys) -> SecretSeal:
        """The seal of the keys, with the pseudonym key the store keeps, if it keeps one."""
        key, also = keys
        plain = SecretSeal(key, also=also)
        rows = self.sql.rows(KEYS.select(), [PSEUDONYMS])
        opened = plain.open(str(rows[0][0]), PSEUDONYMS) if rows else None
        return SecretSeal(key, base64.b64decode(opened), also) if opened else plain

    def rotate(self, new_key: bytes, current: Keys) -> int:
        """Seal every secret under ``new_key`` in one transaction; returns how many sources.

        ``current`` are the keys read before the new one was written down. Refused, with
        nothing changed, when a secret opens with neither.
        """
        old = self._seal(current)
        new = SecretSeal(new_key, old.pseudonym_key)
        if old.key == new_key:
            raise ValidationError(field="sourcesKey", reason="the new key is the current one")
        update = self.sql.dialect.sql(
            f"UPDATE {TABLE} SET secret = ?, confirmation = ?, token = ?"
            " WHERE channel = ? AND platform_id = ?"
        )
        keep = self.sql.dialect.sql(KEYS.upsert())
        with self.sql.transaction(commit=True) as cursor:
            cursor.execute(
                self.sql.dialect.sql(
                    f"SELECT channel, platform_id, {', '.join(_SECRETS)} FROM {TABLE}"
                )
            )
            rows = [
                tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in cursor.fetchall()
            ]
            for channel, platform_id, *sealed in rows:
                resealed = []
                for name, token in zip(_SECRETS, sealed, strict=True):
                    value = old.open(_text(token), name)
                    if token is not None and value is None:
                        raise ValidationError(
                            field="sourcesKey",
                            reason=f"does not open the {name} of {channel}:{platform_id}",
                        )
                    resealed.append(new.seal(value, name))
                cursor.execute(update, (*resealed, channel, platform_id))
            pseudonyms = base64.b64encode(old.pseudonym_key).decode()
            cursor.execute(keep, (PSEUDONYMS, new.seal(pseudonyms, PSEUDONYMS)))
        self.seal = new
        return len(rows)

    def add(self, source: Source) -> None:
        """Add a source, or replace the one with the same channel and id (enabling it)."""
        self.seal = self._seal(self.keys())  # sealed under the key of now, even after a rotation
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
        if not rows:
            return None
        found = self._source(rows[0])
        if self._unopened(rows[0], found) and self._reload():
            found = self._source(rows[0])  # the key was rotated by another process
        return found

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

    def _unopened(self, row: tuple[object, ...], source: Source) -> bool:
        secrets = (source.secrets.secret, source.secrets.confirmation, source.secrets.token)
        return any(t is not None and v is None for t, v in zip(row[6:], secrets, strict=True))

    def _reload(self) -> bool:
        """Re-read the key (at most once a second); True when it changed."""
        if time.monotonic() - self._reloaded_at < RELOAD_SECONDS:
            return False
        self._reloaded_at = time.monotonic()
        keys = self.keys()
        if keys == (self.seal.key, self.seal.also):
            return False
        self.seal = self._seal(keys)
        return True

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
