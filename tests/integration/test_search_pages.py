"""Search pages in a list's own order: the walk over the list's first appeals agrees with the
page of every match, forwards and backwards, on both stores."""

from __future__ import annotations

import pytest

from projections import appeals_query
from projections.models import AppealFilter, AppealOrder
from projections.read_models import ReadModels
from tests.integration.demo_views import container_on, demo_views

ORDERS = (AppealOrder.RECEIVED_AT_DESC, AppealOrder.RECEIVED_AT_ASC, AppealOrder.DUE_AT_ASC)
# Most appeals name a street; about one in sixteen is about street lights; few about a
# therapist: pages the walk fills, pages it leaves to the search of every match, and both.
TEXTS = ("улица", "фонари не горят", "записаться к терапевту")


def _everything(models: ReadModels, filter: AppealFilter, order: AppealOrder) -> list[str]:
    page = models.list_appeals(filter, order, 100, count=False)
    assert not page.has_next
    return [str(row.id) for row in page.rows]


def _forwards(models: ReadModels, filter: AppealFilter, order: AppealOrder) -> list[str]:
    found: list[str] = []
    after = None
    while True:
        page = models.list_appeals(filter, order, 2, after, count=False)
        found += [str(row.id) for row in page.rows]
        if not page.has_next:
            return found
        after = page.end_cursor


def _backwards(models: ReadModels, filter: AppealFilter, order: AppealOrder) -> list[str]:
    found: list[str] = []
    before = None
    while True:
        page = models.list_appeals(filter, order, 0, count=False, last=2, before=before)
        found = [str(row.id) for row in page.rows] + found
        if not page.has_previous:
            return found
        before = page.cursors[0]


def test_search_pages_in_every_order_list_each_match_once_in_the_lists_order(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    container = container_on(store_url)
    models = demo_views(container, 80, seed=3).read_models
    # A walk of 7 appeals fills a page of 2 (and its one row more) only now and then.
    monkeypatch.setattr(appeals_query, "WALK", 7)

    for text in TEXTS:
        matching = set(_everything(models, AppealFilter(text=text), AppealOrder.RELEVANCE))
        for order in ORDERS:
            expected = [i for i in _everything(models, AppealFilter(), order) if i in matching]
            forwards = _forwards(models, AppealFilter(text=text), order)
            backwards = _backwards(models, AppealFilter(text=text), order)

            assert expected, (text, order)
            assert forwards == expected, (text, order)
            assert backwards == expected, (text, order)
    container.close()
