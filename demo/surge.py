"""Planted growing problems: a burst of appeals about one problem in the demo's last week.

A street light line fails, a block loses hot water: many residents write about the same
thing within days, on different channels and in different words. ``hotspots`` should put
these groups first; the seed is the demo's, so the burst is the same on every run.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from demo.data import CHANNELS, NAMES, TOPICS
from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.privacy import Citizen
from ledger.values import Actor, Role

PLANTED = (
    ("освещение", "Администрация города", "Садовая"),
    ("ЖКХ", "Министерство ЖКХ области", "Заречная"),
)
"""(category, body, street) of each planted problem."""
DAYS = 6


def planted(ledger: AppealsLedger, seed: int, until: datetime, count: int) -> Iterator[Appeal]:
    """``count`` open appeals spread over the planted problems in the ``DAYS`` before ``until``."""
    rng = random.Random(f"surge-{seed}")
    channels, weights = list(CHANNELS), list(CHANNELS.values())
    bot = Actor("intake-bot", Role.SYSTEM)
    for number in range(count):
        category, body, street = PLANTED[number % len(PLANTED)]
        text = rng.choice(TOPICS[category]).format(
            n=rng.randint(1, 9), street=street, route=rng.randint(1, 60)
        )
        received = until - timedelta(seconds=rng.randrange(3600, DAYS * 86400))
        yield ledger.new_appeal(
            channel=rng.choices(channels, weights)[0],
            external_id=f"demo-{seed}-surge-{number}",
            text=text,
            body=body,
            citizen=Citizen(name=rng.choice(NAMES), contact=f"+7 9{rng.randrange(10**9):09d}"),
            actor=bot,
            at=received,
            category=category,
        )
