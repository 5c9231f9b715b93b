"""Who may see and do what: role × operation over real HTTP, with the exact refusal code."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from api.http.auth import Authenticator
from ledger.values import Role
from tests.api.inprocess import InProcessServer
from tests.api.office import receive


@pytest.fixture(scope="module")
def live(in_process: InProcessServer) -> InProcessServer:
    """What these tests check is the app's answer: it is served in this process, on both stores."""
    return in_process


BODY, OTHER_BODY = "Орган-1", "Орган-2"
DEPT, OTHER_DEPT = "Отдел-А", "Отдел-Б"
OK, UNAUTH, FORBID = "ok", "UNAUTHENTICATED", "FORBIDDEN"


@dataclass(frozen=True)
class Who:
    name: str
    token: Callable[[InProcessServer], str | None]


def _signed(role: Role, **scope: object) -> Callable[[InProcessServer], str]:
    return lambda live: live.token(role, **scope)  # type: ignore[arg-type]


def _alg_none(live: InProcessServer) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    claims = {"sub": "x", "role": "supervisor", "iss": "appeals-ledger", "exp": 4102444800}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


VIEWERS = [
    Who("public", lambda live: None),
    Who("expired", lambda live: live.token(Role.SUPERVISOR, ttl=timedelta(seconds=-60))),
    Who(
        "other-key",
        lambda live: Authenticator("another-secret-" + "y" * 40).issue(
            subject="x", role=Role.SUPERVISOR, ttl=timedelta(hours=1)
        ),
    ),
    Who("alg-none", _alg_none),
    Who("malformed", lambda live: "not-a-jwt"),
    Who("operator", _signed(Role.OPERATOR, body=BODY, department=DEPT)),
    Who("operator-other-dept", _signed(Role.OPERATOR, body=BODY, department=OTHER_DEPT)),
    Who("supervisor", _signed(Role.SUPERVISOR, body=BODY)),
    Who("supervisor-other-body", _signed(Role.SUPERVISOR, body=OTHER_BODY)),
    Who("auditor", _signed(Role.AUDITOR)),
    Who("admin", _signed(Role.ADMIN)),
]
INVALID = {"expired", "other-key", "alg-none", "malformed"}

STAFF = {
    "operator",
    "operator-other-dept",
    "supervisor",
    "supervisor-other-body",
    "auditor",
    "admin",
}

# operation: (status the appeal needs first, GraphQL document, who may do it)
READ = "query($id: ID!) { appeal(id: $id) { status } }"
OPERATIONS: dict[str, tuple[str, str, set[str]]] = {
    "statistics": (
        "none",
        "{ statistics(groupBy: [CHANNEL], period: MONTH) { count suppressed } }",
        {"public", *STAFF},
    ),
    "appeal": ("assigned", READ, {"operator", "supervisor", "auditor", "admin"}),
    "appeals": (
        "none",
        "{ appeals(first: 5) { totalCount } }",
        STAFF,
    ),
    "receiveAppeal": (
        "none",
        "mutation($e: String!) { receiveAppeal(input: {channel: VK, "
        f'externalId: $e, text: "Яма", body: "{BODY}"}}) {{ created }} }}',
        {"operator", "operator-other-dept", "supervisor"},
    ),
    "registerAppeal": (
        "received",
        "mutation($id: ID!) { registerAppeal(input: {appealId: $id, "
        'number: "ОГ-1"}) { position } }',
        {"supervisor"},
    ),
    "assignAppeal": (
        "received",
        "mutation($id: ID!) { assignAppeal(input: {appealId: $id, "
        f'department: "{DEPT}", assignee: "x"}}) {{ position }} }}',
        {"supervisor"},
    ),
    "forwardAppeal": (
        "assigned",
        "mutation($id: ID!) { forwardAppeal(input: {appealId: $id, "
        'toBody: "Другой орган", reason: "Не наш"}) { position } }',
        {"supervisor"},
    ),
    "extendAppealDeadline": (
        "registered+assigned",
        "mutation($id: ID!) { extendAppealDeadline("
        'input: {appealId: $id, days: 10, reason: "Проверка"}) { position } }',
        {"supervisor"},
    ),
    "categorizeAppeal": (
        "assigned",
        "mutation($id: ID!) { categorizeAppeal(input: {appealId: $id, "
        'category: "дороги"}) { position } }',
        {"operator", "supervisor"},
    ),
    "answerAppeal": (
        "assigned",
        'mutation($id: ID!) { answerAppeal(input: {appealId: $id, text: "Сделано"}) { position } }',
        {"operator", "supervisor"},
    ),
    "closeAppeal": (
        "answered",
        "mutation($id: ID!) { closeAppeal(input: {appealId: $id, "
        "outcome: RESOLVED}) { position } }",
        {"operator", "supervisor"},
    ),
    "reopenAppeal": (
        "closed",
        "mutation($id: ID!) { reopenAppeal(input: {appealId: $id, "
        'reason: "Не сделано"}) { position } }',
        {"operator", "supervisor"},
    ),
    "rateAppeal": (
        "answered",
        "mutation($id: ID!) { rateAppeal(input: {appealId: $id, score: 4}) { position } }",
        {"operator", "supervisor"},
    ),
}
STEPS = {
    "registered+assigned": ["register", "assign"],
    "received": [],
    "assigned": ["assign"],
    "answered": ["assign", "answer"],
    "closed": ["assign", "answer", "close"],
}
STEP_MUTATIONS = {
    "register": 'registerAppeal(input: {appealId: $id, number: "ОГ-0"})',
    "assign": f'assignAppeal(input: {{appealId: $id, department: "{DEPT}", assignee: "x"}})',
    "answer": 'answerAppeal(input: {appealId: $id, text: "Ответ"})',
    "close": "closeAppeal(input: {appealId: $id, outcome: RESOLVED})",
}


def expected(operation: str, who: str) -> str:
    """The rule, written once: bad tokens and the public first, then role, then scope."""
    _, _, allowed = OPERATIONS[operation]
    if who in INVALID:
        return UNAUTH
    if who in allowed:
        return OK
    if who == "public":
        return UNAUTH
    return FORBID


def prepare(live: InProcessServer, state: str) -> str:
    """An appeal of BODY in the given state, made by the in-scope supervisor."""
    if state == "none":
        return ""
    token = live.token(Role.SUPERVISOR, body=BODY)
    appeal_id = receive(
        live, token, channel="POS", text="Текст", body=BODY, citizen={"name": "Анна"}
    )
    for step in STEPS[state]:
        answer = live.post(
            f"mutation($id: ID!) {{ {STEP_MUTATIONS[step]} {{ position }} }}",
            {"id": appeal_id},
            token=token,
        ).json()
        assert "errors" not in answer, answer
    return appeal_id


@pytest.fixture(scope="module")
def results(live: InProcessServer) -> dict[tuple[str, str], dict[str, Any]]:
    table = {}
    for operation, (state, document, _) in OPERATIONS.items():
        for who in VIEWERS:
            appeal_id = prepare(live, state)
            response = live.post(
                document, {"id": appeal_id, "e": uuid.uuid4().hex}, token=who.token(live)
            )
            assert response.status_code == 200, response.text
            table[(operation, who.name)] = response.json()
    return table


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("who", [w.name for w in VIEWERS])
def test_each_role_may_do_exactly_what_the_matrix_allows(
    results: dict[tuple[str, str], dict[str, Any]],
    operation: str,
    who: str,
) -> None:
    answer = results[(operation, who)]

    codes = [e["extensions"]["code"] for e in answer.get("errors", [])]

    assert codes == ([] if expected(operation, who) == OK else [expected(operation, who)]), answer


def test_personal_data_is_masked_for_auditors_without_a_grant(live: InProcessServer) -> None:
    appeal_id = prepare(live, "assigned")
    query = "query($id: ID!) { appeal(id: $id) { citizen { name masked } } }"

    seen = {
        role: live.post(query, {"id": appeal_id}, token=token).json()["data"]["appeal"]["citizen"]
        for role, token in {
            "operator": live.token(Role.OPERATOR, body=BODY, department=DEPT),
            "auditor": live.token(Role.AUDITOR),
            "auditor-with-grant": live.token(Role.AUDITOR, pii=True),
        }.items()
    }

    assert seen["operator"] == {"name": "Анна", "masked": False}
    assert seen["auditor"] == {"name": None, "masked": True}
    assert seen["auditor-with-grant"] == {"name": "Анна", "masked": False}


def test_every_command_records_the_token_subject_as_actor(live: InProcessServer) -> None:
    appeal_id = prepare(live, "assigned")
    token = live.token(Role.OPERATOR, body=BODY, department=DEPT)

    live.post(
        'mutation($id: ID!) { answerAppeal(input: {appealId: $id, text: "Готово"}) { position } }',
        {"id": appeal_id},
        token=token,
    )
    history = live.post(
        "query($id: ID!) { appeal(id: $id) { history { type actor { id role } } } }",
        {"id": appeal_id},
        token=token,
    ).json()["data"]["appeal"]["history"]

    assert history[-1] == {"type": "Answered", "actor": {"id": "test-operator", "role": "OPERATOR"}}
    assert history[0]["actor"] == {"id": "test-supervisor", "role": "SUPERVISOR"}
