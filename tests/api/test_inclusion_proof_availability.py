"""An inclusion proof asked for before any checkpoint is null with a coded error, not the appeal."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.child import start_appeals
from ledger.values import Role
from tests.api.command_line import appeals
from tests.api.conftest import (
    LiveServer,
    free_port,
    live_server,
    stop_server,
    wait_serving,
)
from tests.api.inprocess import SECRET
from tests.api.office import receive
from tests.waiting import until

HISTORY = (
    "query($id: ID!) { appeal(id: $id) { id history { version "
    "inclusionProof { leafIndex treeSize path } } } }"
)


@pytest.fixture(params=["sqlite", "postgres"])
def unsigned(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[LiveServer, Path]]:
    """A server on a fresh store whose audit log has no key and no checkpoint yet."""
    keys = tmp_path / "keys"
    with live_server(
        request.param, tmp_path, APPEALS_KEYS_DIR=str(keys), APPEALS_CHECKPOINT_INTERVAL="0"
    ) as server:
        yield server, keys


def test_before_any_checkpoint_the_appeal_is_returned_with_a_null_proof_and_a_coded_error(
    unsigned: tuple[LiveServer, Path],
) -> None:
    live, keys = unsigned
    token = live.token(Role.SUPERVISOR)
    appeal_id = receive(live, token, text="Нет света")

    before = live.post(HISTORY, {"id": appeal_id}, token=token).json()
    signed = [
        appeals("keys", "generate", "--dir", str(keys), url=live.database_url),
        appeals("checkpoint", "--keys-dir", str(keys), url=live.database_url),
    ]
    served = httpx.get(f"{live.url}/ledger/checkpoint", timeout=10)
    after = live.post(HISTORY, {"id": appeal_id}, token=token).json()

    assert before["data"]["appeal"]["id"] == appeal_id
    assert before["data"]["appeal"]["history"] == [{"version": 1, "inclusionProof": None}]
    [error] = before["errors"]
    assert error["path"] == ["appeal", "history", 0, "inclusionProof"]
    assert error["extensions"]["code"] == "NO_CHECKPOINT"
    assert [result.returncode for result in signed] == [0, 0], [r.stderr for r in signed]
    assert served.status_code == 200
    assert "errors" not in after
    assert after["data"]["appeal"]["history"][0]["inclusionProof"]["treeSize"] >= 1


def _start_run(database_url: str, keys: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``appeals run`` as ``make run`` starts it, with a small demo so the test stays fast."""
    port = free_port()
    env = {
        **os.environ,
        "APPEALS_DATABASE_URL": database_url,
        "APPEALS_JWT_SECRET": SECRET,
        "APPEALS_KEYS_DIR": str(keys),
        "APPEALS_RATE_LIMIT_PER_MINUTE": "0",
    }
    process = start_appeals(["run", "--demo-appeals", "20", "--port", str(port)], log, env)
    url = f"http://127.0.0.1:{port}"
    wait_serving(process, url, log, timeout=90)
    return process, url


def test_appeals_run_prepares_keys_and_a_first_checkpoint_so_proofs_work_at_once(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'appeals.db'}"
    process, url = _start_run(database_url, tmp_path / "keys", tmp_path / "run.log")
    live = LiveServer(url, database_url, process, tmp_path / "run.log")
    try:
        served = httpx.get(f"{url}/ledger/checkpoint", timeout=10)
        key = httpx.get(f"{url}/ledger/public-key", timeout=10)
        query = "{ appeals(first: 1) { edges { node { history { inclusionProof { treeSize path } } } } } }"
        answers: list[dict[str, Any]] = []

        def listed() -> bool:
            # The views catch up with the demo in the background once the server is up.
            answers.append(live.post(query, token=live.token(Role.AUDITOR)).json())
            return "errors" in answers[-1] or bool(answers[-1]["data"]["appeals"]["edges"])

        until(listed, timeout=60, every=0.2)
        answer = answers[-1]
    finally:
        stop_server(live)

    assert served.status_code == 200
    assert key.status_code == 200
    assert "errors" not in answer
    proof = answer["data"]["appeals"]["edges"][0]["node"]["history"][0]["inclusionProof"]
    assert proof["treeSize"] > 20
