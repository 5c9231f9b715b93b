"""The open-data package is built once, by the duty, and API workers serve the stored bytes.

Two API apps on one store contend for no duty (``APPEALS_RUN_PROJECTIONS=false``, like the
workers of ``serve --workers``); the duty runs in the test as ``api.bootstrap.run_duty`` runs
it in the duty process. On both stores.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.bootstrap import audit_service, build, leadership, read_side
from api.container import Container
from api.runtime.leader import Leadership
from api.runtime.publishing import publisher
from api.settings import Settings
from tests.api.conftest import empty_store
from tests.api.inprocess import InProcessServer, serve_in_process
from tests.api.published import published_position, wait_published
from tests.integration.receipts import receive_appeals

AT = datetime(2025, 10, 6, 9, tzinfo=UTC)
WORKER = {"APPEALS_RUN_PROJECTIONS": "false"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Container]]:
    with empty_store(request.param, tmp_path) as url:
        settings = {"APPEALS_DATABASE_URL": url, "APPEALS_OPENDATA_REFRESH": "0"}
        container = build(Settings.from_environ(settings))
        try:
            yield url, container
        finally:
            container.close()


class Duty:
    """The projection duty of the store, run here, counting the package builds it saves."""

    def __init__(self, container: Container) -> None:
        self.builds = 0
        side = read_side(container)
        audit = audit_service(container.settings, container)
        self.contender: Leadership = leadership(container, side, audit, self._built)

    def _built(self, seconds: float) -> None:
        self.builds += 1

    def __enter__(self) -> Duty:
        self.contender.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.contender.stop()


def _receive(container: Container, start: int, count: int) -> None:
    receive_appeals(
        container.ledger, "duty", range(start, start + count), lambda n: AT + timedelta(hours=n)
    )


def _received(server: InProcessServer) -> int:
    rows = json.loads(server.http.get("/opendata/monthly.json").content)
    return sum(int(r["received"] or 0) for r in rows)


def _builds(server: InProcessServer) -> float:
    metrics = server.http.get("/metrics").text
    found = re.search(r"^appeals_opendata_builds_total (\S+)$", metrics, re.MULTILINE)
    assert found is not None, "the builds counter is exported"
    return float(found.group(1))


def _stored_builds(server: InProcessServer) -> float:
    metrics = server.http.get("/metrics").text
    found = re.search(r'^appeals_opendata_stored\{figure="builds"\} (\S+)$', metrics, re.MULTILINE)
    assert found is not None, "the stored package's builds are exported"
    return float(found.group(1))


def test_workers_answer_a_coded_503_until_the_duty_has_built_then_identical_bytes(
    store: tuple[str, Container], tmp_path: Path
) -> None:
    url, container = store
    _receive(container, 0, 6)
    with ExitStack() as stack:
        one = stack.enter_context(serve_in_process(url, tmp_path / "one", **WORKER))
        two = stack.enter_context(serve_in_process(url, tmp_path / "two", **WORKER))
        before = one.http.get("/opendata/monthly.csv")
        page = two.http.get("/")

        with Duty(container) as duty:
            wait_published(url)
        first, second = (s.http.get("/opendata/monthly.csv") for s in (one, two))
        polled = two.http.get(
            "/opendata/monthly.csv", headers={"if-none-match": first.headers["etag"]}
        )
        index = one.http.get("/opendata/")

        assert (before.status_code, page.status_code) == (503, 503)
        assert before.headers["retry-after"] == "10"
        assert before.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
        assert first.status_code == second.status_code == 200
        assert first.content == second.content and b"\r\n" in first.content
        assert first.headers["etag"] == second.headers["etag"]
        assert first.headers["last-modified"] == second.headers["last-modified"]
        assert polled.status_code == 304
        assert index.json()["name"] == "appeals-statistics"
        assert _received(one) == _received(two) == 6
        assert duty.builds >= 1
        assert _builds(one) == _builds(two) == 0
        assert _stored_builds(one) == _stored_builds(two) == duty.builds


def test_the_package_follows_a_new_appeal_after_the_duty_rebuilds_and_never_without_it(
    store: tuple[str, Container], tmp_path: Path
) -> None:
    url, container = store
    _receive(container, 0, 6)
    with serve_in_process(url, tmp_path / "worker", **WORKER) as worker:
        with Duty(container):
            wait_published(url)
            old = worker.http.get("/opendata/monthly.csv")
            _receive(container, 6, 5)
            wait_published(url)
            followed = _received(worker)
            new = worker.http.get("/opendata/monthly.csv")
        # The duty stopped: another runner moves the views, and nobody builds.
        stale_position = published_position(url)
        _receive(container, 11, 5)
        side = read_side(container)
        side.runner.catch_up()
        unchanged = worker.http.get("/opendata/monthly.csv")

        assert followed == _received(worker) == 11
        assert new.headers["etag"] != old.headers["etag"]
        assert unchanged.content == new.content
        assert unchanged.headers["etag"] == new.headers["etag"]
        assert published_position(url) == stale_position
        assert _builds(worker) == 0


def test_a_single_process_server_builds_in_its_own_duty_thread(
    store: tuple[str, Container], tmp_path: Path
) -> None:
    url, container = store
    _receive(container, 0, 7)

    with serve_in_process(url, tmp_path / "single") as server:
        wait_published(url)
        received = _received(server)
        builds = _builds(server)

    assert received == 7
    assert builds >= 1


def test_a_build_asked_to_stop_is_dropped_and_saves_nothing(
    store: tuple[str, Container],
) -> None:
    url, container = store
    _receive(container, 0, 6)
    side = read_side(container)
    side.runner.setup()
    side.runner.catch_up()
    built: list[float] = []
    stopping = publisher(container, side, built.append)
    stopping.store.create()

    stopping.stop()  # the duty is stopping: the next build gives up at its first check
    stopping.publish()

    assert built == []
    assert published_position(url) is None
