"""The tiled log, judged by Go's ``sumdb/note`` and ``sumdb/tlog`` on SQLite and PostgreSQL.

A store with a few hundred events (a full tile and partial ones) and a signed checkpoint is
served by a live ``appeals serve``; Go reads ``/ledger/verifier-key``'s key, opens the
checkpoint and recomputes its root from the served tiles and entry bundles, then again from
the static files ``appeals audit publish`` writes. Changing one leaf's hash in the database
makes both Go and ``appeals verify`` refuse.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from api.bootstrap import build
from api.commands.demo import load_demo
from api.settings import Settings
from audit.keyfiles import generate_keys, load_public_key
from audit.service import AuditConfig, AuditService
from ledger.verify import parse_checkpoint
from ledger.verify.vkey import parse_verifier_key, verifier_key
from tests.api.command_line import appeals
from tests.api.conftest import LiveServer, empty_store, start_server, stop_server
from tests.tlog.judge import build_judge, judge

UNTIL = datetime(2026, 1, 10, tzinfo=UTC)


@dataclass
class Log:
    """A served store with a signed checkpoint."""

    live: LiveServer
    keys: Path
    size: int
    root: str


@pytest.fixture(scope="module")
def go_judge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_judge(tmp_path_factory.mktemp("judge"))


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def log(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Log]:
    folder = tmp_path_factory.mktemp("tiles")
    with empty_store(request.param, folder) as url:
        container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
        generate_keys(folder / "keys")
        load_demo(container, 70, seed=5, until=UNTIL, quiet=True)
        checkpoint = AuditService(
            container, AuditConfig(keys_dir=folder / "keys")
        ).sign_checkpoint()
        container.close()
        assert checkpoint is not None and checkpoint.size > 300
        server = start_server(
            url,
            folder / "server.log",
            APPEALS_KEYS_DIR=str(folder / "keys"),
            APPEALS_CHECKPOINT_INTERVAL="0",
        )
        yield Log(
            server, folder / "keys", checkpoint.size, parse_checkpoint(checkpoint.note).root.hex()
        )
        stop_server(server)


def _vkey(log: Log) -> str:
    response = httpx.get(f"{log.live.url}/ledger/verifier-key", timeout=10)
    assert response.status_code == 200
    return response.text.strip()


def test_the_served_verifier_key_is_the_note_form_of_the_published_key(log: Log) -> None:
    vkey = parse_verifier_key(_vkey(log))

    assert vkey.name == "appeals-ledger"
    assert vkey.public_key() == load_public_key(log.keys)


def test_go_verifies_the_checkpoint_and_recomputes_its_root_from_the_served_tiles(
    log: Log, go_judge: Path
) -> None:
    result = judge(go_judge, _vkey(log), f"{log.live.url}/ledger")

    assert result.returncode == 0, result.stderr
    size, root = result.stdout.split()[2], result.stdout.split()[4]
    assert int(size) == log.size
    assert bytes.fromhex(log.root) == base64.b64decode(root)
    assert result.stdout.endswith(f"entries {log.size}\n")


def test_full_tiles_are_cached_for_a_year_and_missing_tiles_are_not_found(log: Log) -> None:
    base = f"{log.live.url}/ledger/tile"
    full = httpx.get(f"{base}/0/000", timeout=10)
    partial_width = log.size % 256
    partial = httpx.get(f"{base}/0/{log.size // 256:03d}.p/{partial_width}", timeout=10)
    entries = httpx.get(f"{base}/entries/000", timeout=10)

    assert (full.status_code, len(full.content)) == (200, 8192)
    assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert full.headers["content-type"] == "application/octet-stream"
    assert (partial.status_code, len(partial.content)) == (200, 32 * partial_width)
    assert partial.headers["cache-control"] == "public, max-age=60"
    assert entries.status_code == 200 and entries.content[2:24] == b"appeals-ledger/leaf/1\n"
    for missing in ["0/999", "1/000", f"0/000.p/{256}", "0/00", "0/x000/001", "64/000", "x/000"]:
        assert httpx.get(f"{base}/{missing}", timeout=10).status_code == 404, missing


def test_published_static_files_are_judged_the_same_and_full_tiles_are_kept(
    log: Log, go_judge: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    first, again = [
        appeals(
            "audit",
            "publish",
            "--out",
            str(out),
            "--keys-dir",
            str(log.keys),
            url=log.live.database_url,
        )
        for _ in range(2)
    ]

    assert first.returncode == 0, first.stderr
    assert again.returncode == 0, again.stderr
    assert "0 full tiles already there" in first.stdout
    assert f"{log.size // 256 * 2} full tiles already there" in again.stdout
    assert (out / "tile" / "0" / "000").read_bytes() == httpx.get(
        f"{log.live.url}/ledger/tile/0/000", timeout=10
    ).content
    result = judge(go_judge, (out / "verifier-key").read_text().strip(), str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK size {log.size} ")


def test_keys_generate_prints_the_verifier_key(tmp_path: Path) -> None:
    result = appeals("keys", "generate", "--dir", str(tmp_path / "k"), url="sqlite:///:memory:")

    line = next(line for line in result.stdout.splitlines() if line.startswith("verifier key "))
    printed = line.removeprefix("verifier key ")
    assert result.returncode == 0
    assert printed == verifier_key("appeals-ledger", load_public_key(tmp_path / "k")).text()
    assert parse_verifier_key(printed).public_key() == load_public_key(tmp_path / "k")


def test_changing_one_leaf_in_the_database_makes_go_and_appeals_verify_refuse(
    log: Log, go_judge: Path
) -> None:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": log.live.database_url}))
    try:
        container.sql.execute(
            "UPDATE audit_leaves SET leaf_hash = ? WHERE leaf_index = ?", (b"\x01" * 32, 7)
        )

        go = judge(go_judge, _vkey(log), f"{log.live.url}/ledger")
        ours = appeals("verify", "--keys-dir", str(log.keys), "--quiet", url=log.live.database_url)
    finally:
        container.close()

    assert go.returncode == 1
    assert (
        go.stderr
        == "FAIL: level 0 tile 0 does not give the signed root: invalid transparency proof\n"
    )
    assert ours.returncode == 1
    assert "leaf" in ours.stderr.split("\n")[0]
