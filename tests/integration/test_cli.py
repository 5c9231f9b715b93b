"""The ``appeals`` command line as an operator runs it: real processes, real stores."""

from __future__ import annotations

import pytest

from tests.api.command_line import appeals, demo, run_module
from tests.migration.lines import stored_events


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


def test_demo_data_is_deterministic_for_a_seed_and_not_loaded_twice(
    sqlite_url: str, postgres_url: str
) -> None:
    first = demo(sqlite_url, count=300, seed=7, until="2026-06-01")
    second = demo(postgres_url, count=300, seed=7, until="2026-06-01")
    again = demo(sqlite_url, count=300, seed=7, until="2026-06-01")

    assert first.returncode == 0, first.stderr
    assert "recorded 300 new appeals" in first.stdout
    assert stored_events(sqlite_url) == stored_events(postgres_url)
    assert len(stored_events(sqlite_url)) > 3 * 300
    assert second.returncode == 0, second.stderr
    assert "recorded 0 new appeals" in again.stdout
    topics = {topic for _, _, topic in stored_events(sqlite_url)}
    assert {"appeals:Appeal.Forwarded", "appeals:Appeal.Rated", "appeals:Appeal.Closed"} <= topics


def test_help_explains_every_command() -> None:
    result = run_module("api.cli", "--help")

    assert result.returncode == 0
    for command in ("demo", "history", "run"):
        assert command in result.stdout


def test_a_demo_rerun_with_more_appeals_stores_only_the_new_ones(sqlite_url: str) -> None:
    first = demo(sqlite_url, count=5, seed=3, until="2026-06-01")
    before = {key[0] for key in stored_events(sqlite_url)}

    second = demo(sqlite_url, count=10, seed=3, until="2026-06-01")

    after = {key[0] for key in stored_events(sqlite_url)}
    assert "recorded 5 new appeals" in first.stdout
    assert "recorded 5 new appeals" in second.stdout
    assert len(before) == 5
    assert len(after) == 10
