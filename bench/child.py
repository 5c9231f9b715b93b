"""An ``appeals`` command run as a child process, its output kept in a log file.

Benches and tests start servers (``serve``, ``witness serve``) this way: the child is
``python -m api.cli``, the program the installed ``appeals`` runs, with the arguments an
operator gives it, and whatever it prints is left in ``log`` for the failure message.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path


def start_appeals(
    args: Sequence[str],
    log: Path,
    env: Mapping[str, str] | None = None,
    *,
    append: bool = False,
    new_session: bool = False,
) -> subprocess.Popen[bytes]:
    """Start ``python -m api.cli ARGS`` (``env`` or this process's), stdout and stderr to ``log``.

    ``append`` keeps what earlier runs wrote to ``log``; ``new_session`` puts the child in a
    process group of its own, so that it and every process it starts can be killed together.
    """
    with log.open("ab" if append else "wb") as handle:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", *args],
            env=None if env is None else dict(env),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=new_session,
        )
