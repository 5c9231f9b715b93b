"""Realistic synthetic appeals for demos and benchmarks, deterministic for a seed.

The mix follows what regional governance centres report: most messages arrive through
social networks and the federal platform, most are answered within the norms, a few are
forwarded, extended, reopened, closed as duplicates, left without an answer under 59-ФЗ ст. 11
(with the notice owed) or left overdue.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from demo.clock import SYNTHETIC, Clock, PastTheEnd
from demo.clusters import clusters
from demo.data import (
    ANSWERS,
    APPEALS_OFFICE,
    BODIES,
    CHANNELS,
    DEPARTMENTS,
    NAMES,
    STREETS,
    TOPICS,
)
from demo.endings import answer, without_answer
from demo.surge import planted
from ledger.application import AppealsLedger
from ledger.domain import Appeal
from ledger.errors import ExtensionRefusedError
from ledger.privacy import Citizen
from ledger.values import FORMAL_CHANNELS, Actor, Outcome, Role

__all__ = ["SYNTHETIC", "DemoOptions", "department_of", "generate"]


@dataclass(frozen=True)
class DemoOptions:
    """How many appeals, over which window, from which seed."""

    appeals: int
    seed: int
    until: datetime
    days: int = 90
    surge: int = 0
    """Appeals planted as growing problems in the last days (``demo.surge``)."""
    clusters: int = 0
    """Problems planted as clusters of duplicate reports (``demo.clusters``)."""


def department_of(body: str, category: str | None) -> str:
    """The body's own department for a category (its appeals office for anything else)."""
    return DEPARTMENTS[body].get(category or "", APPEALS_OFFICE[body])


def generate(ledger: AppealsLedger, options: DemoOptions) -> Iterator[Appeal]:
    """Yield unsaved appeals with their whole synthetic lifecycle applied."""
    rng = random.Random(options.seed)
    channels, weights = list(CHANNELS), list(CHANNELS.values())
    made: list[Appeal] = []
    for number in range(options.appeals):
        appeal = _lifecycle(ledger, rng, number, rng.choices(channels, weights)[0], options, made)
        if len(made) < 1000:
            made.append(appeal)
        yield appeal
    yield from planted(ledger, options.seed, options.until, options.surge)
    yield from clusters(ledger, options.seed, options.until, options.clusters)


def _lifecycle(
    ledger: AppealsLedger,
    rng: random.Random,
    number: int,
    channel: str,
    options: DemoOptions,
    earlier: list[Appeal],
) -> Appeal:
    category = rng.choice(list(TOPICS))
    text = rng.choice(TOPICS[category]).format(
        n=rng.randint(1, 120), street=rng.choice(STREETS), route=rng.randint(1, 60)
    )
    start = options.until - timedelta(days=options.days)
    received = start + timedelta(seconds=rng.randrange(options.days * 86400))
    citizen = (
        None
        if rng.random() < 0.07
        else Citizen(name=rng.choice(NAMES), contact=f"+7 9{rng.randrange(10**9):09d}")
    )
    bot = Actor("intake-bot", Role.SYSTEM)
    appeal = ledger.new_appeal(
        channel=channel,
        external_id=f"demo-{options.seed}-{number}",
        text=text,
        body=rng.choice(BODIES),
        citizen=citizen,
        actor=bot,
        at=received,
        time_reason=SYNTHETIC,
        category=category if rng.random() < 0.6 else None,
    )
    operator = Actor(f"operator-{rng.randint(1, 40)}", Role.OPERATOR)
    clock = Clock(received, options.until)
    with suppress(PastTheEnd):  # the rest of this appeal's life has not happened yet: it stays open
        _work(appeal, rng, clock, operator, ledger, earlier)
    return appeal


def _work(
    appeal: Appeal,
    rng: random.Random,
    clock: Clock,
    operator: Actor,
    ledger: AppealsLedger,
    earlier: list[Appeal],
) -> None:
    formal = appeal.channel in FORMAL_CHANNELS

    def final_answer(text: str, days: float) -> None:
        # Public on social channels, where the citizen reads it; ``days`` after the last act.
        at = clock.after(days=days)
        answer(
            ledger,
            appeal,
            text=text,
            final=True,
            public=not formal,
            actor=operator,
            at=at,
            time_reason=SYNTHETIC,
        )

    if formal:
        appeal.register(
            number=f"ОГ-{appeal.id.hex[:8]}",
            actor=operator,
            at=clock.after(hours=rng.uniform(1, 90 if rng.random() < 0.05 else 60)),
            time_reason=SYNTHETIC,
        )
    if appeal.category is None:
        appeal.categorize(
            category=rng.choice(list(TOPICS)),
            actor=operator,
            at=clock.after(minutes=20),
            time_reason=SYNTHETIC,
        )
    if earlier and rng.random() < 0.02:
        appeal.close(
            outcome=Outcome.DUPLICATE,
            duplicate_of=rng.choice(earlier).id,
            actor=operator,
            at=clock.after(hours=2),
            time_reason=SYNTHETIC,
        )
        return
    if formal and rng.random() < 0.03:
        without_answer(appeal, rng, clock, operator)
        return
    if rng.random() < 0.07:
        others = [b for b in BODIES if b != appeal.body]
        appeal.forward(
            to_body=rng.choice(others),
            reason="Вопрос вне компетенции органа",
            actor=operator,
            at=clock.after(hours=rng.uniform(2, 100)),
            time_reason=SYNTHETIC,
        )
        if formal:
            # The receiving body registers it anew; its 30 days run from this (ст. 8 ч. 2).
            appeal.register(
                number=f"МО-{appeal.id.hex[:8]}",
                actor=operator,
                at=clock.after(hours=rng.uniform(1, 60)),
                time_reason=SYNTHETIC,
            )
    appeal.assign(
        # The department of the body the appeal is at now (after a forward, the new one).
        department=department_of(appeal.body, appeal.category),
        assignee=f"executor-{rng.randint(1, 120)}",
        actor=operator,
        at=clock.after(hours=rng.uniform(0.2, 6)),
        time_reason=SYNTHETIC,
    )
    if formal and rng.random() < 0.06:
        with suppress(ExtensionRefusedError):  # asked too late: the real world has those too
            appeal.extend_deadline(
                days=rng.randint(10, 30),
                reason="Требуется выездная проверка",
                actor=operator,
                at=clock.after(days=rng.uniform(5, 20)),
                time_reason=SYNTHETIC,
                norms=ledger.norms,
                calendar=ledger.calendar,
            )
    if not formal and rng.random() < 0.4:
        answer(
            ledger,
            appeal,
            text="Обращение принято в работу.",
            final=False,
            public=True,
            actor=operator,
            at=clock.after(hours=rng.uniform(0.5, 10)),
            time_reason=SYNTHETIC,
        )
    late = rng.random() < 0.1
    wait = rng.uniform(1, 40) if late else (rng.uniform(1, 25) if formal else rng.uniform(0.1, 3))
    final_answer(rng.choice(ANSWERS), wait)
    if rng.random() < 0.92:
        appeal.close(
            outcome=Outcome.RESOLVED if rng.random() < 0.6 else Outcome.EXPLAINED,
            duplicate_of=None,
            actor=operator,
            at=clock.after(hours=rng.uniform(1, 30)),
            time_reason=SYNTHETIC,
        )
        if rng.random() < 0.03:
            appeal.reopen(
                reason="Гражданин сообщил, что проблема не решена",
                actor=operator,
                at=clock.after(days=rng.uniform(1, 5)),
                time_reason=SYNTHETIC,
            )
            final_answer(rng.choice(ANSWERS), rng.uniform(1, 10))
    if rng.random() < 0.3:
        appeal.rate(
            score=rng.choices([1, 2, 3, 4, 5], [8, 7, 15, 30, 40])[0],
            actor=Actor("citizen", Role.PUBLIC),
            at=clock.after(days=rng.uniform(0.1, 3)),
            time_reason=SYNTHETIC,
        )
