"""Every rule violation in the ledger is a typed error carrying ids, not prose.

    LedgerError
    ├── ValidationError              a field's value is refused (field, reason)
    ├── NotFoundError                no appeal with that id (appeal_id)
    │   └── CitizenNotFoundError     no key and no appeal of that citizen (citizen_id)
    ├── ConflictError                another change came first (appeal_id, expected, actual)
    └── InvalidTransitionError       the action is not allowed in the current status
        └── ExtensionRefusedError    a deadline extension breaks the once/1–30 days/before-due rule

The API maps each class to a GraphQL ``extensions.code``; the message is derived from
the keyword arguments so it is safe to show to any client.
"""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """Base of every refused command or query."""

    code = "LEDGER_ERROR"

    def __init__(self, **context: Any) -> None:
        self.context = context
        details = ", ".join(f"{key}={value}" for key, value in context.items())
        super().__init__(f"{type(self).__name__}({details})")


class ValidationError(LedgerError):
    """A field's value is refused; ``field`` names it and ``reason`` says why."""

    code = "BAD_USER_INPUT"

    def __init__(self, *, field: str, reason: str, **context: Any) -> None:
        self.field = field
        self.reason = reason
        super().__init__(field=field, reason=reason, **context)


class NotFoundError(LedgerError):
    """No appeal exists with the given id."""

    code = "NOT_FOUND"

    def __init__(self, *, appeal_id: object) -> None:
        self.appeal_id = appeal_id
        super().__init__(appeal_id=appeal_id)


class CitizenNotFoundError(NotFoundError):
    """No appeal and no key of the given (pseudonymous) citizen id exist."""

    def __init__(self, *, citizen_id: str) -> None:
        self.citizen_id = citizen_id
        LedgerError.__init__(self, citizen_id=citizen_id)


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


class InvalidTransitionError(LedgerError):
    """The action is not allowed while the appeal is in its current status."""

    code = "INVALID_TRANSITION"

    def __init__(self, *, appeal_id: object, status: str, action: str, **context: Any) -> None:
        self.appeal_id = appeal_id
        self.status = status
        self.action = action
        super().__init__(appeal_id=appeal_id, status=status, action=action, **context)


class ExtensionRefusedError(InvalidTransitionError):
    """The answer deadline may be extended once, by 1–30 days, before it passes."""
