"""A real ``appeals witness serve`` process for tests, on a free loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.child import start_appeals
from tests.api.conftest import free_port
from tests.waiting import until


@dataclass
class WitnessProcess:
    """The running witness, its URL and files."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


def generate_witness_key(path: Path, name: str) -> str:
    """Create the witness key with the CLI; return the verifier key it prints."""
    result = run_cli("witness", "generate-key", "--name", name, "--out", str(path))
    assert result.returncode == 0, result.stderr
    return result.stdout.split("verifier key ", 1)[1].strip()


def start_witness(key: Path, state: Path, log_vkey: str, folder: Path) -> WitnessProcess:
    """Start ``appeals witness serve`` and wait until it answers."""
    port = free_port()
    log = folder / f"witness-{port}.log"
    files = ["--key", str(key), "--log", log_vkey, "--state", str(state)]
    process = start_appeals(["witness", "serve", *files, "--port", str(port)], log)
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, log.read_text()
        try:
            httpx.get(f"{url}/add-checkpoint", timeout=1)
        except httpx.TransportError:
            return False
        return True

    until(answers, timeout=30)
    return WitnessProcess(url, process, log)


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``appeals ARGS`` with extra environment."""
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
