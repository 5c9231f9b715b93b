"""The operator's queue over HTTP on both stores: filters, fields, viewer, paging both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.values import Role
from tests.api.conftest import LiveServer
from tests.api.desk import Desk

PAGE = """query($f: AppealFilterInput, $first: Int, $last: Int, $after: String, $before: String) {
  appeals(filter: $f, first: $first, last: $last, after: $after, before: $before) {
    totalCount edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


def _ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def _page(desk: Desk, **variables: object) -> dict[str, Any]:
    variables["f"] = {"body": desk.body, **variables.get("f", {})}  # type: ignore[dict-item]
    page: dict[str, Any] = desk.query(PAGE, variables)["appeals"]
    return page


def test_filters_combine_assignee_me_statuses_number_external_id_and_due_kind(
    live: LiveServer,
) -> None:
    desk = Desk(live)
    mine = desk.receive(channel="EMAIL", at=_ago(10), externalId="mail-1", category="Свет")
    theirs = desk.receive(channel="EMAIL", at=_ago(10), category="Свет")
    fresh = desk.receive(channel="WEB", category="Дороги")
    desk.do("registerAppeal", {"appealId": mine, "number": "ОГ-17", "at": _ago(9)})
    desk.do(
        "assignAppeal",
        {"appealId": mine, "department": "Свет", "assignee": "test-operator", "at": _ago(9)},
    )
    desk.do("assignAppeal", {"appealId": fresh, "department": "Дороги", "assignee": "Сидоров"})
    operator = desk.operator("Свет")

    assert desk.ids({"assignedToMe": True}, operator) == [mine]
    assert desk.ids({"assignee": "Сидоров"}) == [fresh]
    assert set(desk.ids({"statuses": ["RECEIVED", "ASSIGNED"]})) == {mine, theirs, fresh}
    assert desk.ids({"statuses": ["RECEIVED"]}) == [theirs]
    assert desk.ids({"registrationNumber": "ОГ-17"}) == [mine]
    assert desk.ids({"externalId": "mail-1"}) == [mine]
    # Unregistered formal appeal 10 days old: its 3-day registration clock ran out.
    assert desk.ids({"overdue": True, "dueKind": "REGISTRATION"}) == [theirs]
    assert desk.ids({"dueKind": "ANSWER", "dueBefore": _ago(-40)}) == [mine]
    assert desk.ids({"dueKind": "ANSWER", "dueBefore": _ago(-5)}) == []
    assert desk.ids({"category": "Свет", "statuses": ["ASSIGNED"]}) == [mine]


def test_an_operator_never_sees_another_departments_appeals_whatever_the_filter(
    live: LiveServer,
) -> None:
    desk = Desk(live)
    ours = desk.receive()
    other = desk.receive()
    desk.do("assignAppeal", {"appealId": ours, "department": "Свет", "assignee": "a"})
    desk.do("assignAppeal", {"appealId": other, "department": "Дороги", "assignee": "b"})
    operator = desk.operator("Свет")

    seen = desk.ids({"statuses": ["ASSIGNED", "RECEIVED"]}, operator)
    refused = live.post(PAGE, {"f": {"department": "Дороги"}}, token=operator).json()

    assert seen == [ours]
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_pages_forward_and_backward_are_the_same_rows_in_the_same_order(live: LiveServer) -> None:
    desk = Desk(live)
    for day in range(7):
        desk.receive(at=_ago(20 - day))
    whole = desk.ids({}, first=50)

    forward: list[str] = []
    after = None
    while True:
        page = _page(desk, first=3, after=after)
        forward += [edge["node"]["id"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    backward: list[str] = []
    before = None
    while True:
        page = _page(desk, last=3, before=before)
        backward = [edge["node"]["id"] for edge in page["edges"]] + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]

    assert len(whole) == 7
    assert forward == whole
    assert backward == whole
    assert page["totalCount"] == 7


def test_mixing_forward_and_backward_paging_is_bad_user_input(live: LiveServer) -> None:
    desk = Desk(live)

    answer = live.post(PAGE, {"first": 2, "last": 2}, token=desk.token).json()

    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert answer["errors"][0]["extensions"]["field"] == "last"


def test_an_appeal_shows_its_number_location_forward_and_extension(live: LiveServer) -> None:
    desk = Desk(live)
    appeal = desk.receive(channel="EMAIL", at=_ago(5), location="ул. Ленина, 5")
    desk.do("registerAppeal", {"appealId": appeal, "number": "ОГ-5", "at": _ago(4)})
    desk.do("extendAppealDeadline", {"appealId": appeal, "days": 10, "reason": "запрос в МУП"})
    moved = desk.receive()
    desk.do("forwardAppeal", {"appealId": moved, "toBody": "Область", "reason": "не наше"})
    fields = "registrationNumber location forwardedFrom forwardReason body extended extensionReason"

    shown = desk.query(f"query($id: ID!) {{ appeal(id: $id) {{ {fields} }} }}", {"id": appeal})
    gone = live.post(
        f"query($id: ID!) {{ appeal(id: $id) {{ {fields} }} }}",
        {"id": moved},
        token=live.token(Role.AUDITOR),
    ).json()["data"]

    assert shown["appeal"] == {
        "registrationNumber": "ОГ-5",
        "location": "ул. Ленина, 5",
        "forwardedFrom": None,
        "forwardReason": None,
        "body": desk.body,
        "extended": True,
        "extensionReason": "запрос в МУП",
    }
    assert gone["appeal"]["forwardedFrom"] == desk.body
    assert gone["appeal"]["body"] == "Область"
    assert gone["appeal"]["forwardReason"] == "не наше"


def test_the_viewer_says_who_the_token_is_and_what_it_may_do(live: LiveServer) -> None:
    desk = Desk(live)
    query = "{ viewer { subject role body department personalData permissions } }"

    operator = desk.query(query, token=desk.operator("Свет"))["viewer"]
    public = live.post(query).json()["data"]["viewer"]

    assert operator["subject"] == "test-operator"
    assert operator["role"] == "OPERATOR"
    assert (operator["body"], operator["department"]) == (desk.body, "Свет")
    assert operator["personalData"] is True
    assert "answerAppeal" in operator["permissions"]
    assert "addAppealNote" in operator["permissions"]
    assert "assignAppeal" not in operator["permissions"]
    assert public["role"] == "PUBLIC"
    assert public["permissions"] == ["statistics", "rankings"]


def test_lookup_lists_count_open_appeals_in_the_viewers_scope(live: LiveServer) -> None:
    desk = Desk(live)
    for department, category in (("Свет", "Освещение"), ("Свет", "Освещение"), ("Дороги", "Ямы")):
        appeal = desk.receive(category=category)
        desk.do("assignAppeal", {"appealId": appeal, "department": department, "assignee": "x"})
    closed = desk.receive(category="Ямы")
    desk.do("registerAppeal", {"appealId": closed, "number": "ОГ-1"})
    desk.do("closeAppeal", {"appealId": closed, "outcome": "REJECTED"})
    query = """query($b: String!) { lookups {
      bodies { value openCount } departments(body: $b) { value openCount }
      categories { value openCount } channels { value openCount } } }"""

    supervisor = desk.query(query, {"b": desk.body})["lookups"]
    operator = desk.query(query, {"b": desk.body}, token=desk.operator("Свет"))["lookups"]

    assert supervisor["bodies"] == [{"value": desk.body, "openCount": 3}]
    assert supervisor["departments"] == [
        {"value": "Дороги", "openCount": 1},
        {"value": "Свет", "openCount": 2},
    ]
    assert {"value": "Ямы", "openCount": 1} in supervisor["categories"]
    assert supervisor["channels"] == [{"value": "WEB", "openCount": 3}]
    assert operator["departments"] == [{"value": "Свет", "openCount": 2}]
    assert operator["categories"] == [{"value": "Освещение", "openCount": 2}]


def test_an_operator_token_without_a_department_lists_nothing(live: LiveServer) -> None:
    desk = Desk(live)
    desk.receive()
    token = live.token(Role.OPERATOR, body=desk.body)

    page = desk.query(PAGE, {"f": {"body": desk.body}}, token)["appeals"]
    lookups = desk.query("{ lookups { bodies { value } } }", token=token)["lookups"]

    assert (page["edges"], page["totalCount"]) == ([], 0)
    assert lookups["bodies"] == []
