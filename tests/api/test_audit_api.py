"""The auditor's API: signed checkpoints over HTTP, and proofs that verify independently."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from audit.keyfiles import generate_keys, load_public_key
from ledger.values import Role
from ledger.verify import parse_checkpoint, verify_checkpoint, verify_consistency, verify_inclusion
from tests.api.conftest import LiveServer, start_server, stop_server
from tests.api.office import receive
from tests.waiting import until

ORIGIN = "appeals-test"


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    folder = tmp_path_factory.mktemp("audited")
    keys = folder / "keys"
    generate_keys(keys)
    server = start_server(
        f"sqlite:///{folder / 'a.db'}",
        folder / "server.log",
        APPEALS_KEYS_DIR=str(keys),
        APPEALS_CHECKPOINT_INTERVAL="1",
        APPEALS_LOG_ORIGIN=ORIGIN,
    )
    yield server, keys
    stop_server(server)


def _checkpoint_covering(live: LiveServer, size: int) -> str:
    notes: list[str] = []

    def covered() -> bool:
        response = httpx.get(f"{live.url}/ledger/checkpoint", timeout=5)
        if response.status_code == 200 and parse_checkpoint(response.text).size >= size:
            notes.append(response.text)
        return bool(notes)

    until(covered, timeout=20, every=0.2)
    return notes[-1]


def test_history_entries_prove_inclusion_under_a_signed_checkpoint(
    audited: tuple[LiveServer, Path],
) -> None:
    live, keys = audited
    token = live.token(Role.SUPERVISOR)
    appeal_id = receive(live, token)
    live.post(
        'mutation($id: ID!) { registerAppeal(input: {appealId: $id, number: "ОГ-5"}) '
        "{ position } }",
        {"id": appeal_id},
        token=token,
    )
    head = live.post("{ ledger { head { size } } }", token=token).json()["data"]["ledger"]["head"]
    note = _checkpoint_covering(live, head["size"])

    checkpoint = verify_checkpoint(note, load_public_key(keys), ORIGIN)
    history = live.post(
        "query($id: ID!, $size: Int) { appeal(id: $id) { history { version "
        "inclusionProof(checkpointSize: $size) { leafIndex leafHash treeSize path } } } }",
        {"id": appeal_id, "size": checkpoint.size},
        token=token,
    ).json()["data"]["appeal"]["history"]

    assert [entry["version"] for entry in history] == [1, 2]
    for entry in history:
        proof = entry["inclusionProof"]
        assert proof["treeSize"] == checkpoint.size
        assert verify_inclusion(
            base64.b64decode(proof["leafHash"]),
            proof["leafIndex"],
            checkpoint.size,
            [base64.b64decode(p) for p in proof["path"]],
            checkpoint.root,
        )


def test_two_checkpoints_are_consistent_and_listed_newest_first(
    audited: tuple[LiveServer, Path],
) -> None:
    live, _ = audited
    token = live.token(Role.AUDITOR)
    writer = live.token(Role.SUPERVISOR)
    receive(live, writer)
    first = parse_checkpoint(_checkpoint_covering(live, 1))
    receive(live, writer)
    second = parse_checkpoint(_checkpoint_covering(live, first.size + 1))

    answer = live.post(
        "query($a: Int!, $b: Int!) { ledger { consistencyProof(size1: $a, "
        "size2: $b) checkpoints(limit: 2) { size root note } } }",
        {"a": first.size, "b": second.size},
        token=token,
    ).json()

    ledger = answer["data"]["ledger"]
    proof = [base64.b64decode(node) for node in ledger["consistencyProof"]]
    assert verify_consistency(first.size, second.size, proof, first.root, second.root)
    sizes = [c["size"] for c in ledger["checkpoints"]]
    assert sizes == sorted(sizes, reverse=True)
    assert (
        base64.b64decode(ledger["checkpoints"][0]["root"])
        == parse_checkpoint(ledger["checkpoints"][0]["note"]).root
    )


def test_the_public_cannot_read_the_ledger_but_can_fetch_the_checkpoint(
    audited: tuple[LiveServer, Path],
) -> None:
    live, _ = audited
    _checkpoint_covering(live, 1)

    answer = live.post("{ ledger { head { size } } }").json()
    plain = httpx.get(f"{live.url}/ledger/checkpoint", timeout=5)

    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert plain.status_code == 200
    assert plain.text.startswith(f"{ORIGIN}\n")
