"""The committed schema.graphql is what the code serves; frontends compile against it."""

from __future__ import annotations

import difflib
from pathlib import Path

from api.graphql.schema import schema, sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_the_committed_schema_file_matches_the_served_schema() -> None:
    committed = SCHEMA_FILE.read_text()

    served = sdl(schema)

    drift = difflib.unified_diff(
        committed.splitlines(), served.splitlines(), "schema.graphql", "served", lineterm=""
    )
    assert committed == served, (
        "schema.graphql is out of date with the code: regenerate it with "
        "`.venv/bin/appeals schema --write schema.graphql` and commit the result\n"
        + "\n".join(list(drift)[:40])
    )
