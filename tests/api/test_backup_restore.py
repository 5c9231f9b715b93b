"""Backup and verified restore, from the operator's side: the CLI against a served store.

A backup taken while clients write restores into a new store of the same kind; the restored
store verifies, proves consistent with a checkpoint signed before the backup, keeps every
write acknowledged before the backup began, and keeps erased citizens erased.
"""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.bootstrap import build
from api.cli import main
from api.settings import Settings
from ledger.values import Role
from tests.api.command_line import appeals
from tests.api.conftest import LiveServer, empty_store, start_server, stop_server

RECEIVE = (
    "mutation($e: String!) { receiveAppeal(input: {channel: EMAIL, externalId: $e, "
    'text: "Прошу отремонтировать подъезд", body: "Орган"}) { appeal { id } position } }'
)
RECEIVE_FROM = (
    "mutation($e: String!, $c: CitizenInput!) { receiveAppeal(input: {channel: EMAIL, "
    'externalId: $e, text: "Прошу помочь", body: "Орган", citizen: $c}) '
    "{ appeal { id } } }"
)
ERASE = (
    'mutation($c: String!) { eraseCitizenData(input: {citizenId: $c, legalBasis: "152-ФЗ"}) '
    "{ citizenId } }"
)
CITIZEN = "query($id: ID!) { appeal(id: $id) { id citizen { name erased } } }"


def cli(database_url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``appeals ARGS`` on a store, with the test's keys."""
    return appeals(*args, url=database_url, cwd=cwd, APPEALS_KEYS_DIR=str(cwd / "keys"))


class Writers:
    """Threads receiving new appeals over GraphQL, noting when each write was acknowledged."""

    def __init__(self, live: LiveServer, threads: int = 2) -> None:
        self.live = live
        self.token = live.token(Role.SUPERVISOR)
        self.acknowledged: list[tuple[float, str]] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._write) for _ in range(threads)]

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _write(self) -> None:
        headers = {"authorization": f"Bearer {self.token}"}
        with httpx.Client(timeout=30, headers=headers) as client:
            while not self.stop.is_set():
                answer = client.post(
                    self.live.graphql, json={"query": RECEIVE, "variables": {"e": uuid.uuid4().hex}}
                ).json()
                appeal_id = answer["data"]["receiveAppeal"]["appeal"]["id"]
                self.acknowledged.append((time.monotonic(), appeal_id))

    def before(self, instant: float) -> set[str]:
        """The appeals whose writes were acknowledged before ``instant``."""
        return {appeal_id for at, appeal_id in list(self.acknowledged) if at < instant}


@pytest.fixture(params=["sqlite", "postgres"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def served(kind: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A server on a new store of ``kind``, with checkpoint keys in ``tmp_path/keys``."""
    with empty_store(kind, tmp_path) as url:
        made = cli(url, "keys", "generate", cwd=tmp_path)
        assert made.returncode == 0, made.stderr
        server = start_server(url, tmp_path / "server.log", APPEALS_KEYS_DIR=str(tmp_path / "keys"))
        yield server
        stop_server(server)


def _receive_from(live: LiveServer, token: str, citizen: str, name: str) -> str:
    answer = live.post(
        RECEIVE_FROM,
        {"e": uuid.uuid4().hex, "c": {"id": citizen, "name": name, "contact": "c@x.ru"}},
        token=token,
    ).json()
    return str(answer["data"]["receiveAppeal"]["appeal"]["id"])


def test_a_backup_taken_under_write_load_restores_verifies_and_extends_an_earlier_checkpoint(
    served: LiveServer, kind: str, tmp_path: Path
) -> None:
    supervisor = served.token(Role.SUPERVISOR)
    erased = _receive_from(served, supervisor, "cit-erased", "Зинаида Стертая")
    kept = _receive_from(served, supervisor, "cit-kept", "Олег Оставленный")
    erasure = served.post(ERASE, {"c": "cit-erased"}, token=served.token(Role.ADMIN)).json()
    assert "errors" not in erasure, erasure
    signed = cli(served.database_url, "checkpoint", cwd=tmp_path)
    assert signed.returncode == 0, signed.stderr
    (tmp_path / "before.checkpoint").write_text(signed.stdout)
    backup = tmp_path / "store.backup"

    with Writers(served) as writers:
        time.sleep(1.0)  # let the load build up before the backup starts
        started = time.monotonic()
        taken = cli(served.database_url, "backup", "-o", str(backup), cwd=tmp_path)
        finished = time.monotonic()
        time.sleep(0.5)  # and keep writing after it
    acknowledged_before = writers.before(started)
    acknowledged_during = writers.before(finished) - acknowledged_before

    with empty_store(kind, tmp_path / "restored") as restored_url:
        restored = cli(
            restored_url,
            "restore",
            str(backup),
            "--checkpoint",
            str(tmp_path / "before.checkpoint"),
            cwd=tmp_path,
        )
        verified = cli(restored_url, "verify", "--quiet", cwd=tmp_path)
        server = start_server(
            restored_url, tmp_path / "restored.log", APPEALS_KEYS_DIR=str(tmp_path / "keys")
        )
        try:
            auditor = server.token(Role.AUDITOR, pii=True)
            found = {
                appeal_id
                for appeal_id in acknowledged_before | acknowledged_during
                if server.post(CITIZEN, {"id": appeal_id}, token=auditor).json()["data"]["appeal"]
                is not None
            }
            erased_after = server.post(CITIZEN, {"id": erased}, token=auditor).json()
            kept_after = server.post(CITIZEN, {"id": kept}, token=auditor).json()
        finally:
            stop_server(server)

    assert taken.returncode == 0, taken.stderr
    assert len(acknowledged_before) >= 10, "the backup ran under load"
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "OK: " in restored.stdout and "extends the checkpoint" in restored.stdout
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert acknowledged_before <= found, "every write acknowledged before the backup is restored"
    assert erased_after["data"]["appeal"]["citizen"] == {"name": None, "erased": True}
    assert kept_after["data"]["appeal"]["citizen"] == {"name": "Олег Оставленный", "erased": False}


def test_a_checkpoint_of_another_history_is_not_proved_consistent(
    served: LiveServer, tmp_path: Path
) -> None:
    supervisor = served.token(Role.SUPERVISOR)
    served.post(RECEIVE, {"e": "first"}, token=supervisor)
    ours = cli(served.database_url, "checkpoint", cwd=tmp_path)
    (tmp_path / "ours.checkpoint").write_text(ours.stdout)
    kind = "sqlite" if served.database_url.startswith("sqlite") else "postgres"
    with empty_store(kind, tmp_path / "other") as other_url:
        other = start_server(
            other_url, tmp_path / "other.log", APPEALS_KEYS_DIR=str(tmp_path / "keys")
        )
        try:
            other.post(RECEIVE, {"e": "another"}, token=supervisor)
        finally:
            stop_server(other)
        theirs = cli(other_url, "checkpoint", cwd=tmp_path)
    (tmp_path / "theirs.checkpoint").write_text(theirs.stdout)
    (tmp_path / "forged.checkpoint").write_text(ours.stdout.replace("\n1\n", "\n2\n", 1))

    proved = cli(
        served.database_url,
        "consistency",
        "--checkpoint",
        str(tmp_path / "ours.checkpoint"),
        "--checkpoint",
        str(tmp_path / "theirs.checkpoint"),
        "--checkpoint",
        str(tmp_path / "forged.checkpoint"),
        cwd=tmp_path,
    )

    assert proved.returncode == 1
    assert "OK: " + str(tmp_path / "ours.checkpoint") in proved.stdout
    assert "theirs.checkpoint: LOG_DOES_NOT_EXTEND_CHECKPOINT" in proved.stderr
    assert "forged.checkpoint: CHECKPOINT_INVALID" in proved.stderr


def test_a_restore_refuses_a_store_with_data_or_of_another_kind_and_changes_nothing(
    served: LiveServer,
    kind: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    served.post(RECEIVE, {"e": "kept"}, token=served.token(Role.SUPERVISOR))
    monkeypatch.setenv("APPEALS_KEYS_DIR", str(tmp_path / "keys"))
    backup = tmp_path / "store.backup"
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    other = (
        "postgresql://postgres@127.0.0.1:1/none"
        if kind == "sqlite"
        else f"sqlite:///{tmp_path / 'other.db'}"
    )

    def run(database_url: str, *args: str) -> tuple[int, str]:
        monkeypatch.setenv("APPEALS_DATABASE_URL", database_url)
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    taken = run(served.database_url, "backup", "-o", str(backup))
    over_data = run(served.database_url, "restore", str(backup))
    crossed = run(other, "restore", str(backup))
    unreadable = run(served.database_url, "restore", str(junk))
    again = run(served.database_url, "backup", "-o", str(backup))
    verified = run(served.database_url, "verify", "--quiet", "--allow-pending")
    store = build(Settings.from_environ({"APPEALS_DATABASE_URL": served.database_url}))
    try:
        head = store.ledger.recorder.max_notification_id()
    finally:
        store.close()

    assert taken[0] == 0, taken[1]
    assert over_data[0] == 1 and "RESTORE_TARGET_NOT_EMPTY" in over_data[1]
    assert crossed[0] == 1 and "BACKUP_STORE_MISMATCH" in crossed[1]
    assert unreadable[0] == 1 and "BACKUP_UNREADABLE" in unreadable[1]
    assert again[0] == 1 and "BACKUP_EXISTS" in again[1]
    assert verified[0] == 0, verified[1]
    assert head == 1, "the refused restores wrote nothing"
