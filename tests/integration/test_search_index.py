"""The search view on real stores: the same results on both, rebuilds, erasure, late adoption."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.bootstrap import read_side
from ledger.commands import AddAppealNote
from ledger.privacy import Citizen
from ledger.values import Actor, Role
from projections.models import AppealFilter, AppealOrder
from projections.read_models import ReadModels
from tests.integration.demo_views import container_on, demo_views

QUERIES = (
    "фонарь",
    "ямы на дорогах",
    "горячей воды нет",
    "крыша протекает",
    "автобус",
    "детская площадка",
    "записаться к терапевту",
    "снег на тротуарах",
    "аварийные деревья",
)
STAFF = Actor("operator-1", Role.SUPERVISOR)


@pytest.fixture
def demo_pair(sqlite_url: str, postgres_url: str) -> Iterator[list[ReadModels]]:
    """The same 600 demo appeals on SQLite and on PostgreSQL, views caught up."""
    containers = [container_on(url) for url in (sqlite_url, postgres_url)]
    yield [demo_views(container, 600, seed=11).read_models for container in containers]
    for container in containers:
        container.close()


def _found(models: ReadModels, text: str, order: AppealOrder, first: int = 100) -> list[str]:
    page = models.list_appeals(AppealFilter(text=text), order, first)
    return [str(row.id) for row in page.rows]


@pytest.mark.postgres
def test_both_stores_find_the_same_appeals_and_the_same_top_five(
    demo_pair: list[ReadModels],
) -> None:
    sqlite, postgres = demo_pair
    for query in QUERIES:
        on_sqlite = _found(sqlite, query, AppealOrder.RECEIVED_AT_DESC)
        on_postgres = _found(postgres, query, AppealOrder.RECEIVED_AT_DESC)
        top_sqlite = _found(sqlite, query, AppealOrder.RELEVANCE, 5)
        top_postgres = _found(postgres, query, AppealOrder.RELEVANCE, 5)

        assert on_sqlite, query
        assert on_sqlite == on_postgres, query
        assert top_sqlite == top_postgres, query


def test_a_rebuild_indexes_what_was_indexed_live_and_never_erased_data(store_url: str) -> None:
    container = container_on(store_url)
    ledger = container.ledger
    side = read_side(container)
    side.runner.setup()
    kept, gone = (
        ledger.receive_appeal(
            channel="web",
            external_id=name,
            body="Администрация",
            text=text,
            citizen=Citizen(name=citizen),
            citizen_ref=f"c-{name}",
        ).appeal_id
        for name, text, citizen in (
            ("kept", "Сломан светофор на перекрёстке", "Пётр"),
            ("gone", "Светофор не работает, звоните Ольге", "Ольга"),
        )
    )
    ledger.execute(AddAppealNote(appeal_id=gone, text="Ольга просит светофор", actor=STAFF))
    side.runner.catch_up()
    assert len(_found(side.read_models, "светофоры", AppealOrder.RELEVANCE)) == 2

    ledger.erase_citizen_data("c-gone", [gone], legal_basis="152-ФЗ", actor=STAFF)
    ledger.answer_appeal(gone, text="Светофор починили", public=True, actor=STAFF)
    side.runner.catch_up()
    live = {q: _found(side.read_models, q, AppealOrder.RELEVANCE) for q in ("светофор", "Ольга")}
    side.runner.rebuild(["search"])
    rebuilt = {q: _found(side.read_models, q, AppealOrder.RELEVANCE) for q in live}

    assert sorted(live["светофор"]) == sorted([str(gone), str(kept)])
    assert live["Ольга"] == []
    assert rebuilt == live
    assert set(side.read_models.positions().values()) == {side.read_models.head()}
    container.close()


def test_a_store_made_before_the_search_view_gets_its_index_from_the_log(store_url: str) -> None:
    container = container_on(store_url)
    side = demo_views(container, 200, seed=4)
    expected = _found(side.read_models, "фонари", AppealOrder.RECEIVED_AT_DESC)
    with side.db.transaction() as cursor:
        for table in ("appeal_search", "appeal_fts"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute("DELETE FROM projection_tracking WHERE name = 'search'")

    fresh = read_side(container)
    fresh.runner.setup()
    while fresh.runner.step():
        pass
    for _ in range(10):  # the search view, alone, catches up with the others, batch by batch
        if len(set(fresh.read_models.positions().values())) == 1:
            break
        fresh.runner.step()

    assert expected
    assert _found(fresh.read_models, "фонари", AppealOrder.RECEIVED_AT_DESC) == expected
    assert len(set(fresh.read_models.positions().values())) == 1
    container.close()
