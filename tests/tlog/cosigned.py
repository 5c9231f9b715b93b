"""A demo log with its keys and a real witness process, whose first checkpoint is cosigned."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from api.bootstrap import build
from api.commands.demo import load_demo
from api.settings import Settings
from audit.keyfiles import generate_keys, load_public_key
from ledger.verify.vkey import verifier_key
from tests.api.conftest import empty_store
from tests.migration.lines import stored_events
from tests.tlog.witness_process import generate_witness_key, run_cli, start_witness

UNTIL = datetime(2026, 1, 10, tzinfo=UTC)


@dataclass
class CosignedLog:
    """The log's and the witness's verifier keys, and what ``appeals`` needs to serve the log."""

    url: str
    log_vkey: str
    witness_vkey: str
    env: dict[str, str]
    appeals: list[str]  # the appeal of each event, in log order

    def events_of(self, appeal: str) -> int:
        return self.appeals.count(appeal)


@contextlib.contextmanager
def cosigned_log(kind: str, folder: Path, *, count: int, seed: int) -> Iterator[CosignedLog]:
    """``count`` demo appeals on a new store of ``kind``, signed and cosigned by witness.test/w1."""
    with empty_store(kind, folder) as url:
        generate_keys(folder / "keys")
        log_vkey = verifier_key("appeals-ledger", load_public_key(folder / "keys")).text()
        witness_vkey = generate_witness_key(folder / "w.key", "witness.test/w1")
        witness = start_witness(folder / "w.key", folder / "state.json", log_vkey, folder)
        container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
        load_demo(container, count, seed=seed, until=UNTIL, quiet=True)
        container.close()
        env = {
            "APPEALS_DATABASE_URL": url,
            "APPEALS_KEYS_DIR": str(folder / "keys"),
            "APPEALS_WITNESSES": f"{witness.url} {witness_vkey}",
        }
        assert run_cli("checkpoint", **env).returncode == 0
        appeals = [appeal for appeal, _, _ in stored_events(url)]
        yield CosignedLog(url, log_vkey, witness_vkey, env, appeals)
        witness.stop()
