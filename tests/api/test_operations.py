"""Operations endpoints over HTTP: readiness with lag, and Prometheus metrics."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.bootstrap import build
from api.settings import Settings
from ledger.values import Role
from tests.api.conftest import LiveServer, start_server, stop_server

RECEIVE = (
    "mutation($e: String!) { receiveAppeal(input: {channel: EMAIL, externalId: $e,"
    ' text: "Не горят фонари", body: "Администрация"}) { position created } }'
)


def _samples(server: LiveServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = httpx.get(f"{server.url}/metrics", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def _total(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str) -> float:
    return sum(value for (sample, _), value in samples.items() if sample == name)


def test_ready_once_the_views_have_what_was_recorded(live: LiveServer) -> None:
    token = live.token(Role.OPERATOR)
    made = live.post(RECEIVE, {"e": "ready-1"}, token=token).json()["data"]["receiveAppeal"]

    answer = httpx.get(f"{live.url}/readyz", timeout=10)

    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ready"
    assert body["head"] >= int(made["position"])
    assert set(body["lag"]) == {"appeals", "statistics", "workload", "search"}
    assert all(lag == 0 for lag in body["lag"].values())


def test_metrics_count_requests_errors_appends_and_lag(live: LiveServer) -> None:
    token = live.token(Role.OPERATOR)
    before = _samples(live)
    live.post(RECEIVE, {"e": "metrics-1"}, token=token)
    live.post("{ appeal(id: 42) { id } }", token=token)  # a coded error: bad input
    after = _samples(live)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    graphql_ok = {"method": "POST", "route": "/graphql", "status": "200"}
    assert grew("appeals_http_requests_total", **graphql_ok) == 2
    assert grew("appeals_http_request_seconds_count", route="/graphql") == 2
    assert grew("appeals_events_appended_total") == 1
    errors = "appeals_graphql_errors_total"
    assert _total(after, errors) - _total(before, errors) == 1
    assert after[("appeals_projection_lag_events", (("view", "appeals"),))] == 0
    assert after[("appeals_projection_duty", ())] == 1


@pytest.fixture
def standby(tmp_path: Path) -> Iterator[LiveServer]:
    """A server that does not run projections and calls any lag at all too much."""
    url = f"sqlite:///{tmp_path / 'appeals.db'}"
    server = start_server(
        url, tmp_path / "server.log", APPEALS_RUN_PROJECTIONS="false", APPEALS_READY_MAX_LAG="0"
    )
    yield server
    stop_server(server)


def test_not_ready_while_the_views_lag_behind_the_log(standby: LiveServer) -> None:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": standby.database_url}))
    try:
        container.ledger.receive_appeal(
            channel="vk", external_id="lagging", text="Яма на дороге", body="Администрация"
        )
    finally:
        container.close()

    answer = httpx.get(f"{standby.url}/readyz", timeout=10)

    assert answer.status_code == 503
    assert answer.json()["status"] == "lagging"
    assert answer.json()["lag"]["appeals"] == 1
    assert _samples(standby)[("appeals_projection_duty", ())] == 0
