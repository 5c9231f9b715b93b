"""Turn stored rows into the domain's own event classes, fast.

The library's ``Mapper.to_domain_event`` decodes JSON through an ``object_hook`` that runs for
every dict. Our events are flat, so we parse with ``orjson`` (the standard decoder when orjson
refuses a document, e.g. a ``NaN``, or when a top-level value came out as a float, which may
be an integer beyond 64 bits that orjson reads as one) and convert only the top-level
``{"_type_": ..., "_data_": ...}`` values through the same transcoder. The result is identical:
the same classes, the same ``__dict__``, the same upcasting. When the mapper encrypts or
compresses, we fall back to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple, Protocol, cast
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import resolve_topic

from ledger.domain import Appeal


class Row(NamedTuple):
    """One stored event as read from the events table (a plain tuple in this order will do)."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


_fromiso = datetime.fromisoformat

RawRow = tuple[int, UUID, int, str, bytes]
"""A ``Row``'s values as a plain tuple, as a cursor returns them (a ``Row`` is one too)."""

Fields = tuple[type[Any], dict[str, Any]]
"""An event's class and its attributes by name."""


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
        self._versions: dict[str, tuple[type[Any], int]] = {}

    def fields(self, row: RawRow, wanted: Mapping[type[Any], tuple[str, ...]]) -> Fields:
        """The class of the event in ``row`` and its attributes, cheaper than ``decode``.

        Only the attributes ``wanted[cls]`` names are transcoded (e.g. an instant parsed);
        the others keep their stored JSON form. ``originator_id`` and ``originator_version``
        are not added: the row has them. Rows of an older class version take the full path,
        since upcasters expect transcoded values.
        """
        if not self._fast:
            event = self._library(Row(*row))
            return type(event), vars(event)
        known = self._versions.get(row[3])
        if known is None:
            cls = resolve_topic(row[3])
            known = self._versions[row[3]] = (cls, getattr(cls, "class_version", 1))
        cls, class_version = known
        state = self._loads(row[4])
        if state.get("class_version", 1) != class_version:
            self._transcode(state, list(state))
            _upcast(cls, state)
            return cls, state
        state.pop("class_version", None)
        self._transcode(state, wanted.get(cls, ()))
        return cls, state

    def _library(self, row: Row) -> Appeal.Event:
        stored = StoredEvent(
            originator_id=row.originator_id,
            originator_version=row.originator_version,
            topic=row.topic,
            state=row.state,
        )
        event: Any = self.mapper.to_domain_event(stored)
        return cast("Appeal.Event", event)

    def _loads(self, data: bytes) -> dict[str, Any]:
        try:
            state: dict[str, Any] = orjson.loads(data)
        except orjson.JSONDecodeError:
            return cast("dict[str, Any]", self._slow_loads(bytes(data).decode()))
        if any(type(value) is float for value in state.values()):
            # Perhaps an integer beyond 64 bits, which orjson reads as a float.
            return cast("dict[str, Any]", self._slow_loads(bytes(data).decode()))
        return state

    def _transcode(self, state: dict[str, Any], keys: Iterable[str]) -> None:
        # Only top-level values can be transcoded objects: our events are flat.
        hook = self._hook
        assert hook is not None
        for key in keys:
            value = state.get(key)
            if type(value) is dict:
                # Instants are by far the most common transcoded value: parse them directly.
                if value.get("_type_") == "datetime_iso" and len(value) == 2:
                    state[key] = _fromiso(value["_data_"])
                else:
                    state[key] = _deep(value, hook)
            elif type(value) is list:
                state[key] = _deep(value, hook)


def _upcast(cls: type[Any], state: dict[str, Any]) -> None:
    class_version = getattr(cls, "class_version", 1)
    from_version = state.pop("class_version", 1)
    while from_version < class_version:
        getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
        from_version += 1


def _deep(value: Any, hook: Callable[[dict[str, Any]], Any]) -> Any:
    # Bottom-up, as json's object_hook would run it.
    if type(value) is dict:
        return hook({k: _deep(v, hook) for k, v in value.items()})
    if type(value) is list:
        return [_deep(v, hook) for v in value]
    return value
