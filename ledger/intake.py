"""What a received message carries into the ledger: the keywords of ``receive_appeal``.

``AppealsLedger.receive_appeal`` and ``new_appeal`` (which builds the unsaved appeal a batch
import saves with others) take these fields as keywords, declared once here.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Required, TypedDict

from ledger.privacy import Citizen
from ledger.values import Actor

__all__ = ["Intake", "check_intake"]


class Intake(TypedDict, total=False):
    """A received message: where it came from, its text, the body, and who and when."""

    channel: Required[str]
    external_id: Required[str]
    """The platform's own id of the message; with the channel it derives the appeal id."""
    text: Required[str]
    body: Required[str]
    citizen: Citizen | None
    citizen_ref: str | None
    """The citizen's pseudonymous id; default one derived from the appeal id."""
    category: str | None
    location: str | None
    actor: Actor
    """Who recorded it; default ``ledger.values.SYSTEM``."""
    at: datetime | None
    """The source platform's time of the message; default now."""
    time_reason: str | None
    """Why ``at`` is stated otherwise (a migration); recorded."""
    source: str | None
    department: str | None


_DECLARED = Intake.__optional_keys__ | Intake.__required_keys__


def check_intake(intake: Mapping[str, object]) -> None:
    """Refuse keywords ``Intake`` does not declare, or a required one missing, as Python
    refuses them for a declared signature: ``**intake`` alone would take any keyword."""
    unknown = intake.keys() - _DECLARED
    missing = Intake.__required_keys__ - intake.keys()
    if unknown or missing:
        wrong = f"unexpected keyword(s) {sorted(unknown)}" if unknown else ""
        absent = f"missing keyword(s) {sorted(missing)}" if missing else ""
        raise TypeError(f"intake: {'; '.join(filter(None, (wrong, absent)))}")
