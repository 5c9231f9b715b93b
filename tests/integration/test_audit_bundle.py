"""An appeal's exported bundle verifies offline; erasing personal data keeps the log intact."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from api.commands.demo import load_demo
from api.container import Container
from audit.keyfiles import generate_keys
from audit.service import AuditConfig, AuditService
from ledger.privacy import Citizen
from ledger.values import Actor, Role
from ledger.verify import VerificationError, verify_bundle_bytes

UNTIL = datetime(2026, 1, 10, tzinfo=UTC)
OFFICER = Actor("dpo-1", Role.ADMIN)


def run(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "APPEALS_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def audit(container: Container, tmp_path: Path) -> AuditService:
    generate_keys(tmp_path / "keys")
    return AuditService(container, AuditConfig(keys_dir=tmp_path / "keys"))


def _citizens_appeal(container: Container) -> UUID:
    ledger = container.ledger
    recorded = ledger.receive_appeal(
        channel="pos",
        external_id="pos-77",
        text="Яма во дворе",
        body="Администрация",
        citizen=Citizen(name="Анна Смирнова", contact="anna@example.ru"),
    )
    ledger.register_appeal(recorded.appeal_id, number="ОГ-77", actor=OFFICER)
    ledger.answer_appeal(recorded.appeal_id, text="Яму засыпали", actor=OFFICER)
    return recorded.appeal_id


def test_an_exported_bundle_verifies_offline_and_any_flipped_byte_fails(
    store_url: str, container: Container, audit: AuditService, tmp_path: Path
) -> None:
    load_demo(container, 20, seed=21, until=UNTIL, quiet=True)
    appeal_id = _citizens_appeal(container)
    load_demo(container, 20, seed=22, until=UNTIL, quiet=True)
    audit.sign_checkpoint()
    bundle = tmp_path / "bundle.json"
    keys = str(tmp_path / "keys")

    exported = run(
        "-m",
        "api.cli",
        "audit",
        "export",
        str(appeal_id),
        "-o",
        str(bundle),
        "--keys-dir",
        keys,
        url=store_url,
    )
    offline = run("-m", "ledger.verify", str(bundle), url="")

    assert exported.returncode == 0, exported.stderr
    assert offline.returncode == 0, offline.stderr
    assert offline.stdout.startswith(f"OK: appeal {appeal_id}: 3 events")
    data = bundle.read_bytes()
    for position in range(len(data)):
        flipped = bytearray(data)
        flipped[position] ^= 0x01
        with pytest.raises(VerificationError):
            verify_bundle_bytes(bytes(flipped))
    bundle.write_bytes(data[:100] + bytes([data[100] ^ 0x01]) + data[101:])
    assert run("-m", "ledger.verify", str(bundle), url="").returncode == 1


def test_erasing_personal_data_changes_no_leaf_and_verification_passes(
    store_url: str, container: Container, audit: AuditService, tmp_path: Path
) -> None:
    appeal_id = _citizens_appeal(container)
    load_demo(container, 10, seed=23, until=UNTIL, quiet=True)
    before = audit.sign_checkpoint()
    leaves = audit.log.leaves_of(str(appeal_id))
    citizen_id = container.ledger.get_appeal(appeal_id).citizen_id
    assert before is not None and citizen_id is not None

    container.ledger.erase_citizen_data(
        citizen_id, [appeal_id], legal_basis="152-ФЗ ст. 21", actor=OFFICER
    )
    after = audit.sign_checkpoint()
    verified = run(
        "-m", "api.cli", "verify", "--keys-dir", str(tmp_path / "keys"), "--quiet", url=store_url
    )

    assert container.ledger.open_citizen(container.ledger.get_appeal(appeal_id)) is None
    assert audit.log.leaves_of(str(appeal_id))[: len(leaves)] == leaves
    assert after is not None and after.size == before.size + 1
    assert verified.returncode == 0, verified.stderr
    assert "2 checkpoints" in verified.stdout
