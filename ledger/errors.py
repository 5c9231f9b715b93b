"""Every rule violation in the ledger is a typed error carrying ids, not prose.

    LedgerError
    ├── ValidationError              a field's value is refused (field, reason)
    │   └── BackdatedError           a staff time too far before the ledger's own (field, …)
    ├── NotFoundError                no appeal with that id (appeal_id)
    │   └── CitizenNotFoundError     no key and no appeal of that citizen (citizen_id)
    ├── ConflictError                another change came first (appeal_id, expected, actual)
    ├── InvalidTransitionError       the action is not allowed in the current status
    │   └── ExtensionRefusedError    a deadline extension breaks the once/1–30 days/before-due rule
    └── NoCheckpointError            no signed checkpoint covers the event yet (appeal_id, version)

The attributes and ``context`` carry the ids and values; the message is one sentence for a
person, built from them, and safe to show to any client. The API maps each class to a
GraphQL ``extensions.code`` and ``context`` to typed, camelCase extensions.
"""

from __future__ import annotations

from typing import Any

# Why an action was refused beyond the status itself: the sentence that follows "because".
REASONS = {
    "no_answer": "it has not been answered yet",
    "already_erased": "its personal data is already erased",
    "not_registered": "it is not registered yet",
    "already_extended": "its deadline was already extended once",
    "deadline_passed": "its answer deadline has passed",
    "already_registered": "it is already registered",
    "forward_it_instead": "it was not forwarded: forward it to the competent body instead",
    "reopened": "it was reopened, and a reopened appeal gets a new answer period",
    "left_without_answer": "it was left without an answer under 59-ФЗ ст. 11",
    "notice_not_sent": "the notice 59-ФЗ ст. 11 owes the citizen was not sent yet",
    "already_decided": "it was already left without an answer",
    "no_notice_owed": "no notice under 59-ФЗ ст. 11 is owed for it",
}
# The commands' names as a sentence says them: "cannot <verb> appeal …".
ACTIONS = {
    "extend_deadline": "extend the deadline of",
    "erase_personal_data": "erase the personal data of",
    "leave_without_answer": "leave without answer",
    "send_notice": "send the notice of",
}


class LedgerError(Exception):
    """Base of every refused command or query."""

    code = "LEDGER_ERROR"

    def __init__(self, **context: Any) -> None:
        self.context = context
        super().__init__(self.sentence())

    def sentence(self) -> str:
        """The message: what was refused, in words a person reads."""
        return "the ledger refused the request"


class ValidationError(LedgerError):
    """A field's value is refused; ``field`` names it and ``reason`` says why."""

    code = "BAD_USER_INPUT"

    def __init__(self, *, field: str, reason: str, **context: Any) -> None:
        self.field = field
        self.reason = reason
        super().__init__(field=field, reason=reason, **context)

    def sentence(self) -> str:
        # ``reason`` is a predicate ("must not be empty"), so field + reason reads as one.
        return f"{self.field} {self.reason}"


class BackdatedError(ValidationError):
    """A staff command dated further before the ledger's time than the allowed clock skew."""

    code = "BACKDATED"

    def __init__(self, *, field: str, at: object, ledger_time: object, skew_seconds: float) -> None:
        super().__init__(
            field=field,
            reason=(
                f"{at} is more than {skew_seconds:g} s before the ledger's time {ledger_time}: "
                "staff actions count at the time the ledger records them"
            ),
            ledger_time=ledger_time,
            skew_seconds=skew_seconds,
        )


class NotFoundError(LedgerError):
    """No appeal exists with the given id."""

    code = "NOT_FOUND"

    def __init__(self, *, appeal_id: object) -> None:
        self.appeal_id = appeal_id
        super().__init__(appeal_id=appeal_id)

    def sentence(self) -> str:
        return f"there is no appeal {self.appeal_id}"


class CitizenNotFoundError(NotFoundError):
    """No appeal and no key of the given (pseudonymous) citizen id exist."""

    def __init__(self, *, citizen_id: str) -> None:
        self.citizen_id = citizen_id
        LedgerError.__init__(self, citizen_id=citizen_id)

    def sentence(self) -> str:
        return f"there is no citizen {self.citizen_id}"


class ConflictError(LedgerError):
    """Another change was recorded first; re-read the appeal and retry."""

    code = "CONFLICT"

    def __init__(
        self, *, appeal_id: object, expected_version: int | None, actual_version: int | None
    ) -> None:
        self.appeal_id = appeal_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(
            appeal_id=appeal_id,
            expected_version=expected_version,
            actual_version=actual_version,
        )

    def sentence(self) -> str:
        if self.expected_version is not None and self.actual_version is not None:
            return (
                f"appeal {self.appeal_id} was changed: you expected version "
                f"{self.expected_version}, it is at {self.actual_version}"
            )
        return f"appeal {self.appeal_id} was changed by another request first: read it again"


class InvalidTransitionError(LedgerError):
    """The action is not allowed while the appeal is in its current status."""

    code = "INVALID_TRANSITION"

    def __init__(self, *, appeal_id: object, status: str, action: str, **context: Any) -> None:
        self.appeal_id = appeal_id
        self.status = status
        self.action = action
        super().__init__(appeal_id=appeal_id, status=status, action=action, **context)

    def sentence(self) -> str:
        verb = ACTIONS.get(self.action, self.action.replace("_", " "))
        reason = self.context.get("reason")
        because = REASONS.get(str(reason), str(reason)) if reason else f"it is {self.status}"
        outcome = self.context.get("outcome")
        as_outcome = f" as {str(outcome).replace('_', ' ')}" if outcome else ""
        return f"cannot {verb} appeal {self.appeal_id}{as_outcome}: {because}"


class ExtensionRefusedError(InvalidTransitionError):
    """The answer deadline may be extended once, by 1–30 days, before it passes."""


class NoCheckpointError(LedgerError):
    """No signed checkpoint covers this event yet: its proof exists after the next one."""

    code = "NO_CHECKPOINT"

    def __init__(self, *, appeal_id: object, version: int) -> None:
        self.appeal_id = appeal_id
        self.version = version
        super().__init__(appeal_id=appeal_id, version=version)
