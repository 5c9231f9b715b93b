"""Smoke tests for the Node tooling in tests/api/js (graphql-http audit, relay-compiler).

They only prove the tooling is installed and runnable; judging the real API's
audit results and compiling against the real schema.graphql is done elsewhere.
Install first with: npm ci --prefix tests/api/js
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.waiting import until

JS_DIR = Path(__file__).resolve().parent / "js"
NODE_MODULES = JS_DIR / "node_modules"
RELAY_BIN = NODE_MODULES / ".bin" / "relay-compiler"
NODE = shutil.which("node") or "node"

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH"),
    pytest.mark.skipif(
        not NODE_MODULES.is_dir(),
        reason="tests/api/js/node_modules is absent: run `npm ci --prefix tests/api/js`",
    ),
]


def _run(
    args: list[str], cwd: Path = JS_DIR, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_installed_versions_match_pins() -> None:
    pins = json.loads((JS_DIR / "package.json").read_text())["dependencies"]
    for name, version in pins.items():
        installed = json.loads((NODE_MODULES / name / "package.json").read_text())["version"]
        assert installed == version, (
            f"{name}: installed {installed}, pinned {version}; rerun npm ci"
        )


_PROBE_JS = (
    "import {serverAudits, auditServer} from 'graphql-http';"
    "import {version} from 'graphql';"
    "const n = serverAudits({url: 'http://127.0.0.1:1/graphql'}).length;"
    "console.log(JSON.stringify({n, auditServer: typeof auditServer, graphql: version}));"
)


def test_graphql_http_exports_server_audits() -> None:
    proc = _run(
        [
            NODE,
            "--input-type=module",
            "-e",
            _PROBE_JS,
        ]
    )
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["n"] > 0
    assert info["auditServer"] == "function"


def test_relay_compiler_runs() -> None:
    proc = _run([str(RELAY_BIN), "--version"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Relay Compiler "), proc.stdout


def test_audit_reports_unreachable_server() -> None:
    proc = _run(
        [
            NODE,
            "audit.mjs",
            f"http://127.0.0.1:{_free_port()}/graphql",
            "--timeout-ms",
            "3000",
        ]
    )
    assert proc.returncode == 3, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""


_APP = """
import strawberry
from strawberry.asgi import GraphQL


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: str | None = None) -> str:
        return f"hi {name or 'there'}"


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self) -> bool:
        return True


app = GraphQL(strawberry.Schema(query=Query, mutation=Mutation))
"""


def test_audit_runs_against_a_local_strawberry_app(tmp_path: Path) -> None:
    pytest.importorskip("strawberry")
    pytest.importorskip("uvicorn")
    (tmp_path / "smoke_app.py").write_text(_APP)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(tmp_path),
            "smoke_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "critical",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:

        def listening() -> bool:
            if server.poll() is not None:
                err = server.stderr.read().decode() if server.stderr else ""
                pytest.fail(f"throwaway strawberry server did not start: {err}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                return False
            return True

        until(listening, timeout=30, every=0.1)
        proc = _run([NODE, "audit.mjs", f"http://127.0.0.1:{port}/graphql"])
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr is not None:
            server.stderr.close()
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert isinstance(results, list) and results
    ids = [r["id"] for r in results]
    assert len(ids) == len(set(ids))
    for r in results:
        assert {
            "id",
            "name",
            "status",
            "reason",
            "httpStatus",
            "contentType",
        } <= r.keys()
        assert r["name"].split(" ", 1)[0] in {"MUST", "SHOULD", "MAY"}, r["name"]
        assert r["status"] in {"ok", "warn", "error", "notice"}, r
        assert (r["reason"] is None) == (r["status"] == "ok"), r
    # Sanity: a real GraphQL server passes the most basic MUST item.
    assert any(r["name"] == "MUST accept POST requests" and r["status"] == "ok" for r in results)


_SCHEMA = """
scalar DateTime

interface Node {
  id: ID!
}

type Appeal implements Node {
  id: ID!
  filedAt: DateTime!
}

type Query {
  node(id: ID!): Node
}
"""
