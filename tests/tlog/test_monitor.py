"""``python -m ledger.verify --tiles``: a whole log checked from its tiles, with witnesses.

The log is cosigned by a real witness process and published with ``appeals audit publish``;
the offline verifier checks the served and the published log, the witness policy, an
appeal's inclusion from the tiles, and notices a changed tile.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.api.command_line import run_module
from tests.api.conftest import LiveServer, start_server, stop_server
from tests.tlog.cosigned import cosigned_log
from tests.tlog.judge import build_judge, judge
from tests.tlog.witness_process import generate_witness_key, run_cli


@dataclass
class Published:
    """A cosigned, published and served log."""

    site: Path
    live: LiveServer
    log_vkey: str
    witness_vkey: str
    appeal: str
    appeal_events: int


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def published(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Published]:
    folder = tmp_path_factory.mktemp("monitor")
    with cosigned_log(request.param, folder, count=40, seed=21) as log:
        appeal = log.appeals[len(log.appeals) // 2]
        site = str(folder / "site")
        assert run_cli("audit", "publish", "--out", site, **log.env).returncode == 0
        live = start_server(
            log.url, folder / "server.log", APPEALS_CHECKPOINT_INTERVAL="0", **log.env
        )
        yield Published(
            folder / "site", live, log.log_vkey, log.witness_vkey, appeal, log.events_of(appeal)
        )
        stop_server(live)


def verify(*args: str) -> subprocess.CompletedProcess[str]:
    return run_module("ledger.verify", *args)


def verify_site(published: Published, *more: str) -> subprocess.CompletedProcess[str]:
    """``verify`` of the published static files, with the log's key and its witness."""
    site, vkey, witness = str(published.site), published.log_vkey, published.witness_vkey
    return verify("--tiles", site, "--verifier-key", vkey, "--witness", witness, *more)


def test_the_published_log_verifies_with_its_witness_and_proves_an_appeal(
    published: Published,
) -> None:
    result = verify_site(published, "--appeal", published.appeal)

    assert result.returncode == 0, result.stderr
    assert "cosigned by witness.test/w1" in result.stdout
    assert f"appeal {published.appeal}: {published.appeal_events} events included" in result.stdout


def test_the_served_log_verifies_over_http(published: Published) -> None:
    result = verify(
        "--tiles",
        f"{published.live.url}/ledger",
        "--verifier-key",
        str(published.site / "verifier-key"),
        "--witness",
        published.witness_vkey,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: appeals-ledger tree size ")


def test_go_opens_the_cosigned_checkpoint_and_recomputes_its_root(
    published: Published, tmp_path: Path
) -> None:
    judge_binary = build_judge(tmp_path)

    served = judge(judge_binary, published.log_vkey, f"{published.live.url}/ledger")
    static = judge(judge_binary, published.log_vkey, str(published.site))

    assert served.returncode == 0, served.stderr
    assert static.returncode == 0, static.stderr
    assert served.stdout == static.stdout


def test_a_policy_asking_for_an_unknown_witness_is_not_met(
    published: Published, tmp_path: Path
) -> None:
    other = generate_witness_key(tmp_path / "other.key", "witness.test/w2")

    result = verify_site(published, "--witness", other, "--quorum", "2")

    assert result.returncode == 1
    assert result.stderr == "FAIL: cosignature-quorum-not-met: 1 of the 2 witnesses needed\n"


def test_a_changed_tile_is_named(published: Published, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(published.site, site)
    tile = min(path for path in (site / "tile" / "0").rglob("*") if path.is_file())
    data = bytearray(tile.read_bytes())
    data[40] ^= 1
    tile.write_bytes(bytes(data))

    result = verify("--tiles", str(site), "--verifier-key", published.log_vkey)

    assert result.returncode == 1
    assert result.stderr == "FAIL: entry-hash-mismatch at leaf 1\n"
