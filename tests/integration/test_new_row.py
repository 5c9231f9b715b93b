"""A new appeal's row folded from the events its receipt recorded equals the view's row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.bootstrap import read_side
from api.container import Container
from ledger.privacy import Citizen

LONG_AGO = datetime.now(UTC) - timedelta(days=40)

INTAKES: list[dict[str, object]] = [
    {"channel": "vk", "external_id": "vk-1"},
    {"channel": "email", "external_id": "mail-1", "category": "ЖКХ", "location": "ул. Мира, 5"},
    {"channel": "letter", "external_id": "paper-1", "at": LONG_AGO},  # overdue by now
    {
        "channel": "telegram",
        "external_id": "tg-1",
        "citizen": Citizen(name="Иван", contact="@ivan"),
    },
    {"channel": "pos", "external_id": "pos-1", "at": datetime(2025, 12, 31, 20, 0, tzinfo=UTC)},
]


@pytest.mark.parametrize("intake", INTAKES, ids=[str(i["external_id"]) for i in INTAKES])
def test_the_folded_row_of_a_new_appeal_is_the_row_the_view_holds(
    container: Container, intake: dict[str, object]
) -> None:
    side = read_side(container)
    side.runner.setup()
    recorded = container.ledger.receive_appeal(
        text="Не вывозят мусор",
        body="Администрация",
        **intake,  # type: ignore[arg-type]
    )

    folded = side.new_row(recorded.events)
    side.runner.catch_up()
    stored = side.read_models.get_appeal(recorded.appeal_id)

    assert stored is not None
    assert folded == stored
