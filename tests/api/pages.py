"""Appeals through official pages (sources) for the public-output tests.

The demo's appeals name no source: a demo page would be no source in the directory, and the
delivery worker would then record a failed delivery for every public answer. These appeals
are only received (never answered), over a window of days, through a few pages of three
bodies, so the source dimension has real groups of every size.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from api.bootstrap import build
from api.settings import Settings
from tests.api.command_line import demo
from tests.api.inprocess import REPLAY_CLOCK_SKEW

PAGES = {
    "vk:171000": "Администрация города",
    "vk:171001": "Администрация города",
    "telegram:gov0_bot": "Администрация города",
    "vk:171007": "Министерство ЖКХ области",
    "telegram:gov1_bot": "Министерство ЖКХ области",
    "vk:171014": "Министерство транспорта области",
}
CATEGORIES = ("дороги", "ЖКХ", "освещение", None)


def receive_through_pages(database_url: str, seed: int, end: datetime, count: int) -> int:
    """Receive ``count`` appeals in the 90 days before ``end``; returns ``count``."""
    rng = random.Random(f"pages-{seed}")
    container = build(
        Settings.from_environ(
            {"APPEALS_DATABASE_URL": database_url, "APPEALS_CLOCK_SKEW": REPLAY_CLOCK_SKEW}
        )
    )
    try:
        sources = list(PAGES)
        for n in range(count):
            # Uneven: the first pages get most appeals, the last few.
            source = sources[min(int(rng.expovariate(0.6)), len(sources) - 1)]
            container.ledger.receive_appeal(
                channel=source.partition(":")[0],
                external_id=f"page-{seed}-{n}",
                text="Обращение через официальную страницу",
                body=PAGES[source],
                category=rng.choice(CATEGORIES),
                at=end.astimezone(UTC) - timedelta(seconds=rng.randrange(3600, 90 * 86400)),
                source=source,
            )
    finally:
        container.close()
    return count


def end_of(day: str) -> datetime:
    """The end of a local day named by the demo's ``--until``."""
    return datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(hours=20)


def load_months(database_url: str, seeds: dict[int, str], count: int, paged: int) -> None:
    """Per seed, ``count`` demo appeals up to its day and ``paged`` through pages before it ends."""
    for seed, until in seeds.items():
        loaded = demo(database_url, count=count, seed=seed, until=until)
        assert loaded.returncode == 0, loaded.stderr
        receive_through_pages(database_url, seed, end_of(until), paged)
