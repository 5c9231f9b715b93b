"""A PostgreSQL application recorder that appends in one round trip and keeps id order.

The library's optional database function inserts a whole transaction's events with one
prepared call, but it takes no table lock, so commit order could differ from
notification-id order and a projection could step past an id that commits later. This
recorder's function takes the same ``EXCLUSIVE`` lock as the pipelined path before it
inserts, so both properties hold: one round trip per command, and commits in id order.

The library passes the events as an array of a composite type, which psycopg dumps as text
and escapes field by field with regular expressions: a quarter of an append's client time.
This recorder's function takes four column arrays instead, sent in binary, so the state
bytes go over the wire as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier


class OrderedFunctionRecorder(PostgresApplicationRecorder):
    """Inserts through a plpgsql function that locks the events table first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name = Identifier(f"{self.pg_function_name_insert_events}_columns")
        schema = Identifier(self.datastore.schema)
        statement = SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{name}("
            "ids {id_type}[], versions bigint[], topics text[], states bytea[]) "
            "RETURNS SETOF bigint "
            "LANGUAGE plpgsql "
            "AS "
            "$BODY$"
            "BEGIN"
            "    SET LOCAL lock_timeout = '{lock_timeout}s';"
            "    LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE;"
            "    NOTIFY {channel};"
            "    RETURN QUERY"
            "    INSERT INTO {schema}.{table} AS t ("
            "    originator_id, originator_version, topic, state)"
            "    SELECT * FROM unnest(ids, versions, topics, states)"
            "    RETURNING notification_id;"
            "END;"
            "$BODY$"
        ).format(
            name=name,
            id_type=Identifier(self.datastore.originator_id_type),
            lock_timeout=self.datastore.lock_timeout,
            channel=Identifier(self.channel_name),
            schema=schema,
            table=Identifier(self.events_table_name),
        )
        self.sql_create_pg_function_insert_events = statement
        self.sql_create_statements[self.create_insert_function_statement_index] = statement
        self.sql_insert_columns = SQL(
            "SELECT id FROM {schema}.{name}(%b, %b, %b, %b) AS id"
        ).format(schema=schema, name=name)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Append in one prepared call; returns the new notification ids in order."""
        columns = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        )
        with self.datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(self.sql_insert_columns, columns, prepare=True)
            return [row["id"] for row in cursor.fetchall()]
