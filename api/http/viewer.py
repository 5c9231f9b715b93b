"""Who is asking, and what their role lets them see and do."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.values import Actor, Role

# Least privilege: admins erase personal data and manage keys, they do no casework.
WRITERS = frozenset({Role.OPERATOR, Role.SUPERVISOR})
ROUTERS = frozenset({Role.SUPERVISOR})
READERS = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN})
ERASERS = frozenset({Role.ADMIN})
EVERYONE = frozenset(Role)

PERMISSIONS: dict[str, frozenset[Role]] = {
    "statistics": EVERYONE,
    "rankings": EVERYONE,
    "appeals": READERS,
    "receiveAppeal": WRITERS,
    "registerAppeal": WRITERS,
    "categorizeAppeal": WRITERS,
    "answerAppeal": WRITERS,
    "closeAppeal": WRITERS,
    "reopenAppeal": WRITERS,
    "rateAppeal": WRITERS,
    "addAppealNote": WRITERS,
    "assignAppeal": ROUTERS,
    "forwardAppeal": ROUTERS,
    "extendAppealDeadline": ROUTERS,
    "leaveAppealWithoutAnswer": ROUTERS,
    "sendAppealNotice": WRITERS,
    "eraseCitizenData": ERASERS,
    "sources": ERASERS,
    "addSource": ERASERS,
    "disableSource": ERASERS,
}
"""What each role may do, by operation (``appeals`` stands for every read of appeals)."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The authenticated subject (or the public) with its scope."""

    subject: str
    role: Role
    body: str | None = None
    department: str | None = None
    pii: bool = False
    token_error: str | None = None

    @property
    def actor(self) -> Actor:
        """The actor recorded on every event this viewer causes."""
        return Actor(self.subject, self.role)

    @property
    def is_public(self) -> bool:
        """Anonymous callers see anonymised statistics only."""
        return self.role is Role.PUBLIC

    def permissions(self) -> list[str]:
        """The operations this viewer's role allows (scope still applies to each appeal)."""
        return [name for name, roles in PERMISSIONS.items() if self.role in roles]

    def sees_personal_data(self) -> bool:
        """Operators and supervisors work with contacts; auditors and admins need a grant."""
        if self.role in (Role.OPERATOR, Role.SUPERVISOR):
            return True
        return self.role in (Role.AUDITOR, Role.ADMIN) and self.pii

    def in_scope(self, body: str, department: str | None) -> bool:
        """Whether an appeal of this body/department is this viewer's business."""
        if self.role in (Role.AUDITOR, Role.ADMIN):
            return True
        if self.role is Role.SUPERVISOR:
            return self.body is None or self.body == body
        if self.role is Role.OPERATOR:
            return (self.body is None or self.body == body) and (
                self.department is not None and self.department == department
            )
        return False


PUBLIC = Viewer(subject="public", role=Role.PUBLIC)
