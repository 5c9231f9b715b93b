"""Wire the read side (views, runner, read models) to a built ``Container``."""

from __future__ import annotations

from typing import Any

from api.container import Container
from projections.assembly import ReadSide, build_read_side


def read_side(container: Container, *, batch_size: int = 10_000) -> ReadSide:
    """The read side on the container's datastore; call ``.runner.setup()`` once before use."""
    recorder: Any = container.ledger.recorder
    return build_read_side(
        recorder.datastore,
        container.events_table,
        container.ledger.mapper,
        container.ledger.norms,
        container.ledger.calendar,
        notify_channel=getattr(recorder, "channel_name", None),
        batch_size=batch_size,
        opener=container.ledger.open_texts,
    )
