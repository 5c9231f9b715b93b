"""Hotspots over HTTP on both stores: staff see the numbers and examples, the public neither."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.api.conftest import LiveServer
from tests.api.desk import Desk

HOTSPOTS = """query($body: String) { hotspots(period: WEEK, body: $body) {
  rank category body suppressed count baselineMean growth pValue sharpness overdueNow
  examples(first: 2) { id category } } }"""


def _ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def test_a_surge_of_one_problem_is_the_sharpest_and_the_public_sees_no_figures(
    live: LiveServer,
) -> None:
    desk = Desk(live)
    for week in range(1, 9):
        desk.receive("Яма на дороге", category="Дороги", at=_ago(7 * week + 2))
        desk.receive("Не горит фонарь", category="Свет", at=_ago(7 * week + 3))
    for hour in range(12):
        desk.receive("Не горят фонари на Садовой", category="Свет", at=_ago(1 + hour / 24))
    desk.receive("Яма на дороге", category="Дороги", at=_ago(2))

    staff = desk.query(HOTSPOTS, {"body": desk.body})["hotspots"]
    public = live.post(HOTSPOTS, {"body": desk.body}).json()

    assert [(h["rank"], h["category"]) for h in staff] == [(1, "Свет")]
    assert staff[0]["count"] == 12
    assert staff[0]["growth"] > 5 and staff[0]["pValue"] < 1e-6
    assert staff[0]["overdueNow"] == 0
    assert len(staff[0]["examples"]) == 2
    assert {e["category"] for e in staff[0]["examples"]} == {"Свет"}
    assert "errors" not in public
    shown = [h for h in public["data"]["hotspots"] if h["body"] == desk.body]
    assert shown == [
        {
            "rank": shown[0]["rank"],
            "category": "Свет",
            "body": desk.body,
            "suppressed": True,
            "count": None,
            "baselineMean": None,
            "growth": None,
            "pValue": None,
            "sharpness": None,
            "overdueNow": None,
            "examples": None,
        }
    ]
