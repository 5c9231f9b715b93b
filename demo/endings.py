"""How a demo appeal ends: an answer sealed as the ledger seals it, or none under ст. 11."""

from __future__ import annotations

import random
from datetime import datetime

from demo.clock import SYNTHETIC, Clock
from ledger.application import AppealsLedger
from ledger.article11 import GROUNDS, NoAnswerGround
from ledger.domain import Appeal
from ledger.values import Actor, Outcome


def without_answer(appeal: Appeal, rng: random.Random, clock: Clock, operator: Actor) -> None:
    """59-ФЗ ст. 11: left without an answer, the notice owed sent (now and then late), closed."""
    if appeal.citizen_id is None:
        ground = NoAnswerGround.CRIME_REPORT if rng.random() < 0.2 else NoAnswerGround.ANONYMOUS
    else:
        ground = rng.choice([g for g in NoAnswerGround if not GROUNDS[g].anonymous_only])
    appeal.leave_without_answer(
        ground=ground,
        reason=f"59-ФЗ ст. 11: {ground.value}",
        to_body="ОМВД по району" if GROUNDS[ground].forwards else None,
        actor=operator,
        at=clock.after(days=rng.uniform(0.5, 4)),
        time_reason=SYNTHETIC,
    )
    if appeal.notice_pending():
        appeal.send_notice(
            reference=f"исх-{appeal.id.hex[:6]}",
            actor=operator,
            at=clock.after(days=rng.uniform(0.5, 9 if rng.random() < 0.15 else 3)),
            time_reason=SYNTHETIC,
        )
    appeal.close(
        outcome=Outcome.NO_ANSWER_REQUIRED,
        duplicate_of=None,
        actor=operator,
        at=clock.after(hours=rng.uniform(1, 30)),
        time_reason=SYNTHETIC,
    )


def answer(
    ledger: AppealsLedger,
    appeal: Appeal,
    *,
    text: str,
    final: bool,
    public: bool,
    actor: Actor,
    at: datetime,
    time_reason: str,
) -> None:
    """Answer as ``AppealsLedger.answer_appeal`` does: the text sealed under the appeal's key."""
    sealed, key = ledger.seal_answer(appeal, text)
    appeal.answer(
        text=sealed,
        text_key=key,
        final=final,
        public=public,
        actor=actor,
        at=at,
        time_reason=time_reason,
    )
