"""Every setting and option is checked before work starts: one line, exit code 2, no traceback.

Run as an operator runs ``appeals``: a real process with its own environment.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.api.command_line import run_module

NOBODY = "00000000-0000-0000-0000-000000000000"


def appeals(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    settings = {"APPEALS_JWT_SECRET": "s" * 40, **env}
    database = f"sqlite:///{tmp_path / 'a.db'}"
    return run_module("api.cli", *args, url=database, cwd=None, timeout=120, **settings)


def assert_one_line_refusal(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("APPEALS_TIMEZONE", "Mars/Base"),
        ("APPEALS_FIRST_RESPONSE_HOURS", "fax=8"),
        ("APPEALS_FIRST_RESPONSE_HOURS", "vk=0"),
        ("APPEALS_FIRST_RESPONSE_HOURS", "telegram=-2"),
        ("APPEALS_RATE_LIMIT_PER_MINUTE", "-1"),
        ("APPEALS_DB_POOL_SIZE", "0"),
        ("APPEALS_MAX_BODY_BYTES", "0"),
        ("APPEALS_READY_MAX_LAG", "-5"),
        ("APPEALS_CHECKPOINT_INTERVAL", "-300"),
        ("APPEALS_CORS_ORIGINS", "example.org"),
        ("APPEALS_EARLIEST_BUSINESS_TIME", "yesterday"),
        ("APPEALS_EARLIEST_BUSINESS_TIME", "2001-01-01T00:00:00"),
        ("APPEALS_CLOCK_SKEW", "-1"),
        ("APPEALS_SPECIAL_TERMS", "миграция=fast"),
        ("APPEALS_SPECIAL_TERMS", "=migration_answer"),
        ("APPEALS_WORKING_HOURS", "9-18"),
        ("APPEALS_WORKING_HOURS", "18:00-09:00"),
        ("APPEALS_WORKING_HOURS", "09:00-13:00,14:00-18:00"),
        ("APPEALS_WORKING_BREAKS", "12:00-20:00"),
        ("APPEALS_WORKING_BREAKS", "13:00-14:00,13:30-14:30"),
    ],
)
def test_an_unusable_setting_stops_start_up_with_one_line_naming_it(
    tmp_path: Path, name: str, value: str
) -> None:
    result = appeals("history", NOBODY, tmp_path=tmp_path, **{name: value})

    assert_one_line_refusal(result, name)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["token", "issue", "--role", "public"], ["--role", "operator"]),
        (["token", "issue", "--role", "system"], ["--role"]),
        (["token", "issue", "--role", "supervisor", "--pii"], ["--pii", "supervisor"]),
        (["token", "issue", "--role", "operator", "--department", "ЖКХ", "--pii"], ["--pii"]),
        (["token", "issue", "--role", "admin", "--department", "ЖКХ"], ["--department"]),
        (["token", "issue", "--role", "auditor", "--body", "Мэрия"], ["--body"]),
        (["token", "issue", "--role", "operator"], ["--department"]),
        (["token", "issue", "--role", "admin", "--ttl", "forever"], ["--ttl"]),
        (["serve", "--port", "70000"], ["--port"]),
        (["serve", "--workers", "0"], ["--workers"]),
        (["history", "not-a-uuid"], ["appeal_id"]),
        (["projections", "run", "--batch", "0"], ["--batch"]),
        (["demo", "--appeals", "-5"], ["--appeals"]),
    ],
)
def test_an_unusable_option_is_refused_with_one_line_naming_it(
    tmp_path: Path, args: list[str], words: list[str]
) -> None:
    result = appeals(*args, tmp_path=tmp_path)

    assert_one_line_refusal(result, *words)
    assert result.stdout == ""


def test_token_help_lists_the_roles_a_token_can_be_issued_for(tmp_path: Path) -> None:
    result = appeals("token", "issue", "--help", tmp_path=tmp_path)

    assert result.returncode == 0
    assert "{operator,supervisor,auditor,admin}" in result.stdout


def test_an_auditor_token_with_personal_data_is_issued(tmp_path: Path) -> None:
    result = appeals(
        "token", "issue", "--role", "auditor", "--pii", "--ttl", "30m", tmp_path=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.count(".") == 2  # header.claims.signature
