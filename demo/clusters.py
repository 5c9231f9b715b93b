"""Planted duplicates: several citizens write about one problem, in their own words.

Each cluster is one problem at one address (a dead street light, a pothole, no hot water,
broken swings, rubbish not collected) that two to four residents report within two days on
different channels, each in a wording of their own. ``Appeal.similar`` should find the rest
of a cluster for each of its appeals. Deterministic for the demo's seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from demo.data import BODIES, CHANNELS, NAMES, STREETS
from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.privacy import Citizen
from ledger.values import Actor, Role

PROBLEMS: dict[str, list[str]] = {
    "освещение": [
        "Не горит фонарь у дома {n} на улице {street}.",
        "Возле дома {n} по улице {street} уже неделю темно: фонарь не работает.",
        "Перегорел уличный фонарь у дома {n}, улица {street}, просим заменить лампу.",
        "Фонарь напротив дома {n} ({street}) вечером не включается.",
    ],
    "дороги": [
        "Глубокая яма на проезжей части у дома {n} по улице {street}.",
        "У дома {n} на улице {street} провал асфальта, машины объезжают по встречке.",
        "Прошу заделать яму возле дома {n}, улица {street}, уже пробил колесо.",
        "На улице {street} около дома {n} разбита дорога, яма огромная.",
    ],
    "ЖКХ": [
        "В доме {n} на улице {street} нет горячей воды.",
        "Третий день без горячей воды, дом {n}, улица {street}.",
        "Отключили горячую воду в доме {n} по улице {street} без предупреждения.",
        "Дом {n} ({street}): горячая вода не идёт уже несколько дней.",
    ],
    "благоустройство": [
        "Сломаны качели во дворе дома {n} на улице {street}.",
        "Детская площадка у дома {n} по улице {street}: качели сломаны, дети могут пораниться.",
        "Прошу починить качели на площадке возле дома {n}, улица {street}.",
    ],
}
FIRST_HOUSE = 201
"""Clustered problems are at houses the rest of the demo never names (it uses 1-120), so a
cluster is one address, as a real repeated report is."""


def clusters(ledger: AppealsLedger, seed: int, until: datetime, count: int) -> Iterator[Appeal]:
    """The appeals of ``count`` clusters of 2-4 reports each, in the window's last 60 days."""
    rng = random.Random(f"clusters-{seed}")
    channels, weights = list(CHANNELS), list(CHANNELS.values())
    bot = Actor("intake-bot", Role.SYSTEM)
    for cluster in range(count):
        category = rng.choice(list(PROBLEMS))
        street, house = rng.choice(STREETS), FIRST_HOUSE + cluster
        body = rng.choice(BODIES)
        first = until - timedelta(seconds=rng.randrange(3 * 86400, 60 * 86400))
        wordings = rng.sample(PROBLEMS[category], k=min(rng.randint(2, 4), len(PROBLEMS[category])))
        for number, wording in enumerate(wordings):
            yield ledger.new_appeal(
                channel=rng.choices(channels, weights)[0],
                external_id=f"demo-{seed}-cluster-{cluster}-{number}",
                text=wording.format(n=house, street=street),
                body=body,
                citizen=Citizen(name=rng.choice(NAMES), contact=f"+7 9{rng.randrange(10**9):09d}"),
                actor=bot,
                at=first + timedelta(seconds=rng.randrange(2 * 86400)),
                category=category,
                location=f"ул. {street}, {house}",
            )
