"""Hardening over HTTP: rate limits, security headers, the body cap, introspection switch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ledger.values import Role
from tests.api.conftest import LiveServer, start_server, stop_server


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("strict")
    server = start_server(
        f"sqlite:///{folder / 'a.db'}",
        folder / "server.log",
        APPEALS_RATE_LIMIT_PER_MINUTE="5",
        APPEALS_INTROSPECTION="false",
        APPEALS_GRAPHIQL="false",
        APPEALS_MAX_BODY_BYTES="2048",
    )
    yield server
    stop_server(server)


def test_a_token_over_its_rate_gets_429_with_retry_after(strict: LiveServer) -> None:
    token = strict.token(Role.AUDITOR)
    other = strict.token(Role.SUPERVISOR)

    answers = [strict.post("{ statistics { count } }", token=token) for _ in range(7)]
    someone_else = strict.post("{ statistics { count } }", token=other)

    assert [a.status_code for a in answers[:5]] == [200] * 5
    assert answers[5].status_code == 429
    assert int(answers[5].headers["retry-after"]) >= 1
    assert answers[5].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert someone_else.status_code == 200


def test_every_response_carries_the_security_headers(strict: LiveServer) -> None:
    response = httpx.get(f"{strict.url}/healthz", timeout=5)

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


def test_introspection_and_graphiql_can_be_switched_off(strict: LiveServer) -> None:
    token = strict.token(Role.SUPERVISOR, body="x")

    introspection = strict.post("{ __schema { types { name } } }", token=token)
    browser = httpx.get(strict.graphql, headers={"accept": "text/html"}, timeout=5)

    assert introspection.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert browser.status_code in (400, 404)


def test_a_body_over_the_cap_is_refused_before_it_is_read(strict: LiveServer) -> None:
    padding = "x" * 4096

    response = httpx.post(
        strict.graphql,
        json={"query": "{ statistics { count } }", "variables": {"pad": padding}},
        timeout=5,
    )

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_logs_hold_no_tokens_or_personal_data(strict: LiveServer, tmp_path: Path) -> None:
    token = strict.token(Role.SUPERVISOR, body="Орган")
    strict.post(
        'mutation { receiveAppeal(input: {channel: VK, externalId: "log-1", text: "т", '
        'body: "Орган", citizen: {name: "Секретное Имя"}}) { created } }',
        token=token,
    )

    log = strict.log.read_text()

    assert token not in log
    assert "Секретное Имя" not in log
