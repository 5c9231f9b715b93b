"""Go's ``sumdb/note`` and ``sumdb/tlog`` as the judge: ``judge/judge.go`` built offline.

The Go toolchain and ``golang.org/x/mod`` come from Debian (``make go-judge`` installs
``golang-go`` and ``golang-golang-x-mod-dev``); the build runs in GOPATH mode against
``/usr/share/gocode`` with the module proxy off, so it never reaches a network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SOURCE = Path(__file__).parent / "judge" / "judge.go"
GOPATH = Path("/usr/share/gocode")
NOTE = GOPATH / "src/golang.org/x/mod/sumdb/note/note.go"


def build_judge(folder: Path) -> Path:
    """Compile the judge into ``folder``; fail with the install command when Go is missing."""
    go = shutil.which("go")
    assert go is not None and NOTE.exists(), (
        "the Go judge needs Debian's golang-go and golang-golang-x-mod-dev: run `make go-judge`"
    )
    binary = folder / "judge"
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": str(GOPATH),
        "GOPROXY": "off",
        "GOFLAGS": "",
        "GOCACHE": str(folder / "cache"),
        "CGO_ENABLED": "0",
    }
    subprocess.run(
        [go, "build", "-o", str(binary), str(SOURCE)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return binary


def judge(binary: Path, vkey: str, prefix: str) -> subprocess.CompletedProcess[str]:
    """Run the judge on a tlog-tiles prefix (a URL or a directory)."""
    return subprocess.run(
        [str(binary), "-vkey", vkey, "-prefix", prefix],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
