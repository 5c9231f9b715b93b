"""GraphQL-over-HTTP compliance and frontend tooling, with the npm tools the README pins.

The graphql-http audit runs against a live server on SQLite only: its requests are
``{ __typename }`` and malformed HTTP, answered by the view and middleware before any store
is touched, so a PostgreSQL run would exercise the same code twice.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from graphql import parse, specified_rules, validate

from api.graphql.limits import MAX_TOKENS, RULES
from api.graphql.schema import schema
from tests.api.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "tests" / "api" / "js"
NODE = shutil.which("node")
# One operation text per artifact, as Relay sends it: `"text": "query ...\n"`.
OPERATION_TEXT = re.compile(r'^\s*"text": ("(?:query|mutation|subscription) .*")$', re.M)

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not on PATH"),
    pytest.mark.skipif(
        not (JS / "node_modules").is_dir(),
        reason="tests/api/js/node_modules is absent: run `npm ci --prefix tests/api/js` "
        "(`make test` does)",
    ),
]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("live", ["sqlite"], indirect=True)
def test_the_api_passes_every_must_and_should_item_of_the_graphql_over_http_audit(
    live: LiveServer,
) -> None:
    assert NODE is not None

    audit = run([NODE, str(JS / "audit.mjs"), live.graphql], cwd=ROOT)

    assert audit.returncode == 0, audit.stderr
    items: list[dict[str, Any]] = json.loads(audit.stdout)
    required = [item for item in items if item["name"].startswith(("MUST", "SHOULD"))]
    failing = [
        f"{item['id']} {item['name']}: {item['reason']} "
        f"(HTTP {item['httpStatus']}, {item['contentType']})"
        for item in required
        if item["status"] != "ok"
    ]
    assert len(required) >= 36, f"the audit ran only {len(required)} MUST/SHOULD items"
    assert not failing, "\n".join(failing)


@pytest.fixture(scope="module")
def relay_artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """relay-compiler over a copy of tests/api/js/relay against the committed schema."""
    copy = tmp_path_factory.mktemp("relay") / "relay"
    shutil.copytree(JS / "relay", copy, ignore=shutil.ignore_patterns("*.graphql.ts"))
    config = json.loads((copy / "relay.config.json").read_text())
    config["schema"] = str(ROOT / "schema.graphql")
    (copy / "relay.config.json").write_text(json.dumps(config))
    relay = str(JS / "node_modules" / ".bin" / "relay-compiler")

    compiled = run([relay, "--noWatchman", "--output", "quiet-with-errors"], cwd=copy)

    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    return copy / "__generated__"


def test_relay_compiles_the_frontend_operations_against_the_committed_schema(
    relay_artifacts: Path,
) -> None:
    expected = {
        "operationsAppealDetailQuery",
        "operationsAppealDetailRefetchQuery",
        "operationsAppealListPaginationQuery",
        "operationsReceiveAppealMutation",
        "operationsAppealEventsSubscription",
        "operationsDashboardQuery",
        "operationsAppealQueuePaginationQuery",
        "operationsDeskQuery",
        "operationsMyQueueQuery",
        "operationsAppealSearchQuery",
        "operationsAddAppealNoteMutation",
    }

    generated = {path.name.removesuffix(".graphql.ts") for path in relay_artifacts.iterdir()}

    assert expected <= generated


def refusals(text: str) -> list[str]:
    """What the server's parser limits and validation rules say about one operation."""
    document = parse(text, max_tokens=MAX_TOKENS)
    return [
        error.message for error in validate(schema._schema, document, [*specified_rules, *RULES])
    ]


def test_every_operation_relay_generates_is_valid_and_within_the_servers_limits(
    relay_artifacts: Path,
) -> None:
    texts = [
        json.loads(match)
        for path in sorted(relay_artifacts.glob("*.graphql.ts"))
        for match in OPERATION_TEXT.findall(path.read_text())
    ]

    refused = {text.split("(")[0]: errors for text in texts if (errors := refusals(text))}

    assert len(texts) >= 12
    assert not refused, refused
