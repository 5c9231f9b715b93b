"""Open311 GeoReport v2 over HTTP on both stores: only public appeals, no personal data.

Four appeals of one citizen: one closed with a public answer, one open with a public interim
answer, one answered privately, one not answered. The test checks every field's type on every request, the
filters and paging, XML beside JSON, and that nothing private is served or found.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from api.bootstrap import build
from api.settings import Settings
from ledger.privacy import Citizen
from ledger.values import Actor, Role
from tests.api.conftest import LiveServer
from tests.api.inprocess import REPLAY_CLOCK_SKEW
from tests.waiting import until

BASE = datetime(2025, 9, 1, 9, tzinfo=UTC)
OFFICER = Actor("open311-officer", Role.OPERATOR)
CITIZEN = Citizen(name="Пётр Иванович Сидоров", contact="sidorov@example.ru", address="ул. Мира, 5")
MESSAGE = "Меня зовут Пётр Сидоров, телефон +7 900 123-45-67: у дома 5 яма"
PUBLIC_ANSWER = "Яма на улице Мира заделана"
PRIVATE_ANSWER = "Пётр Иванович, ответ направлен вам лично"
WINDOW = "start_date=2025-08-01T00:00:00%2B00:00&end_date=2025-10-01T00:00:00%2B00:00"
FIELDS = {
    "service_request_id": str,
    "status": str,
    "status_notes": (str, type(None)),
    "service_name": str,
    "service_code": str,
    "agency_responsible": str,
    "requested_datetime": str,
    "updated_datetime": str,
    "expected_datetime": str,
}


@pytest.fixture(scope="module")
def appeals(live: LiveServer) -> dict[str, str]:
    container = build(
        Settings.from_environ(
            {"APPEALS_DATABASE_URL": live.database_url, "APPEALS_CLOCK_SKEW": REPLAY_CLOCK_SKEW}
        )
    )
    ledger, ids = container.ledger, {}
    plan = [
        ("closed", True, True),
        ("interim", True, False),
        ("private", False, True),
        ("silent", None, False),
    ]
    for n, (name, public, close) in enumerate(plan):
        at = BASE + timedelta(days=n)
        got = ledger.receive_appeal(
            channel="web",
            external_id=f"o311-{name}",
            text=MESSAGE,
            body="Администрация города",
            category="дороги",
            citizen=CITIZEN,
            citizen_ref="citizen-311",
            at=at,
        )
        ids[name] = str(got.appeal_id)
        ledger.register_appeal(
            got.appeal_id, number=f"O-{n}", actor=OFFICER, at=at + timedelta(hours=1)
        )
        if public is not None:
            ledger.answer_appeal(
                got.appeal_id,
                text=PUBLIC_ANSWER if public else PRIVATE_ANSWER,
                final=close,
                public=public,
                actor=OFFICER,
                at=at + timedelta(days=2),
            )
        if close:
            ledger.close_appeal(
                got.appeal_id, outcome="resolved", actor=OFFICER, at=at + timedelta(days=3)
            )
    container.close()
    staff = live.token(Role.SUPERVISOR)

    def projected() -> bool:
        found = live.post("{ appeals(first: 10) { totalCount } }", token=staff).json()
        return bool(found["data"]["appeals"]["totalCount"] == len(plan))

    until(projected, timeout=60)
    return ids


def _get(live: LiveServer, path: str) -> httpx.Response:
    return httpx.get(f"{live.url}/open311/v2/{path}", timeout=30)


def _check_request(record: dict[str, Any]) -> None:
    for name, kind in FIELDS.items():
        assert isinstance(record[name], kind), name
    assert record["status"] in ("open", "closed")
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert datetime.fromisoformat(record[name]).tzinfo is not None
    assert record["description"] is None and record["address"] is None


def test_only_public_appeals_are_requests_and_every_field_has_its_type(
    live: LiveServer, appeals: dict[str, str]
) -> None:
    answer = _get(live, f"requests.json?{WINDOW}")
    records = answer.json()

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert {r["service_request_id"] for r in records} == {appeals["closed"], appeals["interim"]}
    for record in records:
        _check_request(record)
    by_id = {r["service_request_id"]: r for r in records}
    closed, interim = by_id[appeals["closed"]], by_id[appeals["interim"]]
    assert (closed["status"], interim["status"]) == ("closed", "open")
    assert closed["status_notes"] == PUBLIC_ANSWER == interim["status_notes"]
    assert closed["agency_responsible"] == "Администрация города"
    assert closed["service_code"] == "дороги"
    assert datetime.fromisoformat(closed["requested_datetime"]) == BASE
    assert datetime.fromisoformat(closed["updated_datetime"]) == BASE + timedelta(days=3)
    assert datetime.fromisoformat(closed["expected_datetime"]) > BASE + timedelta(days=29)


def test_nothing_private_is_served(live: LiveServer, appeals: dict[str, str]) -> None:
    bodies = [_get(live, f"requests.{fmt}?{WINDOW}").text for fmt in ("json", "xml")]
    bodies += [_get(live, f"requests/{appeals['closed']}.{fmt}").text for fmt in ("json", "xml")]

    for body in bodies:
        for secret in ("Сидоров", "sidorov@", "Мира, 5", "+7 900", PRIVATE_ANSWER, "citizen-311"):
            assert secret not in body


@pytest.mark.parametrize("name", ["private", "silent"])
def test_an_appeal_that_is_not_public_answers_404(
    live: LiveServer, appeals: dict[str, str], name: str
) -> None:
    for fmt in ("json", "xml"):
        answer = _get(live, f"requests/{appeals[name]}.{fmt}")
        assert answer.status_code == 404
    assert _get(live, f"requests/{appeals[name]}.json").json() == [
        {"code": 404, "description": "no such request"}
    ]
    assert _get(live, f"requests/{uuid.uuid4()}.json").status_code == 404
    assert _get(live, "requests/not-an-id.json").status_code == 404
    assert _get(live, f"requests.json?service_request_id={appeals[name]}").json() == []


def test_one_request_by_id_in_json_and_xml(live: LiveServer, appeals: dict[str, str]) -> None:
    as_json = _get(live, f"requests/{appeals['closed']}.json").json()
    as_xml = ElementTree.fromstring(_get(live, f"requests/{appeals['closed']}.xml").content)

    assert len(as_json) == 1 and as_json[0]["service_request_id"] == appeals["closed"]
    assert as_xml.tag == "service_requests"
    (request,) = as_xml.findall("request")
    assert {child.tag: child.text for child in request} == {
        k: (None if v is None else str(v)) for k, v in as_json[0].items()
    }


def test_filters_and_paging(live: LiveServer, appeals: dict[str, str]) -> None:
    closed = _get(live, f"requests.json?{WINDOW}&status=closed").json()
    both = _get(live, f"requests.json?{WINDOW}&status=open,closed").json()
    other = _get(live, f"requests.json?{WINDOW}&service_code=%D0%96%D0%9A%D0%A5").json()
    early = _get(live, "requests.json?end_date=2025-09-01T12:00:00%2B00:00").json()
    pages = [_get(live, f"requests.json?{WINDOW}&page_size=1&page={p}").json() for p in (1, 2, 3)]
    recent = _get(live, "requests.json").json()  # the last 90 days: nothing this old

    assert [r["service_request_id"] for r in closed] == [appeals["closed"]]
    assert len(both) == 2 and other == [] and recent == []
    assert [r["service_request_id"] for r in early] == [appeals["closed"]]
    assert [[r["service_request_id"] for r in p] for p in pages] == [
        [appeals["interim"]],
        [appeals["closed"]],
        [],
    ]  # newest first


@pytest.mark.parametrize(
    "query",
    [
        "page_size=101",
        "page=0",
        "status=pending",
        "start_date=2025-09-01",
        "start_date=2025-10-01T00:00:00Z&end_date=2025-09-01T00:00:00Z",
        "service_request_id=x",
    ],
)
def test_a_bad_parameter_is_a_400_error_document(live: LiveServer, query: str) -> None:
    as_json = _get(live, f"requests.json?{query}")
    as_xml = _get(live, f"requests.xml?{query}")

    assert as_json.status_code == 400 and as_json.json()[0]["code"] == 400
    assert as_xml.status_code == 400
    assert ElementTree.fromstring(as_xml.content).find("error/code").text == "400"  # type: ignore[union-attr]


def test_services_are_the_categories(live: LiveServer, appeals: dict[str, str]) -> None:
    as_json = _get(live, "services.json").json()
    as_xml = ElementTree.fromstring(_get(live, "services.xml").content)

    assert [s["service_code"] for s in as_json] == ["дороги"]
    assert as_json[0]["metadata"] is False and as_json[0]["type"] == "realtime"
    assert as_xml.tag == "services"
    assert as_xml.find("service/service_code").text == "дороги"  # type: ignore[union-attr]
    assert _get(live, "services.csv").status_code == 404
