"""Running ``appeals`` (or any ``python -m`` entry point) as an operator does: a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_module(
    module: str,
    *args: str,
    url: str | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """``python -m MODULE ARGS`` (on the store at ``url``), with ``env`` added to the environment."""
    store = {} if url is None else {"APPEALS_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env={**os.environ, **store, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def appeals(
    *args: str, url: str, cwd: Path | None = None, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """``appeals ARGS`` on the store at ``url``."""
    return run_module("api.cli", *args, url=url, cwd=cwd, timeout=timeout, **env)


def demo(
    url: str, *, count: int, seed: int, until: str, extra: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """``appeals demo`` of ``count`` appeals from ``seed``, up to the day ``until``, quietly."""
    return appeals(
        "demo",
        "--appeals",
        str(count),
        "--seed",
        str(seed),
        "--until",
        until,
        *extra,
        "--quiet",
        url=url,
        timeout=600,
    )
