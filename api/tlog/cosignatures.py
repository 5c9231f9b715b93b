"""Witnesses' cosignatures of our checkpoints, and each witness's standing, in the store.

``audit_cosignatures`` keeps each witness's signature line per checkpoint, added to the
checkpoint as served. ``audit_witnesses`` keeps, per witness, the size it last cosigned (the
``old`` size of the next request), how many times it refused, and why the last time:
``/metrics`` reads it in every API process, whichever process asked the witness.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from api.storage.sql import Sql

COSIGNATURES, WITNESSES = "audit_cosignatures", "audit_witnesses"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {COSIGNATURES} (checkpoint_id BIGINT NOT NULL, "
    "witness TEXT NOT NULL, line TEXT NOT NULL, PRIMARY KEY (checkpoint_id, witness))",
    f"CREATE TABLE IF NOT EXISTS {WITNESSES} (witness TEXT PRIMARY KEY, "
    "cosigned_size BIGINT NOT NULL, refusals BIGINT NOT NULL, last_refusal TEXT, "
    "updated_at TEXT NOT NULL)",
)


@dataclass(frozen=True)
class WitnessStanding:
    """What the log knows of one witness."""

    witness: str
    cosigned_size: int
    refusals: int
    last_refusal: str | None


class CosignatureStore:
    """The two tables, on SQLite or PostgreSQL."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    def create(self) -> None:
        """Create the tables if missing."""
        for statement in DDL:
            self.sql.execute(statement)

    def add(self, checkpoint_id: int, witness: str, line: str, size: int) -> None:
        """Keep a verified cosignature line and the size the witness now holds."""
        with self.sql.transaction(commit=True) as cursor:
            cursor.execute(
                self.sql.dialect.sql(
                    f"INSERT INTO {COSIGNATURES} (checkpoint_id, witness, line) VALUES (?, ?, ?) "
                    "ON CONFLICT (checkpoint_id, witness) DO UPDATE SET line = excluded.line"
                ),
                (checkpoint_id, witness, line),
            )
            cursor.execute(
                self.sql.dialect.sql(
                    f"INSERT INTO {WITNESSES} (witness, cosigned_size, refusals, updated_at) "
                    "VALUES (?, ?, 0, ?) ON CONFLICT (witness) DO UPDATE SET "
                    "cosigned_size = excluded.cosigned_size, updated_at = excluded.updated_at"
                ),
                (witness, size, _now()),
            )

    def refuse(self, witness: str, reason: str) -> None:
        """Count a refusal (or an unreachable witness) and keep its reason."""
        self.sql.execute(
            f"INSERT INTO {WITNESSES} (witness, cosigned_size, refusals, last_refusal, updated_at) "
            "VALUES (?, 0, 1, ?, ?) ON CONFLICT (witness) DO UPDATE SET "
            f"refusals = {WITNESSES}.refusals + 1, last_refusal = excluded.last_refusal, "
            "updated_at = excluded.updated_at",
            (witness, reason[:500], _now()),
        )

    def lines(self, checkpoint_id: int) -> list[str]:
        """The cosignature lines of one checkpoint, by witness name."""
        rows = self.sql.rows(
            f"SELECT line FROM {COSIGNATURES} WHERE checkpoint_id = ? ORDER BY witness",
            (checkpoint_id,),
        )
        return [str(row[0]) for row in rows]

    def standings(self) -> list[WitnessStanding]:
        """Every witness the log has asked, by name."""
        rows = self.sql.rows(
            f"SELECT witness, cosigned_size, refusals, last_refusal FROM {WITNESSES} "
            "ORDER BY witness"
        )
        return [WitnessStanding(str(w), int(s), int(n), why) for w, s, n, why in rows]

    def cosigned_size(self, witness: str) -> int:
        """The size ``witness`` last cosigned for us, 0 if never."""
        rows = self.sql.rows(f"SELECT cosigned_size FROM {WITNESSES} WHERE witness = ?", (witness,))
        return int(rows[0][0]) if rows else 0


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
