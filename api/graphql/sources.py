"""Admins manage sources over GraphQL; secrets go in and never come out."""

from __future__ import annotations

from dataclasses import replace

import strawberry

from api.graphql.access import Info, require_role
from api.graphql.context import off_loop
from api.graphql.errors import ApiError, from_ledger
from channels.directory import SourceDirectory
from channels.form import source_from
from channels.source import Source
from ledger.errors import LedgerError
from ledger.values import Role

ADMINS = frozenset({Role.ADMIN})


@strawberry.type(name="Source", description="An official page, bot or mailbox.")
class SourceInfo:
    id: str = strawberry.field(description="channel:platform id, as appeals name it.")
    channel: str
    platform_id: str
    body: str
    department: str | None
    category: str | None
    enabled: bool
    webhook_path: str = strawberry.field(description="Where the platform posts its messages.")
    has_secret: bool = strawberry.field(description="Whether a webhook secret is set.")
    has_confirmation: bool
    has_token: bool = strawberry.field(description="Whether answers can be posted back.")

    @classmethod
    def of(cls, source: Source) -> SourceInfo:
        """The public face of a source: whether secrets are set, never their values."""
        s = source.secrets
        return cls(
            id=source.key,
            channel=source.channel.value,
            platform_id=source.platform_id,
            body=source.body,
            department=source.department,
            category=source.category,
            enabled=source.enabled,
            webhook_path=f"/channels/{source.channel.value}/{source.platform_id}",
            has_secret=bool(s.secret),
            has_confirmation=bool(s.confirmation),
            has_token=bool(s.token),
        )


@strawberry.input(description="A source; secrets are write-only.")
class AddSourceInput:
    channel: str = strawberry.field(description="vk, telegram, max, ok or email.")
    platform_id: str = strawberry.field(
        description="VK community id, Telegram bot username or mailbox address."
    )
    body: str
    department: str | None = None
    category: str | None = None
    secret: str | None = None
    confirmation: str | None = None
    token: str | None = None


@strawberry.type
class SourceQuery:
    @strawberry.field(description="Every source (admins); secrets are never returned.")
    async def sources(self, info: Info) -> list[SourceInfo]:
        require_role(info, ADMINS)
        found = await off_loop(_directory(info).list)
        return [SourceInfo.of(source) for source in found]


@strawberry.type
class SourceMutation:
    @strawberry.mutation(description="Add a source, or replace the one with its channel and id.")
    async def add_source(self, info: Info, input: AddSourceInput) -> SourceInfo:
        require_role(info, ADMINS)
        try:
            source = source_from(input, input.token)
            await off_loop(_directory(info).add, source)
        except LedgerError as error:
            raise from_ledger(error) from None
        return SourceInfo.of(source)

    @strawberry.mutation(description="Stop taking messages from a source; its appeals stay.")
    async def disable_source(self, info: Info, id: str) -> SourceInfo:
        require_role(info, ADMINS)
        try:
            source = await off_loop(_directory(info).disable, id)
        except LedgerError as error:
            raise from_ledger(error) from None
        return SourceInfo.of(replace(source, enabled=False))


def _directory(info: Info) -> SourceDirectory:
    intake = info.context.services.channels
    if intake is None:
        raise ApiError("UNAVAILABLE", "the sources directory is not started")
    return intake.directory
