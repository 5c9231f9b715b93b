"""Wiring of the channels: the sources key, the directory, the intake and the deliverer."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from prometheus_client import CollectorRegistry

from api.container import Container
from api.settings import Settings, SettingsError
from channels.directory import SourceDirectory
from channels.intake import Intake
from channels.sealing import SecretSeal

KEY_FILE = "sources.key"


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
    try:
        key = base64.b64decode(path.read_bytes().strip(), validate=True)
    except binascii.Error:
        key = b""
    if len(key) != 32:
        raise SettingsError(f"{path}: the sources key must be the base64 of 32 bytes")
    return key


def directory(container: Container) -> SourceDirectory:
    """The sources of the container's store."""
    return SourceDirectory(container.sql, SecretSeal(sources_key(container.settings)))


def intake(container: Container, registry: CollectorRegistry) -> Intake:
    """What the webhooks record with, its counters on the process's metrics registry."""
    return Intake(container.ledger, directory(container), registry)
