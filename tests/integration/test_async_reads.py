"""Appeal rows read on the event loop give what the threaded read models give."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from api.bootstrap import build, read_side
from api.container import Container
from api.runtime.asyncreads import AsyncAppealReads
from api.settings import Settings


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Container]:
    built = build(Settings.from_environ({"APPEALS_DATABASE_URL": postgres_url}))
    yield built
    built.close()


@pytest.mark.postgres
def test_rows_read_on_the_loop_equal_the_read_models_rows(pg: Container) -> None:
    side = read_side(pg)
    side.runner.setup()
    ids = [
        pg.ledger.receive_appeal(
            channel=channel, external_id=f"{channel}-{n}", text="Яма", body="Администрация"
        ).appeal_id
        for n in range(301)
        for channel in ("vk", "email")
    ]
    side.runner.catch_up()
    missing = uuid.uuid4()
    wanted = [*ids, missing, ids[0]]  # 602 ids: two statements; one unknown, one twice

    async def read() -> dict[uuid.UUID, object]:
        reads = AsyncAppealReads(pg.store.conninfo, side.read_models, size=2)
        await reads.open()
        try:
            return dict(await reads.get_appeals(wanted))
        finally:
            await reads.close()

    on_the_loop = asyncio.run(read())

    assert on_the_loop == side.read_models.get_appeals(wanted)
    assert len(on_the_loop) == 602
    assert missing not in on_the_loop
