"""Turn stored rows into the domain's own event classes, fast.

The library's ``Mapper.to_domain_event`` decodes JSON through an ``object_hook`` that runs for
every dict. Our events are flat, so we parse with ``orjson`` (the standard decoder when orjson
refuses a document, e.g. a ``NaN`` or an integer beyond 64 bits) and convert only the top-level
``{"_type_": ..., "_data_": ...}`` values through the same transcoder. The result is identical:
the same classes, the same ``__dict__``, the same upcasting. When the mapper encrypts or
compresses, we fall back to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import resolve_topic

from ledger.domain import Appeal


@dataclass(frozen=True, slots=True)
class Row:
    """One stored event as read from the events table."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


_fromiso = datetime.fromisoformat


class Transcoder(Protocol):
    """The part of the library's JSON transcoder we reuse."""

    def _decode_obj(self, d: dict[str, Any]) -> Any: ...


class EventDecoder:
    """Decodes rows into ``Appeal`` events, sharing one parse between all views."""

    def __init__(self, mapper: Mapper[UUID]) -> None:
        self.mapper = mapper
        transcoder = mapper.transcoder
        self._fast = mapper.cipher is None and mapper.compressor is None
        self._hook: Callable[[dict[str, Any]], Any] | None = getattr(
            transcoder, "_decode_obj", None
        )
        if self._hook is None:
            self._fast = False
        self._slow_loads = json.JSONDecoder().decode
        self._classes: dict[str, type[Any]] = {}

    def decode(self, row: Row) -> Appeal.Event:
        """The domain event stored in ``row``."""
        if not self._fast:
            stored = StoredEvent(
                originator_id=row.originator_id,
                originator_version=row.originator_version,
                topic=row.topic,
                state=row.state,
            )
            event: Any = self.mapper.to_domain_event(stored)
            return cast("Appeal.Event", event)
        cls = self._classes.get(row.topic)
        if cls is None:
            cls = self._classes[row.topic] = resolve_topic(row.topic)
        try:
            state: dict[str, Any] = orjson.loads(row.state)
        except orjson.JSONDecodeError:
            state = self._slow_loads(bytes(row.state).decode())
        hook = self._hook
        assert hook is not None
        for key, value in state.items():
            if type(value) is dict:
                # Instants are by far the most common transcoded value: parse them directly.
                if value.get("_type_") == "datetime_iso" and len(value) == 2:
                    state[key] = _fromiso(value["_data_"])
                else:
                    state[key] = _deep(value, hook)
            elif type(value) is list:
                state[key] = _deep(value, hook)
        state["originator_id"] = row.originator_id
        state["originator_version"] = row.originator_version
        class_version = getattr(cls, "class_version", 1)
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        decoded: Appeal.Event = object.__new__(cls)
        object.__setattr__(decoded, "__dict__", state)
        return decoded


def _deep(value: Any, hook: Callable[[dict[str, Any]], Any]) -> Any:
    # Bottom-up, as json's object_hook would run it.
    if type(value) is dict:
        return hook({k: _deep(v, hook) for k, v in value.items()})
    if type(value) is list:
        return [_deep(v, hook) for v in value]
    return value
