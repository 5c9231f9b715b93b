"""What every resolver receives: services, the viewer, loaders and the request id."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
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
    appeal_rows: DataLoader[UUID, AppealRow | None] = field(init=False)
    aggregates: DataLoader[UUID, Appeal] = field(init=False)
    duplicates: DataLoader[UUID, list[AppealRow]] = field(init=False)
    """The appeals closed as duplicates of an appeal (the other end of ``duplicate_of``)."""
    texts: DataLoader[UUID, list[str | None]] = field(init=False)
    """An appeal's message, then its answers, in clear (``None`` where erased)."""

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
        return Reader(self.client, basis)

    def saw(self, position: int) -> None:
        """Tell the client its write's position (``X-Appeals-Position``), the largest of any
        mutation in the request; a WebSocket has no response headers (the payload has it)."""
        response = self.response
        if not isinstance(response, Response):
            return
        known = parse_position(response.headers.get(POSITION_HEADER)) or 0
        response.headers[POSITION_HEADER] = str(max(known, position))

    def __post_init__(self) -> None:
        services = self.services
        # A WebSocket's context lives as long as the connection: rows cached there would
        # answer later operations from a stale state (and a stale scope). Batch, never cache.
        cache = not isinstance(self.request, WebSocket)

        async def load(ids: list[UUID]) -> list[AppealRow | None]:
            found = await services.read_appeals(list(dict.fromkeys(ids)), self.reader)
            return [found.get(appeal_id) for appeal_id in ids]

        self.appeal_rows = DataLoader(load_fn=load, cache=cache)

        async def load_duplicates(ids: list[UUID]) -> list[list[AppealRow]]:
            found = await services.read(self.reader, lambda models: models.duplicates_of(ids))
            return [found.get(appeal_id, []) for appeal_id in ids]

        self.duplicates = DataLoader(load_fn=load_duplicates, cache=cache)
        ledger = self.services.container.ledger

        def read_aggregates(ids: list[UUID]) -> list[Appeal]:
            found = {appeal_id: ledger.get_appeal(appeal_id) for appeal_id in dict.fromkeys(ids)}
            return [found[appeal_id] for appeal_id in ids]

        async def load_aggregates(ids: list[UUID]) -> list[Appeal]:
            return await off_loop(read_aggregates, ids)

        self.aggregates = DataLoader(load_fn=load_aggregates, cache=cache)

        async def load_texts(ids: list[UUID]) -> list[list[str | None]]:
            appeals = await self.aggregates.load_many(ids)
            sealed = [
                [(a.text, a.text_key), *((t.text, t.text_key) for t in a.answers)] for a in appeals
            ]
            # One call for the whole batch, so each key is looked up once.
            opened = iter(await off_loop(ledger.open_texts, [t for ts in sealed for t in ts]))
            return [[next(opened) for _ in texts] for texts in sealed]

        self.texts = DataLoader(load_fn=load_texts, cache=cache)
