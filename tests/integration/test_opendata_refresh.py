"""The open-data package is served stale while a thread rebuilds it, then fresh; on both stores."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from api.bootstrap import read_side
from opendata.figures import Figures
from opendata.publication import Publication
from tests.integration.conftest_projections import fresh_store
from tests.waiting import until

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
AT = datetime(2025, 10, 6, 9, tzinfo=UTC)


@pytest.fixture
def admin(request: pytest.FixtureRequest, kind: str) -> str | None:
    return str(request.getfixturevalue("pg_admin")) if kind == "postgres" else None


def _received(files: dict[str, object]) -> int:
    rows = json.loads(files["monthly.json"].body)  # type: ignore[attr-defined]
    return sum(int(r["received"] or 0) for r in rows)


@pytest.mark.parametrize("kind", STORES)
def test_a_stale_package_is_served_while_a_thread_rebuilds_it(kind: str, admin: str | None) -> None:
    with fresh_store(kind, admin) as container:
        side = read_side(container)
        side.runner.setup()

        def receive(start: int, count: int) -> None:
            for n in range(start, start + count):
                container.ledger.receive_appeal(
                    channel="pos",
                    external_id=f"refresh-{n}",
                    text="Яма",
                    body="Администрация",
                    at=AT + timedelta(hours=n),
                )
            side.runner.catch_up()

        models = side.read_models
        publication = Publication(Figures(models.db, models.clock, 5, 30), refresh=0.05)
        receive(0, 10)
        first = publication.files()
        receive(10, 10)
        time.sleep(0.06)  # past the refresh interval, so the next call revalidates
        stale = publication.files()

        assert _received(first) == 10
        assert stale is first  # answered at once, with what it had
        until(lambda: _received(publication.files()) == 20, timeout=30)
        fresh = publication.files()
        assert fresh["monthly.csv"].etag != first["monthly.csv"].etag
        assert fresh["datapackage.json"].modified >= first["datapackage.json"].modified
