"""Internal notes over HTTP on both stores: staff only, in history, sealed and erasable."""

from __future__ import annotations

from typing import Any

from ledger.values import Role
from tests.api.conftest import LiveServer
from tests.api.desk import Desk

NOTES = """query($id: ID!) { appeal(id: $id) {
  notes { text textErased author { id role } at }
  answers { text } history { type data } } }"""


def _appeal(desk: Desk, appeal_id: str, token: str | None = None) -> dict[str, Any]:
    appeal: dict[str, Any] = desk.query(NOTES, {"id": appeal_id}, token)["appeal"]
    return appeal


def test_an_operator_keeps_a_note_that_staff_read_in_notes_and_history(live: LiveServer) -> None:
    desk = Desk(live)
    appeal_id = desk.receive()
    desk.do("assignAppeal", {"appealId": appeal_id, "department": "Свет", "assignee": "a"})
    operator = desk.operator("Свет")

    desk.do(
        "addAppealNote", {"appealId": appeal_id, "text": "Звонил, просит перезвонить"}, operator
    )
    shown = _appeal(desk, appeal_id, live.token(Role.AUDITOR))

    assert [(n["text"], n["author"]) for n in shown["notes"]] == [
        ("Звонил, просит перезвонить", {"id": "test-operator", "role": "OPERATOR"})
    ]
    assert shown["answers"] == []
    noted = [entry for entry in shown["history"] if entry["type"] == "NoteAdded"]
    assert noted[0]["data"]["text"] == "Звонил, просит перезвонить"
    assert "text_key" not in noted[0]["data"]


def test_the_public_and_other_departments_cannot_note_and_auditors_may_not_write(
    live: LiveServer,
) -> None:
    desk = Desk(live)
    appeal_id = desk.receive()
    desk.do("assignAppeal", {"appealId": appeal_id, "department": "Свет", "assignee": "a"})
    note: dict[str, object] = {"appealId": appeal_id, "text": "внутреннее"}

    public = live.post(
        "mutation($i: AddAppealNoteInput!) { addAppealNote(input: $i) { position } }", {"i": note}
    ).json()
    public_read = live.post(NOTES, {"id": appeal_id}).json()
    other = desk.send("addAppealNote", note, desk.operator("Дороги"))
    auditor = desk.send("addAppealNote", note, live.token(Role.AUDITOR))

    assert public["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert public_read["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert auditor["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert _appeal(desk, appeal_id)["notes"] == []


def test_a_note_on_a_known_citizens_appeal_is_erased_with_their_data(live: LiveServer) -> None:
    desk = Desk(live)
    appeal_id = desk.receive(citizen=False)
    known = desk.do(
        "receiveAppeal",
        {
            "channel": "WEB",
            "externalId": f"note-{desk.body}",
            "text": "Прошу помочь",
            "body": desk.body,
            "citizen": {
                "name": "Анна",
                "contact": "anna@example.org",
                "id": f"citizen-{desk.body}",
            },
        },
    )
    desk.do("addAppealNote", {"appealId": appeal_id, "text": "аноним, без ответа"})
    desk.do("addAppealNote", {"appealId": known, "text": "Анна живёт в кв. 5"})

    erased = live.post(
        "mutation($i: EraseCitizenDataInput!) { eraseCitizenData(input: $i) { citizenId } }",
        {"i": {"citizenId": f"citizen-{desk.body}", "legalBasis": "152-ФЗ ст. 21"}},
        token=live.token(Role.ADMIN),
    ).json()

    assert "errors" not in erased
    gone = _appeal(desk, known)
    assert [(n["text"], n["textErased"]) for n in gone["notes"]] == [(None, True)]
    noted = next(e for e in gone["history"] if e["type"] == "NoteAdded")
    assert noted["data"]["text"] is None and noted["data"]["text_erased"] is True
    kept = _appeal(desk, appeal_id)
    assert [n["text"] for n in kept["notes"]] == ["аноним, без ответа"]


def test_a_note_never_counts_as_an_answer_or_moves_a_clock(live: LiveServer) -> None:
    desk = Desk(live)
    appeal_id = desk.receive(channel="VK")
    before = desk.query(
        "query($id: ID!) { appeal(id: $id) { status nextDueAt firstResponseAt } }",
        {"id": appeal_id},
    )["appeal"]

    desk.do("addAppealNote", {"appealId": appeal_id, "text": "проверить адрес"})
    after = desk.query(
        "query($id: ID!) { appeal(id: $id) { status nextDueAt firstResponseAt } }",
        {"id": appeal_id},
    )["appeal"]

    assert after == before
    assert after["firstResponseAt"] is None
