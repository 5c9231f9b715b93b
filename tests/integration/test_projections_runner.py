"""The runner on real stores: concurrent runners, a worker killed mid-catch-up, pagination."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta

import pytest

from api.bootstrap import read_side
from api.commands.demo import load_demo
from api.container import Container
from projections.cursor import InvalidCursorError, encode_cursor
from projections.models import AppealFilter, AppealOrder
from tests.integration.conftest_projections import view_checksum
from tests.integration.demo_views import UNTIL, container_on, demo_views
from tests.waiting import until


def test_two_runners_at_once_produce_the_same_views_as_one(store_url: str) -> None:
    first, second = container_on(store_url), container_on(store_url)
    load_demo(first, 400, seed=3, until=UNTIL, quiet=True)
    sides = [read_side(c, batch_size=97) for c in (first, second)]
    sides[0].runner.setup()

    threads = [threading.Thread(target=s.runner.catch_up) for s in sides]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    together = view_checksum(sides[0])
    sides[0].runner.rebuild()
    alone = view_checksum(sides[0])

    assert together == alone
    assert set(sides[0].read_models.positions().values()) == {sides[0].read_models.head()}
    first.close()
    second.close()


@pytest.mark.postgres
@pytest.mark.slow
def test_a_worker_killed_mid_catch_up_resumes_to_the_views_of_a_clean_rebuild(
    postgres_url: str,
) -> None:
    container = container_on(postgres_url)
    load_demo(container, 5200, seed=5, until=UNTIL, quiet=True)
    side = read_side(container)
    side.runner.setup()
    head = side.read_models.head()
    assert head >= 20_000
    env = {**os.environ, "APPEALS_DATABASE_URL": postgres_url}
    command = [sys.executable, "-m", "api.cli", "projections", "run", "--batch", "300"]

    worker = subprocess.Popen(command, env=env)

    def a_quarter_done() -> bool:
        assert worker.poll() is None, "the worker exited"
        return min(side.read_models.positions().values()) >= head // 4

    until(a_quarter_done, timeout=120)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    killed_at = min(side.read_models.positions().values())
    restarted = subprocess.Popen(command, env=env)
    try:
        assert side.read_models.wait_for(head, timeout=120)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(30)
    resumed = view_checksum(side)
    side.runner.rebuild()
    clean = view_checksum(side)

    assert killed_at < head
    assert resumed == clean
    assert restarted.returncode == 0
    container.close()


@pytest.fixture
def listed(store_url: str) -> Container:
    container = container_on(store_url)
    demo_views(container, 120, seed=9)
    return container


@pytest.mark.parametrize("order", [o for o in AppealOrder if o is not AppealOrder.RELEVANCE])
def test_keyset_pages_cover_every_appeal_once_in_a_stable_order(
    listed: Container, order: AppealOrder
) -> None:
    models = read_side(listed).read_models
    everything = models.list_appeals(AppealFilter(), order, 1000, None).rows

    seen, after = [], None
    while True:
        page = models.list_appeals(AppealFilter(), order, 7, after)
        seen += page.rows
        after = page.end_cursor
        if not page.has_next:
            break

    assert [r.id for r in seen] == [r.id for r in everything]
    assert len({r.id for r in seen}) == page.total_count == 120
    listed.close()


def test_filters_select_exactly_the_matching_appeals(listed: Container) -> None:
    models = read_side(listed).read_models
    everything = models.list_appeals(AppealFilter(), AppealOrder.RECEIVED_AT_ASC, 1000, None).rows
    start = everything[30].received_at

    overdue = models.list_appeals(AppealFilter(overdue=True), AppealOrder.DUE_AT_ASC, 1000, None)
    recent = models.list_appeals(
        AppealFilter(received_from=start, received_to=start + timedelta(days=20)),
        AppealOrder.RECEIVED_AT_ASC,
        1000,
        None,
    )

    assert [r.id for r in overdue.rows] == [
        r.id
        for r in sorted(
            (r for r in everything if r.overdue), key=lambda r: (r.next_due_at, r.id.hex)
        )
    ]
    assert overdue.rows
    assert {r.id for r in recent.rows} == {
        r.id for r in everything if start <= r.received_at < start + timedelta(days=20)
    }
    listed.close()


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not a cursor",
        "e30",  # base64 of "{}"
        "WyJyZWNlaXZlZF9hdF9kZXNjIiwxLCJ4eCJd",  # right shape, bad id
        encode_cursor(AppealOrder.DUE_AT_ASC, 1, UUID_ZERO := __import__("uuid").UUID(int=0)),
    ],
)
def test_a_cursor_we_did_not_issue_is_refused(listed: Container, garbage: str) -> None:
    models = read_side(listed).read_models

    with pytest.raises(InvalidCursorError):
        models.list_appeals(AppealFilter(), AppealOrder.RECEIVED_AT_DESC, 5, garbage)
    listed.close()


def test_a_rebuild_that_fails_midway_leaves_the_old_views_and_the_next_one_succeeds(
    store_url: str,
) -> None:
    container = container_on(store_url)
    load_demo(container, 300, seed=5, until=UNTIL, quiet=True)
    side = read_side(container, batch_size=50)
    side.runner.setup()
    side.runner.catch_up()
    before = view_checksum(side)
    positions = side.read_models.positions()

    def interrupt(events: int, position: int) -> None:
        if position > 400:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        side.runner.rebuild(progress=interrupt)
    interrupted = view_checksum(side)
    side.runner.rebuild()

    assert interrupted == before
    assert side.read_models.positions() == positions
    assert view_checksum(side) == before
    container.close()
