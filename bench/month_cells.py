"""Synthetic finest cells of one month, shaped like the demo or like a whole region.

The disclosure pattern reads only a month's finest cells (day, channel, category, body,
department, source, with their appeals and ratings), so its cost can be measured on cells
drawn here without loading appeals into a store.

- ``demo``: the demo's vocabulary (``demo.data``): 8 channels, 7 categories, 6 bodies with
  their departments, and a third of the social-network appeals through one of six official
  pages of three bodies (as ``tests.api.pages``).
- ``region``: a region's shape: 40 bodies of very unequal size (Zipf), 2 to 10 departments
  each, 25 categories, 8 channels, and every body with 1 to 3 official pages, through which
  half its social-network appeals come.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

from demo.data import BODIES, CHANNELS, TOPICS
from demo.generator import department_of
from projections.disclosure import Cells

Draw = Callable[[random.Random, str], tuple[str, str, str, str]]
SOCIAL = ("vk", "ok", "telegram")
DEMO_PAGES = {
    "vk:171000": BODIES[0],
    "vk:171001": BODIES[0],
    "telegram:gov0_bot": BODIES[0],
    "vk:171007": BODIES[1],
    "telegram:gov1_bot": BODIES[1],
    "vk:171014": BODIES[2],
}


def month_cells(appeals: int, seed: int = 1, shape: str = "demo", days: int = 30) -> Cells:
    """The finest cells of one month of ``appeals`` appeals, in ``pattern``'s form."""
    rng = random.Random(f"{shape}-{seed}")
    draw: Draw = _demo if shape == "demo" else _region(rng)
    appeals_in: Counter[tuple[str, ...]] = Counter()
    rated_in: Counter[tuple[str, ...]] = Counter()
    channels, weights = list(CHANNELS), list(CHANNELS.values())
    for _ in range(appeals):
        channel = rng.choices(channels, weights)[0]
        key = (str(1 + rng.randrange(days)), channel, *draw(rng, channel))
        appeals_in[key] += 1
        rated_in[key] += rng.random() < 0.3
    return tuple(sorted((key, n, rated_in[key]) for key, n in appeals_in.items()))


def _demo(rng: random.Random, channel: str) -> tuple[str, str, str, str]:
    category = rng.choice(list(TOPICS)) if rng.random() < 0.6 else ""
    pages = [page for page in DEMO_PAGES if page.startswith(f"{channel}:")]
    if pages and rng.random() < 1 / 3:
        source = rng.choice(pages)
        body = DEMO_PAGES[source]
    else:
        source, body = "", rng.choice(BODIES)
    return category, body, department_of(body, category or None), source


def _region(setup: random.Random) -> Draw:
    bodies = [f"body-{b}" for b in range(40)]
    sizes = [1 / (rank + 1) for rank in range(len(bodies))]
    departments = {b: [f"{b}/dept-{d}" for d in range(setup.randint(2, 10))] for b in bodies}
    pages = {
        b: [f"{setup.choice(SOCIAL)}:{b}-page-{p}" for p in range(setup.randint(1, 3))]
        for b in bodies
    }

    def draw(rng: random.Random, channel: str) -> tuple[str, str, str, str]:
        body = rng.choices(bodies, sizes)[0]
        category = f"category-{min(int(rng.expovariate(0.15)), 24)}"
        own = [p for p in pages[body] if p.startswith(f"{channel}:")]
        source = rng.choice(own) if own and rng.random() < 0.5 else ""
        return category, body, rng.choice(departments[body]), source

    return draw
