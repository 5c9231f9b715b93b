"""The ``appeals`` command line as an operator runs it: real processes, real stores."""

from __future__ import annotations

import pytest

from api.bootstrap import build
from api.settings import Settings
from tests.api.command_line import appeals, demo, run_module


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/x", "unknown scheme 'mysql'"),
        ("postgresql://postgres@127.0.0.1:1/nowhere", "cannot reach PostgreSQL"),
        ("sqlite://", "sqlite URL needs a path"),
    ],
)
def test_a_bad_store_url_fails_with_one_clear_line(url: str, message: str) -> None:
    result = appeals("history", "00000000-0000-0000-0000-000000000000", url=url)

    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def _event_keys(url: str) -> list[tuple[str, int, str]]:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
    notifications = container.ledger.recorder.select_notifications(start=1, limit=100_000)
    container.close()
    return [(str(n.originator_id), n.originator_version, n.topic) for n in notifications]


def test_demo_data_is_deterministic_for_a_seed_and_not_loaded_twice(
    sqlite_url: str, postgres_url: str
) -> None:
    first = demo(sqlite_url, count=300, seed=7, until="2026-06-01")
    second = demo(postgres_url, count=300, seed=7, until="2026-06-01")
    again = demo(sqlite_url, count=300, seed=7, until="2026-06-01")

    assert first.returncode == 0, first.stderr
    assert "recorded 300 new appeals" in first.stdout
    assert _event_keys(sqlite_url) == _event_keys(postgres_url)
    assert len(_event_keys(sqlite_url)) > 3 * 300
    assert second.returncode == 0, second.stderr
    assert "recorded 0 new appeals" in again.stdout
    topics = {topic for _, _, topic in _event_keys(sqlite_url)}
    assert {"appeals:Appeal.Forwarded", "appeals:Appeal.Rated", "appeals:Appeal.Closed"} <= topics


def test_help_explains_every_command() -> None:
    result = run_module("api.cli", "--help")

    assert result.returncode == 0
    for command in ("demo", "history", "run"):
        assert command in result.stdout


def test_a_demo_rerun_with_more_appeals_stores_only_the_new_ones(sqlite_url: str) -> None:
    first = demo(sqlite_url, count=5, seed=3, until="2026-06-01")
    before = {key[0] for key in _event_keys(sqlite_url)}

    second = demo(sqlite_url, count=10, seed=3, until="2026-06-01")

    after = {key[0] for key in _event_keys(sqlite_url)}
    assert "recorded 5 new appeals" in first.stdout
    assert "recorded 5 new appeals" in second.stdout
    assert len(before) == 5
    assert len(after) == 10
