"""The delivery worker's step: enqueue new public answers from the log, then deliver.

Run as one more duty beside the projections, under the same leadership (``api.runtime.duty``).
Every attempt is recorded in the appeal's history (``AnswerDelivered`` with the platform's
id, or ``DeliveryFailed`` with its error) before the outbox row moves on, and a row is
claimed before its platform call. So after a crash at any point:

- a row whose outcome is already in the history is closed without a call;
- a row claimed but not recorded is *in doubt*: VK is called again with the same
  idempotency key (it posts nothing new); Telegram and e-mail, which have none, are
  recorded as failed for good rather than risk a second post.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from uuid import UUID

from channels.directory import SourceDirectory
from channels.outbox import DELIVERED, FAILED, SENDING, Entry, Outbox
from channels.reply import DeliveryError, Platform, Reply
from ledger.application import AppealsLedger
from ledger.delivery import DeliveryOutcome
from ledger.domain import Appeal
from ledger.errors import ConflictError

log = logging.getLogger("appeals.delivery")
ANSWERED = "appeals:Appeal.Answered"
BATCH = 500
MAX_BACKOFF = 3600.0


class Deliverer:
    """Drains the outbox into the platforms, one claimed attempt at a time."""

    def __init__(
        self,
        ledger: AppealsLedger,
        outbox: Outbox,
        directory: SourceDirectory,
        platforms: Mapping[str, Platform],
        *,
        retry_seconds: float,
        attempts: int,
        lease_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ledger = ledger
        self.outbox = outbox
        self.directory = directory
        self.platforms = platforms
        self.retry_seconds = retry_seconds
        self.attempts = attempts
        self.lease_seconds = lease_seconds
        self.clock = clock

    def step(self) -> int:
        """Enqueue what the log added, then make the attempts that are due; returns how many."""
        self.catch_up()
        due = self.outbox.due(self._now_ms())
        for entry in due:
            self.attempt(entry)
        return len(due)

    def catch_up(self) -> None:
        """Add a row for every public answer to a channel's appeal recorded since last time."""
        recorder = self.ledger.recorder
        position = self.outbox.position()
        head = recorder.max_notification_id() or 0
        if head <= position:
            return
        found = recorder.select_notifications(position + 1, BATCH, stop=head, topics=[ANSWERED])
        # Commit order is id order on both stores, so nothing below ``head`` arrives later.
        reached = head if len(found) < BATCH else found[-1].id
        entries: dict[tuple[str, int], str] = {}
        for appeal_id in dict.fromkeys(n.originator_id for n in found):
            appeal = self.ledger.get_appeal(UUID(str(appeal_id)))
            if appeal.source is None:
                continue
            for index, answer in enumerate(appeal.answers):
                if answer.delivery == "delivering":
                    entries[(str(appeal.id), index)] = appeal.channel.value
        rows = [(appeal_id, index, channel) for (appeal_id, index), channel in entries.items()]
        self.outbox.enqueue(rows, reached, self._now_ms())

    def attempt(self, entry: Entry) -> None:
        """One attempt at one answer, recorded in its appeal's history."""
        appeal = self.ledger.get_appeal(UUID(entry.appeal_id))
        state = appeal.answers[entry.answer].delivery
        if state != "delivering":  # recorded before a crash, the row not yet closed
            self.outbox.finish(entry, DELIVERED if state == "delivered" else FAILED, entry.attempts)
            return
        platform = self.platforms[entry.channel]
        if entry.state == SENDING and not platform.idempotent:
            error = (
                f"in doubt: the worker stopped during attempt {entry.attempts}; not sent "
                "again, so as never to post twice"
            )
            outcome = DeliveryOutcome(entry.answer, entry.attempts, error=error, final=True)
            self._record(appeal.id, outcome)
            self.outbox.finish(entry, FAILED, entry.attempts)
            return
        attempt = entry.attempts + 1
        lease = self._now_ms() + int(self.lease_seconds * 1000)
        if not self.outbox.claim(entry, lease):
            return  # another worker took it a moment ago
        try:
            platform_id = platform.send(self._reply(appeal, entry.answer))
        except DeliveryError as failure:
            final = not failure.retry or attempt >= self.attempts
            self._record(
                appeal.id,
                DeliveryOutcome(entry.answer, attempt, error=failure.message, final=final),
            )
            if final:
                self.outbox.finish(entry, FAILED, attempt)
            else:
                wait = max(failure.after, self.retry_seconds * 2 ** (attempt - 1))
                self.outbox.retry_at(
                    entry, attempt, self._now_ms() + int(min(wait, MAX_BACKOFF) * 1000)
                )
            log.warning(
                "delivery of an answer to appeal %s failed (attempt %d%s): %s",
                appeal.id,
                attempt,
                ", final" if final else "",
                failure.message,
            )
            return
        self._record(appeal.id, DeliveryOutcome(entry.answer, attempt, platform_id=platform_id))
        self.outbox.finish(entry, DELIVERED, attempt)

    def _reply(self, appeal: Appeal, index: int) -> Reply:
        assert appeal.source is not None
        channel, _, platform_id = appeal.source.partition(":")
        source = self.directory.get(channel, platform_id)
        if source is None:
            raise DeliveryError(f"the source {appeal.source} is gone", retry=False)
        answer = appeal.answers[index]
        text = self.ledger.open_texts([(answer.text, answer.text_key)])[0]
        if text is None:
            raise DeliveryError("the answer was erased with the citizen's data", retry=False)
        citizen = self.ledger.open_citizen(appeal)
        return Reply(
            appeal.id, index, text, appeal.external_id, citizen.contact if citizen else None, source
        )

    def _record(self, appeal_id: UUID, outcome: DeliveryOutcome) -> None:
        # A staff command may land on the same appeal at the same moment: try again.
        for tries in range(5):
            try:
                self.ledger.record_delivery(appeal_id, outcome)
                return
            except ConflictError:
                if tries == 4:
                    raise

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)
