"""``appeals sources rotate-key``: secrets re-sealed under a new key, pseudonyms unchanged."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.bootstrap import build
from api.container import Container
from api.runtime import channelwiring
from api.settings import Settings, SettingsError
from channels.directory import TABLE
from channels.sealing import SecretSeal
from channels.source import Secrets, new_source
from tests.api.command_line import run_module
from tests.api.conftest import empty_store
from tests.channels.conftest import TG_BOT, TG_SECRET, VK_GROUP, VK_SECRET, channel_env
from tests.channels.fakes import TG_TOKEN


@pytest.fixture(params=["sqlite", "postgres"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[dict[str, str], Container]]:
    """A store with two sources (added in process: the CLI's ``add`` has its own tests)."""
    with empty_store(request.param, tmp_path) as database_url:
        env = channel_env(database_url, tmp_path)
        container = build(Settings.from_environ(server_env(env)))
        try:
            sources = channelwiring.directory(container)
            for channel, platform_id, secret in (
                ("vk", VK_GROUP, VK_SECRET),
                ("telegram", TG_BOT, TG_SECRET),
            ):
                secrets = Secrets(secret=secret, token=TG_TOKEN)
                sources.add(new_source(channel, platform_id, body="b", secrets=secrets))
            yield env, container
        finally:
            container.close()


def cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    done = run_module("api.cli", *args, timeout=60, **env)
    return done.returncode, done.stdout + done.stderr


def server_env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith("APPEALS_")}


def sealed(container: Container) -> list[tuple[object, ...]]:
    return container.sql.rows(f"SELECT secret, token FROM {TABLE} ORDER BY channel")


def test_rotation_reseals_every_secret_and_keeps_pseudonyms(
    store: tuple[dict[str, str], Container],
) -> None:
    env, container = store
    key_file = Path(env["APPEALS_KEYS_DIR"]) / "sources.key"
    old_key = base64.b64decode(key_file.read_bytes().strip())
    running = channelwiring.directory(container)  # a process that started before the rotation
    pseudonym = running.seal.pseudonym("telegram-chat", "5550001")
    before = sealed(container)

    code, output = cli(env, "sources", "rotate-key")

    assert (code, output) == (
        0,
        f"sealed the secrets of 2 sources under the new key in {env['APPEALS_KEYS_DIR']}\n",
    )
    new_key = base64.b64decode(key_file.read_bytes().strip())
    assert new_key != old_key and len(new_key) == 32
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert not (key_file.parent / "sources.key.next").exists()
    after = sealed(container)
    assert all(
        a != b
        for row_a, row_b in zip(after, before, strict=True)
        for a, b in zip(row_a, row_b, strict=True)
    )
    assert SecretSeal(old_key).open(str(after[0][0]), "secret") is None  # the old key opens nothing
    fresh = channelwiring.directory(container)
    for directory in (fresh, running):  # the running one re-reads the key by itself
        vk = directory.get("vk", VK_GROUP)
        assert vk is not None and (vk.secrets.secret, vk.secrets.token) == (VK_SECRET, TG_TOKEN)
        assert directory.seal.pseudonym("telegram-chat", "5550001") == pseudonym


def test_an_interrupted_rotation_is_finished_and_nothing_is_lost(
    store: tuple[dict[str, str], Container],
) -> None:
    env, container = store
    folder = Path(env["APPEALS_KEYS_DIR"])
    settings = Settings.from_environ(server_env(env))
    current = channelwiring.source_keys(settings)
    upcoming = b"\x07" * 32
    (folder / "sources.key.next").write_bytes(base64.b64encode(upcoming) + b"\n")
    # A crash after the transaction, before the new key replaced the old file:
    channelwiring.directory(container).rotate(upcoming, current)
    opened = channelwiring.directory(container).get("telegram", TG_BOT)
    assert opened is not None and opened.secrets.secret == TG_SECRET

    code, output = cli(env, "sources", "rotate-key")

    assert code == 0, output
    assert output.startswith("finished an interrupted rotation")
    assert base64.b64decode((folder / "sources.key").read_bytes().strip()) == upcoming
    tg = channelwiring.directory(container).get("telegram", TG_BOT)
    assert tg is not None and tg.secrets.secret == TG_SECRET


def test_a_key_given_as_a_setting_is_not_rotated_here(
    store: tuple[dict[str, str], Container],
) -> None:
    env, container = store
    before = sealed(container)
    key = (Path(env["APPEALS_KEYS_DIR"]) / "sources.key").read_text().strip()
    settings = Settings.from_environ(server_env(env) | {"APPEALS_SOURCES_KEY": key})

    with pytest.raises(SettingsError, match=r"^APPEALS_SOURCES_KEY is set: rotate by hand"):
        channelwiring.rotate_key(settings, channelwiring.directory(container))

    assert sealed(container) == before
    assert not (Path(env["APPEALS_KEYS_DIR"]) / "sources.key.next").exists()
