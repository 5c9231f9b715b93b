"""GraphQL enums are the domain's own value types, registered with strawberry in place."""

from __future__ import annotations

import strawberry

from ledger import values
from ledger.article11 import NoAnswerGround
from ledger.business_time import TimeBasis
from ledger.deadlines import DueKind
from ledger.special_terms import SpecialTerm
from projections import models

# strawberry.enum decorates the class in place, so the domain types serve as GraphQL types.
strawberry.enum(values.Channel, description="Where an appeal came from.")
strawberry.enum(values.Status, description="Where an appeal stands.")
strawberry.enum(values.Outcome, description="How an appeal was closed.")
strawberry.enum(values.Role, description="The role an actor acted in.")
strawberry.enum(DueKind, description="Which legal clock a due date belongs to.")
strawberry.enum(NoAnswerGround, description="Why an appeal gets no answer (59-ФЗ ст. 11).")
strawberry.enum(SpecialTerm, description="A special term of 59-ФЗ for some appeals.")
strawberry.enum(TimeBasis, description="What an event's business time rests on.")
strawberry.enum(models.AppealOrder, description="Stable list orders.")
strawberry.enum(models.Dimension, description="Statistics dimensions.")
strawberry.enum(models.Period, description="Statistics periods.")

Channel = values.Channel
Status = values.Status
Outcome = values.Outcome
Role = values.Role
AppealOrder = models.AppealOrder
Dimension = models.Dimension
Period = models.Period
__all__ = [
    "AppealOrder",
    "Channel",
    "Dimension",
    "DueKind",
    "NoAnswerGround",
    "Outcome",
    "Period",
    "Role",
    "SpecialTerm",
    "Status",
    "TimeBasis",
]
