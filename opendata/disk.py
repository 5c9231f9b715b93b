"""``appeals opendata publish``: the package written to a directory, each file replaced whole."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from opendata.publication import File


def publish(files: Mapping[str, File], out: Path) -> list[Path]:
    """Write every file of the package under ``out``; a reader never sees a half-written one."""
    written = []
    for name, found in sorted(files.items()):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(found.body)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(target)
    return written
