"""Erasing a citizen (152-ФЗ): gone from every field, export and table; the log still verifies."""

from __future__ import annotations

import base64
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from ledger.values import Role
from ledger.verify import verify_inclusion
from tests.api.command_line import appeals
from tests.api.inprocess import InProcessServer
from tests.api.office import receive
from tests.store_scan import event_rows, every_row, rows_of


@pytest.fixture(scope="module")
def live(in_process: InProcessServer) -> InProcessServer:
    """What erasure leaves is in the store and the app's answers: served in this process."""
    return in_process


NAME = "Зинаида Уникальнова"
CONTACT = "zinaida-unique@example.ru"


def _receive(live: InProcessServer, token: str, citizen_id: str, name: str, contact: str) -> str:
    citizen = {"id": citizen_id, "name": name, "contact": contact}
    return receive(live, token, text="Прошу помочь", citizen=citizen)


def _citizen(live: InProcessServer, token: str, appeal_id: str) -> dict[str, object]:
    answer = live.post(
        "query($id: ID!) { appeal(id: $id) { status citizen { name contact erased } } }",
        {"id": appeal_id},
        token=token,
    ).json()
    return dict(answer["data"]["appeal"])


def _erase(live: InProcessServer, citizen_id: str, basis: str = "152-ФЗ") -> dict[str, Any]:
    """An admin erases a citizen's data on a legal ``basis``: the whole GraphQL answer."""
    answer: dict[str, Any] = live.post(
        "mutation($c: String!, $basis: String!) { eraseCitizenData(input: {citizenId: $c, "
        "legalBasis: $basis}) { citizenId appeals { id } positions } }",
        {"c": citizen_id, "basis": basis},
        token=live.token(Role.ADMIN),
    ).json()
    return answer


def _cells(database_url: str) -> list[object]:
    """Every value of every table, read with plain SQL."""
    return [value for row in every_row(database_url) for value in row]


def _key_rows(database_url: str) -> list[object]:
    return [row[0] for row in rows_of(database_url, "SELECT citizen_id FROM citizen_keys")]


def _appears_in_clear(cells: list[object], text: str) -> bool:
    needle = text.encode()
    for cell in cells:
        if isinstance(cell, str) and text in cell:
            return True
        if isinstance(cell, bytes | memoryview) and needle in bytes(cell):
            return True
    return False


def _cli(live: InProcessServer, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return appeals(*args, url=live.database_url, cwd=cwd)


def test_an_erased_citizen_is_gone_everywhere_and_the_log_still_verifies(
    live: InProcessServer, tmp_path: Path
) -> None:
    supervisor = live.token(Role.SUPERVISOR)
    citizen_id = f"cit-{uuid.uuid4().hex[:8]}"
    erased_ids = [_receive(live, supervisor, citizen_id, NAME, CONTACT) for _ in range(2)]
    kept_id = _receive(live, supervisor, f"cit-{uuid.uuid4().hex[:8]}", "Олег Другой", "o@x.ru")
    before = _citizen(live, supervisor, erased_ids[0])
    cells_before = _cells(live.database_url)

    answer = _erase(live, citizen_id, "152-ФЗ ст. 21 ч. 4")
    after = [_citizen(live, supervisor, appeal_id) for appeal_id in erased_ids]
    kept = _citizen(live, supervisor, kept_id)
    cells_after = _cells(live.database_url)
    keys = _signing_keys(live)
    signed = _cli(live, "checkpoint", "--keys-dir", str(keys), cwd=tmp_path)
    export = _cli(
        live,
        "audit",
        "export",
        str(uuid_of(live, erased_ids[0])),
        "-o",
        str(tmp_path / "bundle.json"),
        "--keys-dir",
        str(keys),
        cwd=tmp_path,
    )
    verify = _cli(live, "verify", "--quiet", "--keys-dir", str(keys), cwd=tmp_path)

    assert before["citizen"] == {"name": NAME, "contact": CONTACT, "erased": False}
    assert "errors" not in answer, answer
    assert {a["id"] for a in answer["data"]["eraseCitizenData"]["appeals"]} == set(erased_ids)
    assert all(a["citizen"] == {"name": None, "contact": None, "erased": True} for a in after)
    assert kept["citizen"] == {"name": "Олег Другой", "contact": "o@x.ru", "erased": False}
    assert not _appears_in_clear(cells_before, NAME), "personal data is never stored in clear"
    assert not _appears_in_clear(cells_after, NAME)
    assert not _appears_in_clear(cells_after, CONTACT)
    assert not any(isinstance(c, str) and c == citizen_id for c in _key_rows(live.database_url))
    assert signed.returncode == 0, signed.stderr
    assert export.returncode == 0, export.stderr
    bundle = (tmp_path / "bundle.json").read_bytes()
    assert NAME.encode() not in bundle
    assert CONTACT.encode() not in bundle
    assert verify.returncode == 0, verify.stdout + verify.stderr


def _signing_keys(live: InProcessServer) -> Path:
    """One checkpoint key pair per store, so that `verify` knows every checkpoint's signer."""
    folder = live.folder / "keys"
    if not folder.exists():
        folder.mkdir()
        made = _cli(live, "keys", "generate", "--dir", str(folder), cwd=live.folder)
        assert made.returncode == 0, made.stderr
    return folder


def uuid_of(live: InProcessServer, appeal_id: str) -> str:
    answer = live.post(
        "query($id: ID!) { appeal(id: $id) { uuid } }",
        {"id": appeal_id},
        token=live.token(Role.AUDITOR),
    ).json()
    return str(answer["data"]["appeal"]["uuid"])


# --- texts ------------------------------------------------------------------------------

BODY = "Администрация города"
DEPARTMENT = "Управление дорожного хозяйства города"
PHONE = "+7 912 345-67-89"
ADDRESS = "ул. Садовая, д. 17, кв. 42"
TEXT = f"Яма у моего дома: {ADDRESS}. Перезвоните мне: {PHONE}."
ANSWER = f"Ваше обращение («{ADDRESS}», тел. {PHONE}) передано подрядчику."
READ = (
    "query($id: ID!) { appeal(id: $id) { text textErased answers { text textErased }"
    " history { type data } } }"
)
PROOFS = (
    "query($id: ID!, $size: Int) { appeal(id: $id) { history { inclusionProof("
    "checkpointSize: $size) { leafIndex leafHash treeSize path } } } }"
)
CHECKPOINT = "{ ledger { checkpoints(limit: 1) { size root } } }"


def _received_with_text(live: InProcessServer, citizen_id: str) -> str:
    appeal_id = receive(
        live,
        live.token(Role.OPERATOR, body=BODY),
        channel="VK",
        text=TEXT,
        body=BODY,
        citizen={"id": citizen_id, "name": NAME},
    )
    live.post(
        "mutation($id: ID!, $d: String!) { assignAppeal(input: {appealId: $id, "
        'department: $d, assignee: "petrov"}) { position } }',
        {"id": appeal_id, "d": DEPARTMENT},
        token=live.token(Role.SUPERVISOR, body=BODY),
    )
    live.post(
        "mutation($id: ID!, $t: String!) { answerAppeal(input: {appealId: $id, text: $t}) "
        "{ position } }",
        {"id": appeal_id, "t": ANSWER},
        token=live.token(Role.OPERATOR, body=BODY, department=DEPARTMENT),
    )
    return appeal_id


def _readers(live: InProcessServer) -> dict[str, str]:
    return {
        "operator": live.token(Role.OPERATOR, body=BODY, department=DEPARTMENT),
        "supervisor": live.token(Role.SUPERVISOR, body=BODY),
        "auditor": live.token(Role.AUDITOR),
        "auditor with pii": live.token(Role.AUDITOR, pii=True),
        "admin": live.token(Role.ADMIN, pii=True),
    }


def test_erasing_a_citizen_makes_their_appeal_text_and_the_answers_quoting_it_unreadable(
    live: InProcessServer, tmp_path: Path
) -> None:
    citizen_id = f"cit-{uuid.uuid4().hex[:8]}"
    appeal_id = _received_with_text(live, citizen_id)
    readers = _readers(live)
    auditor = readers["auditor"]
    before = live.post(READ, {"id": appeal_id}, token=readers["supervisor"]).json()
    keys = ["--keys-dir", str(_signing_keys(live))]
    _cli(live, "checkpoint", *keys, cwd=tmp_path)
    size = live.post(CHECKPOINT, token=auditor).json()["data"]["ledger"]["checkpoints"][0]["size"]
    proofs_before = live.post(PROOFS, {"id": appeal_id, "size": size}, token=auditor).json()
    rows_before = event_rows(live.database_url)

    erased = _erase(live, citizen_id)
    after = {
        role: live.post(READ, {"id": appeal_id}, token=token).json()
        for role, token in readers.items()
    }
    rows_after = event_rows(live.database_url)
    signed = _cli(live, "checkpoint", *keys, cwd=tmp_path)
    verify = _cli(live, "verify", "--quiet", *keys, cwd=tmp_path)
    checkpoint = live.post(CHECKPOINT, token=auditor).json()["data"]["ledger"]["checkpoints"][0]
    proofs_after = live.post(
        PROOFS, {"id": appeal_id, "size": checkpoint["size"]}, token=auditor
    ).json()["data"]["appeal"]["history"]

    assert before["data"]["appeal"]["text"] == TEXT
    assert before["data"]["appeal"]["answers"] == [{"text": ANSWER, "textErased": False}]
    assert "errors" not in erased, erased
    for role, answer in after.items():
        assert "errors" not in answer, (role, answer)
        appeal = answer["data"]["appeal"]
        assert (appeal["text"], appeal["textErased"]) == (None, True), role
        assert appeal["answers"] == [{"text": None, "textErased": True}], role
        carrying = [e["data"] for e in appeal["history"] if e["type"] in {"Received", "Answered"}]
        assert [(d["text"], d["text_erased"]) for d in carrying] == [(None, True)] * 2, role
        assert PHONE not in str(answer) and ADDRESS not in str(answer), role
    assert set(rows_before) <= set(rows_after), "stored event bytes never change"
    assert not _appears_in_clear([row[3] for row in rows_after], PHONE)
    assert signed.returncode == 0, signed.stderr
    assert verify.returncode == 0, verify.stdout + verify.stderr
    old_leaves = [
        e["inclusionProof"]["leafHash"] for e in proofs_before["data"]["appeal"]["history"]
    ]
    assert [e["inclusionProof"]["leafHash"] for e in proofs_after][:3] == old_leaves
    for entry in proofs_after:
        proof = entry["inclusionProof"]
        assert verify_inclusion(
            base64.b64decode(proof["leafHash"]),
            proof["leafIndex"],
            proof["treeSize"],
            [base64.b64decode(p) for p in proof["path"]],
            base64.b64decode(checkpoint["root"]),
        )


def test_erasing_an_unknown_citizen_answers_not_found(live: InProcessServer) -> None:
    unknown = f"nobody-{uuid.uuid4().hex[:8]}"

    answer = _erase(live, unknown)

    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert answer["errors"][0]["extensions"]["citizenId"] == unknown
