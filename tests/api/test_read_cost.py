"""What one ``appeal(id)`` costs the store: one statement, the row itself.

The API's most frequent read must not gain a statement per request unnoticed (a position
read for read-your-writes, a lookup for the access policy, a loader's query): at thousands
of requests a second each one is a round trip and a share of the store's CPU. Counted on
PostgreSQL, whose reads are psycopg statements: those of the request, on the event loop or
on the loop's ``off-loop`` threads; the duty's threads in the same process are not counted.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ledger.values import Role
from tests.api.conftest import empty_store
from tests.api.inprocess import InProcessServer, serve_in_process

RECEIVE = (
    "mutation($e: String!) { receiveAppeal(input: {channel: EMAIL, externalId: $e, "
    'text: "Не горят фонари", body: "Администрация"}) { appeal { id } position } }'
)
READ = "query($id: ID!) { appeal(id: $id) { id status body department overdue version } }"


class Statements:
    """Counts the statements the request runs while ``counting`` is set."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counting = False
        self.seen: list[str] = []
        sync_execute: Callable[..., Any] = psycopg.Cursor.execute
        async_execute: Callable[..., Any] = psycopg.AsyncCursor.execute

        def sync(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            if self.counting and threading.current_thread().name.startswith("off-loop"):
                self.seen.append(str(query))
            return sync_execute(cursor, query, *args, **kwargs)

        async def on_loop(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            if self.counting:
                self.seen.append(str(query))
            return await async_execute(cursor, query, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "execute", sync)
        monkeypatch.setattr(psycopg.AsyncCursor, "execute", on_loop)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    folder: Path = tmp_path_factory.mktemp("read-cost")
    with empty_store("postgres", folder) as url, serve_in_process(url, folder) as server:
        yield server


def _received(server: InProcessServer, token: str) -> tuple[str, int]:
    answer = server.post(RECEIVE, {"e": uuid.uuid4().hex}, token=token).json()
    payload = answer["data"]["receiveAppeal"]
    return payload["appeal"]["id"], payload["position"]


def _read(
    server: InProcessServer, appeal_id: str, token: str, position: int | None = None
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"}
    if position is not None:
        headers["x-appeals-position"] = str(position)
    body = {"query": READ, "variables": {"id": appeal_id}}
    answer: dict[str, Any] = server.http.post("/graphql", json=body, headers=headers).json()
    return answer


@pytest.mark.parametrize("sends_position", [False, True], ids=["no position", "position"])
def test_reading_an_appeal_by_id_runs_one_statement(
    served: InProcessServer, monkeypatch: pytest.MonkeyPatch, sends_position: bool
) -> None:
    """With or without the client's position (one the views already show), one statement."""
    token = served.token(Role.SUPERVISOR)
    appeal_id, position = _received(served, token)
    statements = Statements(monkeypatch)

    statements.counting = True
    answer = _read(served, appeal_id, token, position if sends_position else None)
    statements.counting = False

    assert answer["data"]["appeal"]["id"] == appeal_id
    assert len(statements.seen) == 1, statements.seen
