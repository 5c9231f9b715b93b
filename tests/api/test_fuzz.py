"""A bounded schemathesis fuzz of the GraphQL API, as an operator, over real HTTP.

Every query and mutation the live server serves (loaded by introspection, so the fuzz sees what
is actually served) gets a fixed number of generated documents: valid ones, and ones that break
the schema on purpose. Whatever comes back must be an answer for the client, never a crash: no
5xx, every error coded, no masked INTERNAL_SERVER_ERROR (a crash answered with 200), and no
traceback, driver or SQL text in a message.

Random ids and scopes stop at the permission check, so part of the valid documents is pointed
at real appeals of the operator's own department: that is where dates, numbers and free text
reach the domain rules and the store.

Both stores are fuzzed: the error policy lives in the API layer, but what a store refuses does
not (PostgreSQL alone rejects NUL bytes in text), and that is where the fuzz found a crash.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import graphql
import pytest
import requests
import schemathesis
from graphql.language import ArgumentNode, NullValueNode, ObjectFieldNode, StringValueNode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok

from ledger.values import Role
from tests.api.conftest import LiveServer
from tests.api.office import receive

BODY, DEPT = "Орган-1", "Отдел-А"
# Per operation, mode and store: 17 operations × 2 modes × 15 ≈ 510 requests a store, about
# 20 s each on an idle 2-core box.
EXAMPLES = 15
N = TypeVar("N", ArgumentNode, ObjectFieldNode)
LEAKS = ("Traceback", 'File "/', "psycopg", "sqlite3", "SELECT ")
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same documents on every run, so CI is stable
    database=None,
    deadline=None,
    phases=[Phase.generate],  # findings are collected, never raised: nothing to shrink
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


@dataclass(frozen=True)
class Finding:
    """One answer a client should never get."""

    operation: str
    problem: str
    query: str
    status: int
    body: str

    def __str__(self) -> str:
        return (
            f"{self.operation}: {self.problem} (HTTP {self.status})\n"
            f"  query: {self.query[:600]}\n  body:  {self.body[:600]}"
        )


def seed(live: LiveServer, count: int = 3) -> list[str]:
    """Appeals assigned to the operator's department by their supervisor, for the fuzz to act on."""
    token = live.token(Role.SUPERVISOR, body=BODY)
    ids = []
    for _ in range(count):
        citizen = {"name": "Анна", "contact": "a@b.ru"}
        appeal_id = receive(
            live, token, channel="POS", text="Яма во дворе", body=BODY, citizen=citizen
        )
        assigned = live.post(
            f'mutation($id: ID!) {{ assignAppeal(input: {{appealId: $id, department: "{DEPT}", '
            'assignee: "operator"}) { position } }',
            {"id": appeal_id},
            token=token,
        ).json()
        assert "errors" not in assigned, assigned
        ids.append(appeal_id)
    return ids


def in_scope(query: str, appeal_id: str) -> str:
    """The same document, with its appeal ids, body and department those of the operator."""
    arguments = {"id": appeal_id, "appealId": appeal_id}
    fields = {"appealId": appeal_id, "duplicateOf": appeal_id, "body": BODY, "department": DEPT}

    class Point(graphql.Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> ArgumentNode | None:
            return _pointed(node, arguments.get(node.name.value))

        def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> ObjectFieldNode | None:
            return _pointed(node, fields.get(node.name.value))

    return graphql.print_ast(graphql.visit(graphql.parse(query), Point()))


def _pointed(node: N, value: str | None) -> N | None:
    if value is None or isinstance(node.value, NullValueNode):
        return None  # unchanged: an argument left null stays null
    return type(node)(name=node.name, value=StringValueNode(value=value))


def problem_with(status: int, content: bytes) -> str | None:
    """What a client would find wrong with one answer; None when nothing is."""
    if status >= 500:
        return "server error status"
    try:
        body = json.loads(content)
    except ValueError:
        return "body is not JSON"
    if not isinstance(body, dict):
        return "body is not a JSON object"
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if not isinstance(code, str) or not code:
            return "error without extensions.code"
        if code == "INTERNAL_SERVER_ERROR":
            return "masked unexpected error"
        leaked = [marker for marker in LEAKS if marker in str(error.get("message", ""))]
        if leaked:
            return f"message leaks {leaked}"
    return None


def fuzz(
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    mode: schemathesis.GenerationMode,
    appeals: list[str],
    send: Callable[[schemathesis.Case[Any]], None],
) -> None:
    """Send EXAMPLES generated documents for one operation; valid ones are sometimes in scope."""
    # Like schemathesis's own substitution, only valid documents are pointed at real data: a
    # broken argument must stay broken.
    targets = st.none() if mode.is_negative else st.sampled_from([*appeals, None])

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode), target=targets)
    def one(case: schemathesis.Case[Any], target: str | None) -> None:
        if target is not None:
            assert isinstance(case.body, str)  # a GraphQL case's body is the document
            case.body = in_scope(case.body, target)
        send(case)

    one()


@pytest.mark.slow
def test_fuzzed_documents_get_coded_answers_never_a_crash(live: LiveServer) -> None:
    appeals = seed(live)
    token = live.token(Role.OPERATOR, body=BODY, department=DEPT)
    headers = {"Authorization": f"Bearer {token}"}
    # Explicit, so a stray schemathesis.toml cannot change the run.
    config = schemathesis.Config.from_dict({"generation": {"allow-x00": True}})
    schema = schemathesis.graphql.from_url(live.graphql, config=config, headers=headers, timeout=30)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operations.append(result.ok())
    session = requests.Session()
    findings: list[Finding] = []
    sent: list[str] = []

    def send(case: schemathesis.Case[Any]) -> None:
        response = case.call(session=session, headers=headers, timeout=30)
        sent.append(case.operation.label)
        problem = problem_with(response.status_code, response.content)
        if problem is not None:
            text = response.content.decode(errors="replace")
            findings.append(
                Finding(case.operation.label, problem, str(case.body), response.status_code, text)
            )

    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            fuzz(operation, mode, appeals, send)

    assert {operation.label for operation in operations} == set(sent)
    assert not findings, f"{len(findings)} of {len(sent)} answers were wrong:\n" + "\n".join(
        str(finding) for finding in findings[:20]
    )


# What the fuzz found on PostgreSQL: each read filter that reaches SQL as text.
NUL_FILTERS = [
    '{ workload(filter: {department: "a\\u0000b"}) { openCount } }',
    '{ appeals(filter: {category: "a\\u0000b"}) { totalCount } }',
    '{ statistics(filter: {category: "a\\u0000b"}) { count } }',
]


@pytest.mark.parametrize("query", NUL_FILTERS)
def test_a_nul_byte_in_a_read_filter_is_refused_naming_the_field(
    live: LiveServer, query: str
) -> None:
    token = live.token(Role.OPERATOR, body=BODY, department=DEPT)

    response = live.post(query, token=token)

    assert problem_with(response.status_code, response.content) is None, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"].startswith("filter.")
