"""Witnesses: a real ``appeals witness serve`` cosigns a growing log and refuses a split view.

The log asks the witness after every ``appeals checkpoint`` (``APPEALS_WITNESSES``), keeps
the cosignature and serves it with the checkpoint. Another store signed with the same key,
a second history of the same log, is refused; the log says so in its output and in
``/metrics``. The witness keeps its state across a restart.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.bootstrap import build
from api.commands.demo import load_demo
from api.settings import Settings
from audit.keyfiles import generate_keys, load_private_key, load_public_key
from ledger.verify import b64, format_checkpoint_body, sign_checkpoint
from ledger.verify.cosignature import cosigned_by, open_checkpoint, split_note
from ledger.verify.vkey import parse_verifier_key, verifier_key
from tests.api.conftest import empty_store, start_server, stop_server
from tests.tlog.witness_process import (
    WitnessProcess,
    generate_witness_key,
    run_cli,
    start_witness,
)
from tests.waiting import until

UNTIL = datetime(2026, 1, 10, tzinfo=UTC)
ORIGIN = "appeals-ledger"


@dataclass
class Setup:
    """One log's keys and two stores (two histories), and a witness that trusts the log."""

    folder: Path
    keys: Path
    log_vkey: str
    witness_key: Path
    witness_vkey: str
    state: Path
    witness: WitnessProcess
    first: str
    second: str

    def env(self, url: str) -> dict[str, str]:
        return {
            "APPEALS_DATABASE_URL": url,
            "APPEALS_KEYS_DIR": str(self.keys),
            "APPEALS_WITNESSES": f"{self.witness.url} {self.witness_vkey}",
        }


@pytest.fixture(params=["sqlite", "postgres"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Setup]:
    generate_keys(tmp_path / "keys")
    log_vkey = verifier_key(ORIGIN, load_public_key(tmp_path / "keys")).text()
    witness_vkey = generate_witness_key(tmp_path / "witness.key", "witness.test/w1")
    witness = start_witness(tmp_path / "witness.key", tmp_path / "state.json", log_vkey, tmp_path)
    with (
        empty_store(request.param, tmp_path / "one") as first,
        empty_store("sqlite", tmp_path / "two") as second,
    ):
        (tmp_path / "one").mkdir(exist_ok=True)
        (tmp_path / "two").mkdir(exist_ok=True)
        setup = Setup(
            tmp_path,
            tmp_path / "keys",
            log_vkey,
            tmp_path / "witness.key",
            witness_vkey,
            tmp_path / "state.json",
            witness,
            first,
            second,
        )
        yield setup
        setup.witness.stop()


def _grow(url: str, appeals: int, seed: int) -> None:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
    try:
        load_demo(container, appeals, seed=seed, until=UNTIL, quiet=True)
    finally:
        container.close()


def _checkpoint(setup: Setup, url: str) -> str:
    result = run_cli("checkpoint", **setup.env(url))
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_witness_cosigns_a_growing_log_and_the_log_serves_its_cosignature(
    setup: Setup,
) -> None:
    _grow(setup.first, 3, seed=1)
    first = _checkpoint(setup, setup.first)
    _grow(setup.first, 3, seed=2)

    second = _checkpoint(setup, setup.first)

    witness = parse_verifier_key(setup.witness_vkey)
    for note in (first, second):
        opened = open_checkpoint(note, parse_verifier_key(setup.log_vkey))
        assert list(cosigned_by(opened.body, opened.lines, [witness])) == ["witness.test/w1"]
    size = open_checkpoint(second, parse_verifier_key(setup.log_vkey)).size
    state = json.loads(setup.state.read_text())
    assert state[ORIGIN]["size"] == size
    assert size > open_checkpoint(first, parse_verifier_key(setup.log_vkey)).size


def test_a_second_tree_of_the_same_size_is_refused_and_the_log_reports_it(
    setup: Setup,
) -> None:
    _grow(setup.first, 3, seed=1)
    cosigned = open_checkpoint(_checkpoint(setup, setup.first), parse_verifier_key(setup.log_vkey))
    forged = sign_checkpoint(
        format_checkpoint_body(ORIGIN, cosigned.size, b"\x09" * 32),
        ORIGIN,
        load_private_key(setup.keys),
    )

    same_size = httpx.post(
        f"{setup.witness.url}/add-checkpoint",
        content=f"old {cosigned.size}\n\n{forged}".encode(),
        timeout=10,
    )
    _grow(setup.second, 4, seed=9)
    other_history = run_cli("checkpoint", **setup.env(setup.second))

    assert same_size.status_code == 409
    assert same_size.text == "another tree of this size was cosigned\n"
    assert other_history.returncode == 0
    assert "witness witness.test/w1 refused checkpoint" in other_history.stderr
    _, lines = split_note(other_history.stdout)
    assert [line.name for line in lines] == [ORIGIN]  # served without a cosignature
    server = start_server(
        setup.second,
        setup.folder / "server.log",
        APPEALS_CHECKPOINT_INTERVAL="0",
        **setup.env(setup.second),
    )
    try:
        metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
    finally:
        stop_server(server)
    assert 'appeals_witness_refusals{witness="witness.test/w1"} 1.0' in metrics
    assert json.loads(setup.state.read_text())[ORIGIN]["size"] == cosigned.size


def test_the_witness_keeps_its_state_across_a_restart(setup: Setup) -> None:
    _grow(setup.first, 3, seed=1)
    cosigned = open_checkpoint(_checkpoint(setup, setup.first), parse_verifier_key(setup.log_vkey))
    setup.witness.stop()
    setup.witness = start_witness(setup.witness_key, setup.state, setup.log_vkey, setup.folder)
    forged = sign_checkpoint(
        format_checkpoint_body(ORIGIN, cosigned.size, b"\x09" * 32),
        ORIGIN,
        load_private_key(setup.keys),
    )

    from_zero = httpx.post(
        f"{setup.witness.url}/add-checkpoint", content=f"old 0\n\n{forged}".encode(), timeout=10
    )
    split = httpx.post(
        f"{setup.witness.url}/add-checkpoint",
        content=f"old {cosigned.size}\n\n{forged}".encode(),
        timeout=10,
    )
    _grow(setup.first, 2, seed=3)
    grown = _checkpoint(setup, setup.first)

    assert (from_zero.status_code, from_zero.text) == (409, f"{cosigned.size}\n")
    assert from_zero.headers["content-type"].startswith("text/x.tlog.size")
    assert split.status_code == 409
    opened = open_checkpoint(grown, parse_verifier_key(setup.log_vkey))
    assert "witness.test/w1" in cosigned_by(
        opened.body, opened.lines, [parse_verifier_key(setup.witness_vkey)]
    )


def test_the_witness_refuses_what_it_cannot_trust(setup: Setup) -> None:
    _grow(setup.first, 3, seed=1)
    note = _checkpoint(setup, setup.first)
    cosigned = open_checkpoint(note, parse_verifier_key(setup.log_vkey))
    stranger = Ed25519PrivateKey.generate()
    unknown_key = sign_checkpoint(
        format_checkpoint_body(ORIGIN, cosigned.size + 1, b"\x01" * 32), ORIGIN, stranger
    )
    unknown_log = sign_checkpoint(
        format_checkpoint_body("other.example/log", 1, b"\x01" * 32), "other.example/log", stranger
    )
    bigger = sign_checkpoint(
        format_checkpoint_body(ORIGIN, cosigned.size + 1, b"\x02" * 32),
        ORIGIN,
        load_private_key(setup.keys),
    )

    def post(body: str) -> httpx.Response:
        return httpx.post(f"{setup.witness.url}/add-checkpoint", content=body.encode(), timeout=10)

    assert post(f"old {cosigned.size}\n\n{unknown_key}").status_code == 403
    assert post(f"old 0\n\n{unknown_log}").status_code == 404
    assert post(f"old {cosigned.size + 2}\n\n{bigger}").status_code == 400
    wrong = b64(b"\x03" * 32)
    wrong_proof = post(f"old {cosigned.size}\n{wrong}\n\n{bigger}")
    assert wrong_proof.status_code == 422
    assert post("old x\n\n" + bigger).status_code == 400
    assert json.loads(setup.state.read_text())[ORIGIN]["size"] == cosigned.size


def test_the_api_asks_the_witness_after_each_scheduled_checkpoint(setup: Setup) -> None:
    _grow(setup.first, 2, seed=5)
    server = start_server(
        setup.first,
        setup.folder / "keeper.log",
        APPEALS_CHECKPOINT_INTERVAL="1",
        **setup.env(setup.first),
    )
    witness = parse_verifier_key(setup.witness_vkey)

    def cosigned() -> bool:
        answer = httpx.get(f"{server.url}/ledger/checkpoint", timeout=5)
        if answer.status_code != 200:
            return False
        opened = open_checkpoint(answer.text, parse_verifier_key(setup.log_vkey))
        return "witness.test/w1" in cosigned_by(opened.body, opened.lines, [witness])

    try:
        until(cosigned, timeout=30, every=0.2)
        metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
    finally:
        stop_server(server)
    assert 'appeals_witness_refusals{witness="witness.test/w1"} 0.0' in metrics
    assert json.loads(setup.state.read_text())[ORIGIN]["size"] > 0
