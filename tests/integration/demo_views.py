"""A store the demo generator filled, with the read side's views caught up with it."""

from __future__ import annotations

from datetime import UTC, datetime

from api.bootstrap import build, read_side
from api.commands.demo import load_demo
from api.container import Container
from api.settings import Settings
from projections.assembly import ReadSide

UNTIL = datetime(2025, 6, 1, tzinfo=UTC)
"""The day the demo's appeals run up to."""


def container_on(url: str) -> Container:
    """A wired ledger on the store at ``url``."""
    return build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))


def demo_views(
    container: Container, appeals: int, seed: int, *, surge: int = 0, clusters: int = 0
) -> ReadSide:
    """Load ``appeals`` demo appeals up to ``UNTIL``; the read side, set up and caught up."""
    load_demo(container, appeals, seed, UNTIL, quiet=True, surge=surge, clusters=clusters)
    side = read_side(container)
    side.runner.setup()
    side.runner.catch_up()
    return side
