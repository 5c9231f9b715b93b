"""What every resolver receives: services, the viewer, loaders and the request id."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar
from uuid import UUID

from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from api.graphql.errors import ApiError
from api.http.viewer import Viewer
from api.runtime.basis import POSITION_HEADER, Reader, parse_position
from api.runtime.standby import client_key
from api.services import Services
from ledger.domain import Appeal
from projections.models import AppealRow
from projections.read_models import ReadModels

T = TypeVar("T")


async def off_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking eventsourcing/psycopg work in a worker thread, never on the loop.

    The loop's executor, not anyio's ``to_thread``: the read path is one short query, and
    anyio's cancel scopes and capacity limiter cost as much as the hop itself. The app's
    lifespan sizes that executor (see ``api.http.app``).
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(fn, *args, **kwargs))


async def primary_rows(services: Services, ids: Sequence[UUID]) -> dict[UUID, AppealRow]:
    """Rows of the primary's appeals view: on the loop where it can (PostgreSQL), else a thread."""
    if services.appeal_reads is not None:
        return await services.appeal_reads.get_appeals(ids)
    return await off_loop(services.read_side.read_models.appeals.get_appeals, ids)


async def appeal_rows_for(
    services: Services, ids: Sequence[UUID], reader: Reader
) -> dict[UUID, AppealRow]:
    """Rows for a query: the standby's where it may answer ``reader``, else the primary's once
    they show the reader's position (``Services.caught_up``)."""
    standby = services.standby
    if standby is not None and await standby.serves(reader):
        try:
            return await standby.appeal_reads.get_appeals(ids)
        except Exception as error:
            if not standby.failed(error):
                raise
    await services.caught_up(reader.basis)
    return await primary_rows(services, ids)


@dataclass
class Context:
    """Per-request (or per-WebSocket) context."""

    services: Services
    viewer: Viewer
    request_id: str
    request: Any = None
    response: Any = None
    connection_params: dict[str, object] | None = None
    """A WebSocket's ``connection_init`` payload, set by strawberry once it arrives."""
    reads: ReadModels | None = None
    """The views to list from, when the page cache chose them (and read their positions)."""
    cache_until: datetime | None = None
    """Set by ``appeals``: until when its answer holds (``api.graphql.page_cache``)."""

    @property
    def client(self) -> str | None:
        """Who reads, for read-your-writes on a standby; None without a request."""
        request = self.request
        if request is None:
            return None
        peer = request.client
        return client_key(request.headers.get("authorization"), peer.host if peer else None)

    @property
    def reader(self) -> Reader:
        """Who reads, and the log position its answer must show (``X-Appeals-Position``)."""
        header = self.request.headers.get(POSITION_HEADER) if self.request is not None else None
        basis = parse_position(header)
        if basis is None:
            raise ApiError(
                "BAD_USER_INPUT",
                "X-Appeals-Position must be a log position: a whole number, at least 0",
                header="X-Appeals-Position",
            )
        # Only a standby tells readers apart (``StandbyReads.serves``): without one, the
        # token's digest would be computed on every read for nothing.
        client = self.client if self.services.standby is not None else None
        return Reader(client, basis)

    def saw(self, position: int) -> None:
        """Tell the client its write's position (``X-Appeals-Position``), the largest of any
        mutation in the request; a WebSocket has no response headers (the payload has it)."""
        response = self.response
        if not isinstance(response, Response):
            return
        known = parse_position(response.headers.get(POSITION_HEADER)) or 0
        response.headers[POSITION_HEADER] = str(max(known, position))

    # The loaders are built on first use: most requests need one of them at most
    # (``appeal(id)`` the rows), and building all four with their closures on every
    # request cost about 8 µs of CPU for nothing.

    @property
    def _cache(self) -> bool:
        # A WebSocket's context lives as long as the connection: rows cached there would
        # answer later operations from a stale state (and a stale scope). Batch, never cache.
        return not isinstance(self.request, WebSocket)

    @cached_property
    def appeal_rows(self) -> DataLoader[UUID, AppealRow | None]:
        """Rows of the appeals view by id, from the views that may answer this reader."""
        services = self.services

        async def load(ids: list[UUID]) -> list[AppealRow | None]:
            found = await appeal_rows_for(services, list(dict.fromkeys(ids)), self.reader)
            return [found.get(appeal_id) for appeal_id in ids]

        return DataLoader(load_fn=load, cache=self._cache)

    @cached_property
    def duplicates(self) -> DataLoader[UUID, list[AppealRow]]:
        """The appeals closed as duplicates of an appeal (the other end of ``duplicate_of``)."""
        services = self.services

        async def load_duplicates(ids: list[UUID]) -> list[list[AppealRow]]:
            found = await services.read(self.reader, lambda models: models.duplicates_of(ids))
            return [found.get(appeal_id, []) for appeal_id in ids]

        return DataLoader(load_fn=load_duplicates, cache=self._cache)

    @cached_property
    def aggregates(self) -> DataLoader[UUID, Appeal]:
        """Appeals as the ledger holds them (from their events)."""
        ledger = self.services.container.ledger

        def read_aggregates(ids: list[UUID]) -> list[Appeal]:
            found = {appeal_id: ledger.get_appeal(appeal_id) for appeal_id in dict.fromkeys(ids)}
            return [found[appeal_id] for appeal_id in ids]

        async def load_aggregates(ids: list[UUID]) -> list[Appeal]:
            return await off_loop(read_aggregates, ids)

        return DataLoader(load_fn=load_aggregates, cache=self._cache)

    @cached_property
    def texts(self) -> DataLoader[UUID, list[str | None]]:
        """An appeal's message, then its answers, in clear (``None`` where erased)."""
        ledger = self.services.container.ledger

        async def load_texts(ids: list[UUID]) -> list[list[str | None]]:
            appeals = await self.aggregates.load_many(ids)
            sealed = [
                [(a.text, a.text_key), *((t.text, t.text_key) for t in a.answers)] for a in appeals
            ]
            # One call for the whole batch, so each key is looked up once.
            opened = iter(await off_loop(ledger.open_texts, [t for ts in sealed for t in ts]))
            return [[next(opened) for _ in texts] for texts in sealed]

        return DataLoader(load_fn=load_texts, cache=self._cache)
