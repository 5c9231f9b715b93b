"""Open data over real demo data on both stores: a valid Frictionless package, served and written.

Three demo seeds load into months of their own (as in ``test_public_disclosure``). The
attacker of ``tests.api.recovery`` then gets every open-data file *and* every table the public
may ask GraphQL for, and tries to solve each hidden cell of each month's block (its days and
its five dimensions, source among them) from all of it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from frictionless import validate

from ledger.values import Role
from tests.api.command_line import appeals
from tests.api.conftest import LiveServer
from tests.api.opendata_cells import typed
from tests.api.pages import load_months
from tests.api.published import wait_published
from tests.api.recovery import Basis, Cell
from tests.api.test_public_disclosure import DIMS, _public_tables
from tests.waiting import until

SEEDS = {4: "2025-03-31", 9: "2025-07-31", 17: "2025-11-30"}
APPEALS = 300
PAGED = 150  # more appeals per seed, through official pages (``tests.api.pages``)
GROUPINGS = {
    "": (),
    "-by-body": ("body",),
    "-by-department": ("body", "department"),
    "-by-category": ("category",),
    "-by-channel": ("channel",),
    "-by-source": ("channel", "source"),
}
RESOURCES = [
    f"{grain}{suffix}"
    for grain in ("monthly", "daily")
    for suffix in GROUPINGS
    if grain == "monthly" or suffix != "-by-source"  # sources are published per month only
]
FIGURES = (
    "received",
    "problems",
    "answered",
    "on_time",
    "closed",
    "overdue_now",
    "first_response_p50",
)


@pytest.fixture(scope="module")
def demo(live: LiveServer) -> LiveServer:
    load_months(live.database_url, SEEDS, APPEALS, PAGED)
    staff = live.token(Role.SUPERVISOR)
    query = (
        '{ statistics(filter: {receivedFrom: "2024-12-01", receivedTo: "2025-11-30"}) { count } }'
    )

    def loaded() -> bool:
        answer = live.post(query, token=staff).json()
        return bool(answer["data"]["statistics"][0]["count"] >= (APPEALS + PAGED) * len(SEEDS))

    until(loaded, timeout=60)
    wait_published(live.database_url)
    return live


def _get(live: LiveServer, path: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{live.url}/opendata/{path}", headers=headers, timeout=60)


def _rows(live: LiveServer, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_get(live, f"{name}.csv").text)))


def test_the_published_package_is_valid_and_the_served_one_too(
    demo: LiveServer, tmp_path: Path
) -> None:
    written = appeals(
        "opendata", "publish", "--out", str(tmp_path / "cli"), url=demo.database_url, timeout=600
    )
    served = tmp_path / "served"
    served.mkdir()
    package = _get(demo, "datapackage.json").json()
    (served / "datapackage.json").write_text(json.dumps(package))
    for resource in package["resources"]:
        (served / resource["path"]).write_bytes(_get(demo, resource["path"]).content)

    assert written.returncode == 0, written.stderr
    for folder in (tmp_path / "cli", served, tmp_path / "cli" / "2025-10"):
        report = validate(str(folder / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert [r["name"] for r in package["resources"]] == [*RESOURCES, "rankings", "problems"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["version"] == "1.0.0"
    assert package["temporalCoverage"] == {"start": "2024-12-01", "end": "2025-11-30"}
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            assert field["name"] and field["type"] and field["description_ru"]
            assert field["description_en"]
        if resource["name"] in ("rankings", "problems"):
            continue
        units = {f["name"]: f.get("unit") for f in resource["schema"]["fields"]}
        assert units["received"] == "appeals" and units["first_response_p50"] == "s"
    # The CLI writes what the API serves (both as of the same hour, from the same view).
    assert (tmp_path / "cli" / "daily-by-body.csv").read_bytes() == (
        served / "daily-by-body.csv"
    ).read_bytes()


def test_files_carry_no_text_no_ids_and_suppressed_rows_carry_no_figures(
    demo: LiveServer,
) -> None:
    tables = {name: _rows(demo, name) for name in RESOURCES}
    as_json = _get(demo, "daily-by-channel.json").json()

    allowed = {
        "period",
        "body",
        "department",
        "category",
        "channel",
        "source",
        "suppressed",
        "received",
        "problems",
        "answered",
        "on_time",
        "on_time_share",
        "closed",
        "overdue_now",
        "first_response_p50",
        "first_response_p90",
        "resolution_p50",
        "resolution_p90",
        "rating_suppressed",
        "rated",
        "average_rating",
    }
    hidden = 0
    for rows in tables.values():
        assert rows and set(rows[0]) <= allowed
        for row in rows:
            if row["suppressed"] == "true":
                hidden += 1
                assert all(row[f] == "" for f in FIGURES)
                assert row["rating_suppressed"] == "true" and row["average_rating"] == ""
            else:
                assert int(row["received"]) >= 5
            if row["rating_suppressed"] == "false":
                assert int(row["rated"]) == 0 or int(row["rated"]) >= 5
    assert hidden > 100
    assert as_json == [
        {k: typed(k, v) for k, v in row.items()} for row in tables["daily-by-channel"]
    ]


def test_monthly_open_data_shows_what_graphql_shows_the_public(demo: LiveServer) -> None:
    by_body = _rows(demo, "2025-10/monthly-by-body")
    answer = demo.post(
        '{ statistics(filter: {receivedFrom: "2025-10-01", receivedTo: "2025-10-31"}, '
        "groupBy: [BODY]) { body suppressed count overdueNow } }"
    ).json()["data"]["statistics"]

    assert {r["period"] for r in by_body} == {"2025-10"}
    assert [(r["body"], r["suppressed"] == "true", r["received"] or None) for r in by_body] == [
        (g["body"], g["suppressed"], None if g["count"] is None else str(g["count"]))
        for g in answer
    ]


def test_polling_with_the_etag_or_the_date_answers_304_and_unknown_paths_404(
    demo: LiveServer,
) -> None:
    first = _get(demo, "monthly.csv")
    by_tag = _get(demo, "monthly.csv", **{"if-none-match": first.headers["etag"]})
    by_date = _get(demo, "monthly.csv", **{"if-modified-since": first.headers["last-modified"]})
    stale = _get(demo, "monthly.csv", **{"if-none-match": '"something-else"'})
    month = _get(demo, "2025-03/datapackage.json")
    index = httpx.get(f"{demo.url}/opendata/", timeout=30)

    assert first.status_code == 200
    assert first.headers["content-type"] == "text/csv; charset=utf-8"
    assert first.headers["cache-control"] == "public, max-age=60"
    assert first.content.startswith(b"period,suppressed,received,") and b"\r\n" in first.content
    assert (by_tag.status_code, by_tag.content) == (304, b"")
    assert by_tag.headers["etag"] == first.headers["etag"]
    assert by_date.status_code == 304
    assert stale.status_code == 200 and stale.content == first.content
    assert month.json()["temporalCoverage"] == {"start": "2025-03-01", "end": "2025-03-31"}
    assert index.json()["name"] == "appeals-statistics"
    for path in ("nothing.csv", "2025-13/monthly.csv", "../datapackage.json", "monthly.xml"):
        assert _get(demo, path).status_code == 404


def test_no_suppressed_cell_can_be_recovered_from_open_data_and_graphql_together(
    demo: LiveServer,
) -> None:
    staff = demo.token(Role.SUPERVISOR)
    finest = _finest_days(demo, staff)
    published: list[tuple[str, Cell, bool, bool]] = []
    for month, cell, group in _public_tables(demo):
        published.append(
            (month[:7], (None, *cell), group["suppressed"], group["ratedCount"] is None)
        )
    for name in RESOURCES:
        dims = GROUPINGS[name.removeprefix("monthly").removeprefix("daily")]
        for row in _rows(demo, name):
            values = {d: row[d] if d in dims else None for d in DIMS}
            day = row["period"] if name.startswith("daily") else None
            published.append(
                (
                    row["period"][:7],
                    (day, *(values[d] for d in DIMS)),
                    row["suppressed"] == "true",
                    row["rating_suppressed"] == "true",
                )
            )

    recovered, rating_recovered, hidden = [], [], 0
    for month in sorted({m for m, _, _, _ in published}):
        cells = [cell for m, cell in finest if m == month]
        here = [(c, s, r) for m, c, s, r in published if m == month]
        counts, ratings = Basis(cells), Basis(cells)
        counts.add(c for c, s, _ in here if not s)
        ratings.add(c for c, _, r in here if not r)
        for cell, suppressed, rating_hidden in here:
            hidden += suppressed
            if suppressed and counts.recovers(cell):
                recovered.append(cell)
            if rating_hidden and ratings.recovers(cell):
                rating_recovered.append(cell)
    assert hidden > 500  # daily tables hide far more than the months alone
    assert recovered == []
    assert rating_recovered == []


def _finest_days(live: LiveServer, token: str) -> list[tuple[str, Cell]]:
    """Every non-empty (day, channel, category, body, department, source) cell, as staff see."""
    answer: Any = live.post(
        '{ statistics(filter: {receivedFrom: "2024-12-01", receivedTo: "2025-11-30"}, '
        "groupBy: [CHANNEL, CATEGORY, BODY, DEPARTMENT, SOURCE], period: DAY) "
        "{ channel category body department source periodStart } }",
        token=token,
    ).json()
    return [
        (g["periodStart"][:7], (g["periodStart"], *((g[d] or "") for d in DIMS)))
        for g in answer["data"]["statistics"]
    ]
