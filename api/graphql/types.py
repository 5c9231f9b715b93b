"""GraphQL object types; ``Appeal`` is backed by a row of the appeals view."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graphql import enums
from api.graphql.context import Context, off_loop
from api.graphql.ids import APPEAL, to_global_id
from api.graphql.snapshot import AppealSnapshot
from ledger.application import AppealsLedger
from ledger.deadlines import DueDate
from ledger.domain import Note
from ledger.errors import LedgerError
from ledger.values import Channel, Outcome, Status
from projections.models import AppealRow

if TYPE_CHECKING:
    from api.graphql.history import HistoryEntryInfo
    from api.graphql.similar import SimilarAppeal

Info = strawberry.Info[Context, None]


@strawberry.interface(description="An object with a globally unique id (Relay).")
class Node:
    id: strawberry.ID


@strawberry.type(name="Actor", description="Who caused an event.")
class ActorInfo:
    id: str
    role: enums.Role


@strawberry.type(name="DueDate", description="A due date and the rule and event that set it.")
class DueDateInfo:
    kind: enums.DueKind
    due_at: datetime
    rule: str
    counted_from: str
    from_at: datetime
    explanation: str

    @classmethod
    def of(cls, due: DueDate) -> DueDateInfo:
        return cls(
            kind=due.kind,
            due_at=due.due_at,
            rule=due.rule,
            counted_from=due.counted_from,
            from_at=due.from_at,
            explanation=due.explain(),
        )


@strawberry.type(
    name="Citizen", description="The citizen's contact data; null fields when erased or masked."
)
class CitizenInfo:
    id: str | None
    name: str | None
    contact: str | None
    address: str | None
    erased: bool
    masked: bool


@strawberry.type(description="A citizen appeal: current state from the appeals view.")
class Appeal(Node):
    """Scalar fields are plain attributes copied from the row once: resolving them is a
    ``getattr``, not a resolver call per field (the hot path of every list and lookup)."""

    row: strawberry.Private[AppealRow]
    id: strawberry.ID = strawberry.field(description="Relay global id.")
    uuid: str = strawberry.field(description="The appeal's UUID, from (channel, external id).")
    channel: Channel
    external_id: str
    status: Status
    category: str | None
    body: str
    department: str | None
    assignee: str | None
    received_at: datetime
    registered_at: datetime | None
    first_response_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    overdue: bool = strawberry.field(description="Whether a due date has passed unmet (now).")
    extended: bool = strawberry.field(description="Whether the answer deadline was extended.")
    outcome: Outcome | None
    rating: int | None
    reopen_count: int
    version: int = strawberry.field(
        description="The aggregate version; pass it as expectedVersion."
    )
    position: int = strawberry.field(description="Log position of the appeal's latest event.")
    next_due_at: datetime | None = strawberry.field(description="The nearest unmet due date.")
    registration_number: str | None = strawberry.field(
        description="The number the body holding it registered it under."
    )
    location: str | None = strawberry.field(description="Where the problem is, as received.")
    forwarded_from: str | None = strawberry.field(
        description="The body that forwarded it last; `body` is the target."
    )
    forward_reason: str | None = strawberry.field(description="Why it was forwarded last.")
    extension_reason: str | None = strawberry.field(
        description="Why the answer deadline was extended (see `extended`)."
    )
    source: str | None = strawberry.field(
        description="The official page, bot or mailbox it came through (channel:platform id)."
    )

    @classmethod
    def of(cls, row: AppealRow) -> Appeal:
        """The GraphQL object for one row of the appeals view."""
        return cls(
            row=row,
            id=strawberry.ID(to_global_id(APPEAL, row.id)),
            uuid=str(row.id),
            channel=row.channel,
            external_id=row.external_id,
            status=row.status,
            category=row.category,
            body=row.body,
            department=row.department,
            assignee=row.assignee,
            received_at=row.received_at,
            registered_at=row.registered_at,
            first_response_at=row.first_response_at,
            answered_at=row.answered_at,
            closed_at=row.closed_at,
            overdue=row.overdue,
            extended=row.extended,
            outcome=row.outcome,
            rating=row.rating,
            reopen_count=row.reopen_count,
            version=row.version,
            position=row.last_position,
            next_due_at=row.next_due_at,
            registration_number=row.registration_number,
            location=row.location,
            forwarded_from=row.forwarded_from,
            forward_reason=row.forward_reason,
            extension_reason=row.extension_reason,
            source=row.source,
        )

    @strawberry.field
    async def duplicate_of(
        self, info: Info
    ) -> Annotated[Appeal, strawberry.lazy("api.graphql.types")] | None:
        if self.row.duplicate_of is None:
            return None
        row = await info.context.appeal_rows.load(self.row.duplicate_of)
        visible = row is not None and info.context.viewer.in_scope(row.body, row.department)
        return Appeal.of(row) if row is not None and visible else None

    @strawberry.field(
        description="Appeals closed as duplicates of this one (each one's duplicateOf is this "
        "appeal), oldest first; those outside the viewer's scope are left out."
    )
    async def duplicates(
        self, info: Info
    ) -> list[Annotated[Appeal, strawberry.lazy("api.graphql.types")]]:
        viewer = info.context.viewer
        rows = await info.context.duplicates.load(self.row.id)
        return [Appeal.of(row) for row in rows if viewer.in_scope(row.body, row.department)]

    @strawberry.field(description="Every due date that applies, each with its rule.")
    async def due_dates(self, info: Info) -> list[DueDateInfo]:
        ledger = info.context.services.container.ledger
        appeal = await info.context.aggregates.load(self.row.id)
        return [DueDateInfo.of(due) for due in appeal.due_dates(ledger.norms, ledger.calendar)]

    @strawberry.field(description="The citizen's message; null once erased (see textErased).")
    async def text(self, info: Info) -> str | None:
        return (await info.context.texts.load(self.row.id))[0]

    @strawberry.field(description="Whether the message was erased with the citizen's data.")
    async def text_erased(self, info: Info) -> bool:
        return (await info.context.texts.load(self.row.id))[0] is None

    @strawberry.field(description="Answers given so far, in order.")
    async def answers(self, info: Info) -> list[AnswerInfo]:
        appeal = await info.context.aggregates.load(self.row.id)
        texts = (await info.context.texts.load(self.row.id))[1:]
        return [
            AnswerInfo(
                text=text,
                text_erased=text is None,
                final=a.final,
                public=a.public,
                delivery=a.delivery,
            )
            for a, text in zip(appeal.answers, texts, strict=True)
        ]

    @strawberry.field(
        description="Likely duplicates: open or recent appeals of the same body with a close "
        "message, closest first, each with its score and reasons."
    )
    async def similar(
        self, info: Info, first: int = 5
    ) -> list[Annotated[SimilarAppeal, strawberry.lazy("api.graphql.similar")]]:
        from api.graphql.similar import similar

        return await similar(info, self.row, first)

    @strawberry.field(description="Internal notes, oldest first: staff only, never public.")
    async def notes(self, info: Info) -> list[NoteInfo]:
        ledger = info.context.services.container.ledger
        appeal = await info.context.aggregates.load(self.row.id)
        sealed = [(note.text, note.text_key) for note in appeal.notes]
        texts = await off_loop(ledger.open_texts, sealed) if sealed else []
        return [NoteInfo.of(note, text) for note, text in zip(appeal.notes, texts, strict=True)]

    @strawberry.field(description="Contact data; masked unless the viewer may see it.")
    async def citizen(self, info: Info) -> CitizenInfo | None:
        ledger = info.context.services.container.ledger
        appeal = await info.context.aggregates.load(self.row.id)
        if appeal.citizen_id is None:
            return None
        if not info.context.viewer.sees_personal_data():
            return CitizenInfo(
                id=appeal.citizen_id,
                name=None,
                contact=None,
                address=None,
                erased=appeal.erased,
                masked=True,
            )
        opened = await off_loop(ledger.open_citizen, appeal)
        return CitizenInfo(
            id=appeal.citizen_id,
            name=opened.name if opened else None,
            contact=opened.contact if opened else None,
            address=opened.address if opened else None,
            erased=opened is None,
            masked=False,
        )

    @strawberry.field(description="Every stored event, with positions and actors.")
    async def history(
        self, info: Info
    ) -> list[Annotated[HistoryEntryInfo, strawberry.lazy("api.graphql.history")]]:
        from api.graphql.history import history

        return await history(info, self.row.id)

    @strawberry.field(description="The appeal as the ledger knew it at `at` (recorded time).")
    async def as_of(self, info: Info, at: datetime) -> AppealSnapshot | None:
        ledger: AppealsLedger = info.context.services.container.ledger
        try:
            appeal = await off_loop(ledger.get_appeal_as_of, self.row.id, at)
        except LedgerError as error:
            if error.code == "NOT_FOUND":
                return None
            raise
        return AppealSnapshot.of(appeal)


@strawberry.type(name="Answer", description="An answer to the citizen.")
class AnswerInfo:
    text: str | None = strawberry.field(description="Null once erased (see textErased).")
    text_erased: bool = strawberry.field(
        description="Whether the answer was erased with the citizen's data."
    )
    final: bool
    public: bool
    delivery: str | None = strawberry.field(
        default=None,
        description="A public answer to a channel's appeal: delivering (waiting or retrying), "
        "delivered or failed (for good); null when nothing is sent back.",
    )


@strawberry.type(name="Note", description="An internal note on an appeal, for staff only.")
class NoteInfo:
    text: str | None = strawberry.field(description="Null once erased (see textErased).")
    text_erased: bool
    author: ActorInfo
    at: datetime

    @classmethod
    def of(cls, note: Note, text: str | None) -> NoteInfo:
        author = ActorInfo(id=note.actor_id, role=enums.Role(note.actor_role))
        return cls(text=text, text_erased=text is None, author=author, at=note.at)
