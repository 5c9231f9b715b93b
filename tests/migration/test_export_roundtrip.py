"""``appeals export`` and its way back in: an export imported into an empty store gives the
same views, table by table, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import jsonschema_rs
import psycopg
import pytest

from projections.appeals_view import TABLE as APPEALS
from projections.statistics_view import CELLS, DUE, HIST
from projections.workload_view import TABLE as WORKLOAD
from tests.conftest import create_database, drop_database
from tests.migration.lines import appeals, history, write

SCHEMA = Path(__file__).parents[2] / "migration" / "appeal-event-line.schema.json"
# The log position of an appeal's last event is the new log's; everything else must match.
NOT_COMPARED = {"last_position"}


@pytest.fixture
def empty_url(store_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A second, empty store of the same kind as ``store_url``."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    admin = request.getfixturevalue("pg_admin")
    url = create_database(admin)
    yield url
    drop_database(admin, url)


def _two_appeals_exported(
    url: str, tmp_path: Path, *options: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Import two appeals' histories, then export the store with ``options``; the run, its file."""
    appeals(
        "import",
        str(write(tmp_path / "in.jsonl", history("1") + history("2"))),
        "--quiet",
        url=url,
    )
    out = tmp_path / "out.jsonl"
    return appeals("export", *options, "-o", str(out), "--quiet", url=url), out


def _table(url: str, table: str) -> list[tuple[str, ...]]:
    """Every row of a view table with the driver itself, as sorted tuples of strings."""
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
            cursor = conn.execute(f"SELECT * FROM {table}")
            names = [c[0] for c in cursor.description]
            rows = cursor.fetchall()
    else:
        with psycopg.connect(url) as conn, conn.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")
            names = [c.name for c in cursor.description or ()]
            rows = cursor.fetchall()
    kept = [i for i, name in enumerate(names) if name not in NOT_COMPARED]
    return sorted(tuple(str(row[i]) for i in kept) for row in rows)


def test_an_export_imported_into_an_empty_store_gives_identical_views(
    store_url: str, empty_url: str, tmp_path: Path
) -> None:
    demo = appeals(
        "demo",
        "--appeals",
        "400",
        "--seed",
        "11",
        "--until",
        "2026-06-01",
        "--quiet",
        url=store_url,
    )
    exported = tmp_path / "all.jsonl"
    export = appeals("export", "--pii", "-o", str(exported), "--quiet", url=store_url)

    imported = appeals("import", str(exported), "--quiet", url=empty_url)
    for url in (store_url, empty_url):
        rebuilt = appeals("projections", "rebuild", "--quiet", url=url)
        assert rebuilt.returncode == 0, rebuilt.stderr

    assert demo.returncode == 0 and export.returncode == 0, export.stderr
    assert imported.returncode == 0, imported.stderr
    assert "400 new" in imported.stdout
    for table in (APPEALS, CELLS, HIST, DUE, WORKLOAD):
        original = _table(store_url, table)
        assert original, table
        assert _table(empty_url, table) == original, table


def test_every_exported_line_follows_the_published_schema(store_url: str, tmp_path: Path) -> None:
    validator = jsonschema_rs.Draft202012Validator(json.loads(SCHEMA.read_text()))

    result, out = _two_appeals_exported(store_url, tmp_path, "--pii")

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 12
    for line in lines:
        assert validator.is_valid(line), list(validator.iter_errors(line))[:1]
    assert [line["position"] for line in lines] == list(range(1, 13))
    broken = {**lines[0], "fields": {**lines[0]["fields"], "text": 5}}
    assert not validator.is_valid(broken)


def test_without_pii_an_export_has_no_personal_data_and_since_skips_earlier_events(
    store_url: str, tmp_path: Path
) -> None:
    result, out = _two_appeals_exported(store_url, tmp_path, "--since", "6")

    assert result.returncode == 0, result.stderr
    text = out.read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["position"] for line in lines] == list(range(7, 13))
    assert "Иванов" not in text and "Нет воды" not in text and "Воду дали" not in text
    assert "citizen" not in lines[0]["fields"] and "text" not in lines[0]["fields"]
    assert lines[0]["type"] == "received"
    assert len({line["external_id"] for line in lines}) == 1
