"""Full-text search over HTTP on both stores: Russian word forms, scope, ranking, erasure."""

from __future__ import annotations

from typing import Any

from ledger.values import Role
from tests.api.conftest import LiveServer
from tests.api.desk import Desk
from tests.waiting import until

SEARCH = """query($f: AppealFilterInput, $o: AppealOrder, $first: Int, $after: String) {
  appeals(filter: $f, orderBy: $o, first: $first, after: $after) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"""
CORPUS = {
    "lamps": "Не горят фонари на улице Ленина, фонарей нет уже неделю, фонарь у дома 5 разбит",
    "lamp": "Во дворе дома 7 погас фонарь",
    "yard": "Просим покрасить скамейки во дворе",
    "pit": "Большая яма на дороге у школы",
    "road": "Ямы на дорогах после зимы, дорога разбита",
}


def _search(desk: Desk, text: str, token: str | None = None, **more: Any) -> list[str]:
    order = more.pop("order", "RELEVANCE")
    data = desk.query(
        SEARCH, {"f": {"body": desk.body, "text": text, **more}, "o": order, "first": 50}, token
    )
    return [edge["node"]["id"] for edge in data["appeals"]["edges"]]


def _corpus(desk: Desk) -> dict[str, str]:
    return {name: desk.receive(text) for name, text in CORPUS.items()}


def test_a_search_finds_russian_word_forms_best_match_first(live: LiveServer) -> None:
    desk = Desk(live)
    ids = _corpus(desk)
    name = {appeal_id: key for key, appeal_id in ids.items()}

    lamps = [name[i] for i in _search(desk, "фонарь")]
    pits = [name[i] for i in _search(desk, "ямы на дороге")]
    yards = [name[i] for i in _search(desk, "двор")]

    assert lamps == ["lamps", "lamp"]
    assert sorted(pits) == ["pit", "road"]
    assert pits[0] == "road"  # «дорога» three times, «яма» once more: the sharper match
    assert sorted(yards) == ["lamp", "yard"]


def test_a_search_covers_public_answers_and_notes_but_not_private_answers(
    live: LiveServer,
) -> None:
    desk = Desk(live)
    appeal_id = desk.receive("Прошу разобраться")
    desk.do(
        "answerAppeal",
        {
            "appealId": appeal_id,
            "text": "Подрядчик заменит светильники",
            "final": False,
            "public": True,
        },
    )
    desk.do(
        "answerAppeal",
        {
            "appealId": appeal_id,
            "text": "Ваш телефон передан мастеру",
            "final": False,
            "public": False,
        },
    )
    desk.do("addAppealNote", {"appealId": appeal_id, "text": "Мастер Кузнецов обещал к пятнице"})

    assert _search(desk, "светильник") == [appeal_id]
    assert _search(desk, "пятница мастера") == [appeal_id]
    assert _search(desk, "телефон") == []


def test_a_search_combines_with_filters_and_the_operators_scope(live: LiveServer) -> None:
    desk = Desk(live)
    ids = _corpus(desk)
    desk.do("assignAppeal", {"appealId": ids["lamp"], "department": "Свет", "assignee": "a"})
    desk.do("assignAppeal", {"appealId": ids["lamps"], "department": "Дороги", "assignee": "b"})
    operator = desk.operator("Свет")

    assert _search(desk, "фонари", operator) == [ids["lamp"]]
    assert _search(desk, "фонари", statuses=["ASSIGNED"], department="Дороги") == [ids["lamps"]]
    assert _search(desk, "фонари", order="RECEIVED_AT_ASC") == [ids["lamps"], ids["lamp"]]
    assert _search(desk, "фонари", assignee="nobody") == []


def test_relevance_pages_are_stable(live: LiveServer) -> None:
    desk = Desk(live)
    for n in range(5):
        desk.receive("Фонарь " * (n + 1) + "на улице")
    whole = _search(desk, "фонарь")

    seen: list[str] = []
    after = None
    while True:
        page = desk.query(
            SEARCH,
            {
                "f": {"body": desk.body, "text": "фонарь"},
                "o": "RELEVANCE",
                "first": 2,
                "after": after,
            },
        )["appeals"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert len(whole) == 5
    assert seen == whole
    assert page["totalCount"] == 5


def test_erased_personal_data_is_never_found_again(live: LiveServer) -> None:
    desk = Desk(live)
    citizen = f"c-{desk.body}"
    appeal_id = desk.do(
        "receiveAppeal",
        {
            "channel": "WEB",
            "externalId": citizen,
            "body": desk.body,
            "text": "Меня зовут Зинаида Шпаковская, протекает крыша",
            "citizen": {"name": "Зинаида", "contact": "z@example.org", "id": citizen},
        },
    )
    desk.do("addAppealNote", {"appealId": appeal_id, "text": "Шпаковская звонила дважды"})
    anonymous = desk.receive("Шпаковская улица: протекает крыша", citizen=False)
    assert set(_search(desk, "Шпаковская")) == {appeal_id, anonymous}

    live.post(
        "mutation($i: EraseCitizenDataInput!) { eraseCitizenData(input: $i) { citizenId } }",
        {"i": {"citizenId": citizen, "legalBasis": "152-ФЗ ст. 21"}},
        token=live.token(Role.ADMIN),
    )

    until(lambda: _search(desk, "Шпаковская") == [anonymous])
    assert _search(desk, "крыша") == [anonymous]


def test_a_text_with_no_words_is_bad_user_input(live: LiveServer) -> None:
    desk = Desk(live)

    answer = live.post(SEARCH, {"f": {"text": " и на "}}, token=desk.token).json()
    relevance = live.post(SEARCH, {"o": "RELEVANCE"}, token=desk.token).json()

    assert answer["errors"][0]["extensions"]["field"] == "filter.text"
    assert relevance["errors"][0]["extensions"]["field"] == "orderBy"


def test_similar_puts_a_repeated_report_first_with_its_reasons(live: LiveServer) -> None:
    desk = Desk(live)
    first = desk.receive(
        "Не горит фонарь у дома 214 на Садовой", category="Свет", location="ул. Садовая, 214"
    )
    twin = desk.receive(
        "Возле дома 214 по Садовой темно, фонарь не работает",
        category="Свет",
        location="ул. Садовая, 214",
        channel="VK",
    )
    desk.receive("Яма на дороге у школы", category="Дороги")
    desk.receive("Не горит свет в подъезде дома 9", category="Свет")
    query = """query($id: ID!) { appeal(id: $id) { similar(first: 5) {
      appeal { id } score sharedWords sameCategory sameLocation reason } } }"""

    found = desk.query(query, {"id": first})["appeal"]["similar"]

    assert found[0]["appeal"]["id"] == twin
    assert {"фонарь", "214", "садовой"} <= set(found[0]["sharedWords"])
    assert found[0]["sameCategory"] and found[0]["sameLocation"]
    assert found[0]["reason"].startswith("shared words: ")
    assert all(f["score"] <= found[0]["score"] for f in found)
