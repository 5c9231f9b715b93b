"""Duplicates are linked both ways: ``duplicateOf`` on the copy, ``duplicates`` on the original."""

from __future__ import annotations

from typing import Any, cast

from tests.api.conftest import LiveServer
from tests.api.desk import Desk
from tests.api.inprocess import InProcessServer

LINKS = """query($id: ID!) { appeal(id: $id) {
  id duplicateOf { id } duplicates { id status duplicateOf { id } } } }"""


def _close_as_duplicates(desk: Desk, original: str, *copies: str) -> None:
    for n, appeal_id in enumerate(copies):
        desk.do("registerAppeal", {"appealId": appeal_id, "number": f"ОГ-{n}"})
        desk.do(
            "closeAppeal",
            {"appealId": appeal_id, "outcome": "DUPLICATE", "duplicateOf": original},
        )


def _links(desk: Desk, appeal_id: str, token: str | None = None) -> dict[str, Any]:
    appeal: dict[str, Any] = desk.query(LINKS, {"id": appeal_id}, token)["appeal"]
    return appeal


def test_closing_as_a_duplicate_shows_on_both_appeals_until_reopened(
    in_process: InProcessServer,
) -> None:
    desk = Desk(cast(LiveServer, in_process))
    original, first, second = desk.receive(), desk.receive(), desk.receive()
    _close_as_duplicates(desk, original, first, second)

    linked = _links(desk, original)
    duplicate = _links(desk, second)
    desk.do("reopenAppeal", {"appealId": first, "reason": "не дубликат"})
    after_reopen = _links(desk, original)

    assert [d["id"] for d in linked["duplicates"]] == [first, second]
    assert all(d["duplicateOf"]["id"] == original for d in linked["duplicates"])
    assert all(d["status"] == "CLOSED" for d in linked["duplicates"])
    assert linked["duplicateOf"] is None
    assert duplicate["duplicateOf"]["id"] == original and duplicate["duplicates"] == []
    assert [d["id"] for d in after_reopen["duplicates"]] == [second]


def test_an_operator_sees_only_the_duplicates_in_its_department(
    in_process: InProcessServer,
) -> None:
    desk = Desk(cast(LiveServer, in_process))
    original, ours, theirs = desk.receive(), desk.receive(), desk.receive()
    for appeal_id, department in ((original, "Свет"), (ours, "Свет"), (theirs, "Дороги")):
        desk.do("assignAppeal", {"appealId": appeal_id, "department": department, "assignee": "a"})
    _close_as_duplicates(desk, original, ours, theirs)

    supervisor = _links(desk, original)
    operator = _links(desk, original, desk.operator("Свет"))

    assert {d["id"] for d in supervisor["duplicates"]} == {ours, theirs}
    assert [d["id"] for d in operator["duplicates"]] == [ours]
