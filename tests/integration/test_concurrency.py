"""Optimistic concurrency: two writers racing on one version, on both stores."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from api.bootstrap import build
from api.settings import Settings
from ledger.application import Recorded
from ledger.errors import ConflictError
from ledger.values import Actor, Role

OPERATOR = Actor("op-1", Role.OPERATOR)


@pytest.mark.parametrize("attempt", range(5))
def test_two_writers_on_one_version_give_exactly_one_conflict(store_url: str, attempt: int) -> None:
    settings = Settings.from_environ({"APPEALS_DATABASE_URL": store_url})
    first, second = build(settings), build(settings)
    appeal_id = first.ledger.receive_appeal(
        channel="vk", external_id=f"race-{attempt}", text="Не убран снег", body="Администрация"
    ).appeal_id
    seen = first.ledger.get_appeal(appeal_id).version
    barrier = threading.Barrier(2)
    outcomes: list[Recorded | ConflictError] = []

    def writer(assign: Callable[..., Recorded], who: str) -> None:
        barrier.wait()
        try:
            outcomes.append(
                assign(
                    appeal_id, department="ЖКХ", assignee=who, actor=OPERATOR, expected_version=seen
                )
            )
        except ConflictError as conflict:
            outcomes.append(conflict)

    threads = [
        threading.Thread(target=writer, args=(first.ledger.assign_appeal, "a")),
        threading.Thread(target=writer, args=(second.ledger.assign_appeal, "b")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    conflicts = [o for o in outcomes if isinstance(o, ConflictError)]
    wins = [o for o in outcomes if isinstance(o, Recorded)]
    assert len(conflicts) == 1
    assert len(wins) == 1
    assert conflicts[0].appeal_id == appeal_id
    final = first.ledger.get_appeal(appeal_id)
    assert final.version == seen + 1
    # The loser retries on the version it now sees, and nothing is lost.
    retried = second.ledger.assign_appeal(
        appeal_id,
        department="ЖКХ",
        assignee="retry",
        actor=OPERATOR,
        expected_version=final.version,
    )
    assert retried.version == seen + 2
    first.close()
    second.close()
