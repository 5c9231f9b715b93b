"""Running PostgreSQL's own client programs (``pg_dump``, ``pg_restore``) against the store.

``pg_dump`` refuses a server newer than itself, so the programs are taken from
``APPEALS_PG_BIN_DIR`` when set, else from the newest ``/usr/lib/postgresql/<major>/bin``
(Debian's layout) at least as new as the server, else from ``PATH``. The password goes
through the environment (``PGPASSWORD``), never the command line, where ``ps`` shows it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import psycopg

from api.backup.errors import BackupError
from api.storage.store import Store

DEBIAN_BINARIES = "/usr/lib/postgresql/*/bin"


def server_major(store: Store) -> int:
    """The major version of the store's server (15 for 15.20)."""
    with psycopg.connect(store.conninfo, connect_timeout=store.connect_timeout) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    assert row is not None
    return int(row[0]) // 10000


def program(name: str, major: int, bin_dir: str = "") -> Path:
    """The path of ``name`` for a server of version ``major``."""
    if bin_dir:
        found = Path(bin_dir) / name
        if not found.is_file():
            raise BackupError("BACKUP_TOOL_MISSING", f"no {name} in APPEALS_PG_BIN_DIR {bin_dir}")
        return found
    candidates = []
    for folder in glob.glob(DEBIAN_BINARIES):
        version = Path(folder).parent.name
        if version.isdigit() and int(version) >= major and (Path(folder) / name).is_file():
            candidates.append((int(version), Path(folder) / name))
    if candidates:
        return min(candidates)[1]  # the oldest that is new enough: closest to the server
    on_path = shutil.which(name)
    if on_path is None:
        raise BackupError(
            "BACKUP_TOOL_MISSING",
            f"{name} for PostgreSQL {major} not found: "
            "install the postgresql-client package or set APPEALS_PG_BIN_DIR",
        )
    return Path(on_path)


def run(args: list[str], store: Store, *, what: str, connect: bool = True) -> None:
    """Run a client program against the store; a failure is ``BACKUP_FAILED`` with its reason."""
    settings = psycopg.conninfo.conninfo_to_dict(store.conninfo)
    password = settings.pop("password", None)
    env = {**os.environ, "PGCONNECT_TIMEOUT": str(max(2, store.connect_timeout))}
    if password:
        env["PGPASSWORD"] = str(password)
    command = (
        [*args, "--dbname", psycopg.conninfo.make_conninfo("", **settings)] if connect else args
    )
    # The program is PostgreSQL's own, found above; the arguments are ours, not a shell's.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        reason = lines[0] if lines else f"exit code {done.returncode}"
        raise BackupError("BACKUP_FAILED", f"{what} failed: {reason}")
