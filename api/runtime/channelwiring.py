"""Wiring of the channels: the sources key, the directory, the intake and the deliverer."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from prometheus_client import CollectorRegistry

from api.container import Container
from api.settings import Settings, SettingsError
from channels.directory import Keys, SourceDirectory
from channels.intake import Intake

KEY_FILE = "sources.key"
NEXT_KEY_FILE = "sources.key.next"


def sources_key(settings: Settings) -> bytes:
    """``APPEALS_SOURCES_KEY`` (base64 of 32 bytes), or one kept in the keys folder.

    The key never enters the store: a copy of the database alone reveals no secret.
    """
    configured = settings.channels.sources_key
    if configured is not None:
        try:
            key = base64.b64decode(str(configured), validate=True)
        except binascii.Error:
            key = b""
        if len(key) != 32:
            raise SettingsError("APPEALS_SOURCES_KEY: must be the base64 of 32 bytes")
        return key
    path = Path(settings.keys_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: of two processes creating it at once, one
        # link wins and both read that key, never a half-written file.
        draft = path.with_name(f"{KEY_FILE}.{os.getpid()}.new")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(base64.b64encode(os.urandom(32)) + b"\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return _read_key(path)


def source_keys(settings: Settings) -> Keys:
    """The sources key, and the next key while ``sources rotate-key`` is under way."""
    key = sources_key(settings)
    upcoming = Path(settings.keys_dir) / NEXT_KEY_FILE
    if settings.channels.sources_key is not None or not upcoming.exists():
        return key, None
    return key, _read_key(upcoming)


def rotate_key(settings: Settings, sources: SourceDirectory) -> tuple[int, bool]:
    """Seal every source's secrets under a new key file: (how many sources, whether an
    interrupted rotation was finished instead).

    The new key is written beside the current one first (``sources.key.next``), and every
    process opens secrets with either; the secrets are re-sealed in one transaction; then
    the new key replaces the old file. A crash at any step leaves every secret openable,
    and the next run finishes that rotation (with the key already written) first.
    """
    if settings.channels.sources_key is not None:
        raise SettingsError(
            "APPEALS_SOURCES_KEY is set: rotate by hand (put a new key in the setting of every "
            "process) or keep the key in APPEALS_KEYS_DIR/sources.key to rotate it here"
        )
    current = source_keys(settings)
    folder = Path(settings.keys_dir)
    upcoming = folder / NEXT_KEY_FILE
    interrupted = current[1] is not None
    if not interrupted:
        draft = folder / f"{NEXT_KEY_FILE}.{os.getpid()}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(base64.b64encode(os.urandom(32)) + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(draft, upcoming)
    try:
        count = sources.rotate(_read_key(upcoming), current)
    except Exception:
        if not interrupted:
            upcoming.unlink()  # it sealed nothing
        raise
    os.replace(upcoming, folder / KEY_FILE)
    return count, interrupted


def _read_key(path: Path) -> bytes:
    try:
        key = base64.b64decode(path.read_bytes().strip(), validate=True)
    except binascii.Error:
        key = b""
    if len(key) != 32:
        raise SettingsError(f"{path}: the sources key must be the base64 of 32 bytes")
    return key


def directory(container: Container) -> SourceDirectory:
    """The sources of the container's store."""
    settings = container.settings
    return SourceDirectory(container.sql, lambda: source_keys(settings))


def intake(container: Container, registry: CollectorRegistry) -> Intake:
    """What the webhooks record with, its counters on the process's metrics registry."""
    return Intake(container.ledger, directory(container), registry)
