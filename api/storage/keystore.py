"""Per-citizen keys in a table of their own, apart from the events.

Keys are never cached in the process: after an erasure no API process may still hold one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from api.storage.sql import Sql

TABLE = "citizen_keys"


class SqlKeyStore:
    """Keys are created on first use and deleted on erasure (crypto-shredding)."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql
        sql.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (citizen_id TEXT PRIMARY KEY, key BLOB NOT NULL)"
        )

    def get_or_create(self, citizen_id: str) -> bytes:
        # Most calls (every sealed answer) find the key: one read and no commit for them.
        stored = self.get(citizen_id)
        if stored is not None:
            return stored
        statement = self.sql.dialect.sql(
            f"INSERT INTO {TABLE} (citizen_id, key) VALUES (?, ?) ON CONFLICT DO NOTHING"
            " RETURNING key"
        )
        with self.sql.transaction(commit=True) as cursor:
            cursor.execute(statement, (citizen_id, AESGCM.generate_key(bit_length=256)))
            row = cursor.fetchone()
        if row is None:
            # Another process won the insert: the stored key is the key.
            stored = self.get(citizen_id)
            assert stored is not None
            return stored
        return bytes(row["key"] if isinstance(row, dict) else row[0])

    def put_many(self, keys: Iterable[tuple[str, bytes]]) -> None:
        """Insert keys in one transaction, keeping any that already exist."""
        statement = self.sql.dialect.sql(
            f"INSERT INTO {TABLE} (citizen_id, key) VALUES (?, ?) ON CONFLICT DO NOTHING"
        )
        with self.sql.transaction(commit=True) as cursor:
            for citizen_id, key in keys:
                cursor.execute(statement, (citizen_id, key))

    def get(self, citizen_id: str) -> bytes | None:
        rows = self.sql.rows(f"SELECT key FROM {TABLE} WHERE citizen_id = ?", [citizen_id])
        return bytes(rows[0][0]) if rows else None

    def get_many(self, citizen_ids: Sequence[str]) -> dict[str, bytes]:
        """The keys of those citizens that have one, 500 ids per query."""
        found: dict[str, bytes] = {}
        wanted = list(dict.fromkeys(citizen_ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            statement = f"SELECT citizen_id, key FROM {TABLE} WHERE citizen_id IN ({marks})"
            found.update((str(i), bytes(k)) for i, k in self.sql.rows(statement, chunk))
        return found

    def destroy(self, citizen_id: str) -> bool:
        existed = self.get(citizen_id) is not None
        self.sql.execute(f"DELETE FROM {TABLE} WHERE citizen_id = ?", [citizen_id])
        return existed
