"""Erasing a citizen (152-ФЗ): gone from every field, export and table; the log still verifies."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg

from ledger.values import Role
from tests.api.conftest import LiveServer

NAME = "Зинаида Уникальнова"
CONTACT = "zinaida-unique@example.ru"


def _receive(live: LiveServer, token: str, citizen_id: str, name: str, contact: str) -> str:
    made = live.post(
        "mutation($e: String!, $c: CitizenInput!) { receiveAppeal(input: {channel: EMAIL, "
        'externalId: $e, text: "Прошу помочь", body: "Орган", citizen: $c}) { appeal { id } } }',
        {"e": uuid.uuid4().hex, "c": {"id": citizen_id, "name": name, "contact": contact}},
        token=token,
    ).json()  # fmt: skip
    return str(made["data"]["receiveAppeal"]["appeal"]["id"])


def _citizen(live: LiveServer, token: str, appeal_id: str) -> dict[str, object]:
    answer = live.post("query($id: ID!) { appeal(id: $id) { status citizen { name contact erased } } }",
                       {"id": appeal_id}, token=token).json()  # fmt: skip
    return dict(answer["data"]["appeal"])


def _cells(database_url: str) -> list[object]:
    """Every value of every table, read with plain SQL."""
    values: list[object] = []
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                values.extend(row)
        conn.close()
        return values
    with psycopg.connect(database_url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]  # fmt: skip
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                values.extend(row)
    return values


def _appears_in_clear(cells: list[object], text: str) -> bool:
    needle = text.encode()
    for cell in cells:
        if isinstance(cell, str) and text in cell:
            return True
        if isinstance(cell, bytes | memoryview) and needle in bytes(cell):
            return True
    return False


def _cli(live: LiveServer, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "APPEALS_DATABASE_URL": live.database_url}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


def test_an_erased_citizen_is_gone_everywhere_and_the_log_still_verifies(
    live: LiveServer, tmp_path: Path
) -> None:
    supervisor = live.token(Role.SUPERVISOR)
    citizen_id = f"cit-{uuid.uuid4().hex[:8]}"
    erased_ids = [_receive(live, supervisor, citizen_id, NAME, CONTACT) for _ in range(2)]
    kept_id = _receive(live, supervisor, f"cit-{uuid.uuid4().hex[:8]}", "Олег Другой", "o@x.ru")
    before = _citizen(live, supervisor, erased_ids[0])
    cells_before = _cells(live.database_url)

    answer = live.post(
        "mutation($c: String!) { eraseCitizenData(input: {citizenId: $c, legalBasis: "
        '"152-ФЗ ст. 21 ч. 4"}) { citizenId appeals { id } positions } }',
        {"c": citizen_id}, token=live.token(Role.ADMIN),
    ).json()  # fmt: skip
    after = [_citizen(live, supervisor, appeal_id) for appeal_id in erased_ids]
    kept = _citizen(live, supervisor, kept_id)
    cells_after = _cells(live.database_url)
    (tmp_path / "keys").mkdir()
    keys = _cli(live, "keys", "generate", "--dir", str(tmp_path / "keys"), cwd=tmp_path)
    signed = _cli(live, "checkpoint", "--keys-dir", str(tmp_path / "keys"), cwd=tmp_path)
    export = _cli(live, "audit", "export", str(uuid_of(live, erased_ids[0])), "-o",
                  str(tmp_path / "bundle.json"), "--keys-dir", str(tmp_path / "keys"), cwd=tmp_path)  # fmt: skip
    verify = _cli(live, "verify", "--quiet", "--keys-dir", str(tmp_path / "keys"), cwd=tmp_path)

    assert before["citizen"] == {"name": NAME, "contact": CONTACT, "erased": False}
    assert "errors" not in answer, answer
    assert {a["id"] for a in answer["data"]["eraseCitizenData"]["appeals"]} == set(erased_ids)
    assert all(a["citizen"] == {"name": None, "contact": None, "erased": True} for a in after)
    assert kept["citizen"] == {"name": "Олег Другой", "contact": "o@x.ru", "erased": False}
    assert not _appears_in_clear(cells_before, NAME), "personal data is never stored in clear"
    assert not _appears_in_clear(cells_after, NAME)
    assert not _appears_in_clear(cells_after, CONTACT)
    assert not any(isinstance(c, str) and c == citizen_id for c in _key_rows(live.database_url))
    assert keys.returncode == 0, keys.stderr
    assert signed.returncode == 0, signed.stderr
    assert export.returncode == 0, export.stderr
    bundle = (tmp_path / "bundle.json").read_bytes()
    assert NAME.encode() not in bundle
    assert CONTACT.encode() not in bundle
    assert verify.returncode == 0, verify.stdout + verify.stderr


def uuid_of(live: LiveServer, appeal_id: str) -> str:
    answer = live.post("query($id: ID!) { appeal(id: $id) { uuid } }", {"id": appeal_id},
                       token=live.token(Role.AUDITOR)).json()  # fmt: skip
    return str(answer["data"]["appeal"]["uuid"])


def _key_rows(database_url: str) -> list[object]:
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        rows = [r[0] for r in conn.execute("SELECT citizen_id FROM citizen_keys")]
        conn.close()
        return rows
    with psycopg.connect(database_url) as conn:
        return [r[0] for r in conn.execute("SELECT citizen_id FROM citizen_keys")]
