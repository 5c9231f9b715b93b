"""The event-state transcoder: the library's JSON format, written and read with orjson.

Stored bytes keep the library's ``JSONTranscoder`` format, so events written by either can be
read by either: a registered type is an object ``{"_type_": name, "_data_": data}`` and
everything else is plain JSON. The library builds that with :mod:`json` and a hook called
for every object, which was a fifth of an append. orjson is ten times faster, but it writes
UUIDs natively, so they are wrapped before it runs (event states are flat, so the walk is
short). A UTC datetime (every business time and timestamp the ledger stores) is wrapped
with the datetime itself as its data, which orjson writes exactly as ``isoformat()`` does
(same digits, microseconds only when non-zero, ``+00:00``) at a quarter of the cost; other
datetimes and registered types go through the library's hook.

orjson and :mod:`json` differ on a few values: floats (``1e-07`` against ``1e-7``, NaN),
integers beyond 64 bits, keys that are not strings, and subclasses of the built-in types.
Event states hold none of them today; an object that does is encoded, or decoded, by the
library's own code, so the bytes are always the library's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Transcoding

_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS
_PLAIN = frozenset({str, bool, type(None)})


class _Unusual(Exception):
    """A value orjson would not write exactly as the library does."""


class FastJSONTranscoder(JSONTranscoder):
    """``JSONTranscoder``'s format and registered transcodings, encoded with orjson."""

    def __init__(self) -> None:
        super().__init__()
        self._utc_name: str | None = None
        """The name UTC datetimes are wrapped under, while the library's ISO transcoding
        is the one registered for datetimes."""

    def register(self, transcoding: Transcoding) -> None:
        """Registers the transcoding (as the library does)."""
        super().register(transcoding)
        iso = self.types.get(datetime)
        self._utc_name = iso.name if type(iso) is DatetimeAsISO else None

    def encode(self, obj: Any) -> bytes:
        """The object as compact UTF-8 JSON, registered types wrapped."""
        try:
            return orjson.dumps(self._wrap(obj), default=self._default, option=_OPTIONS)
        except _Unusual:
            return super().encode(obj)
        except orjson.JSONEncodeError as error:
            # orjson wraps what ``default`` raised; callers expect the library's error.
            if isinstance(error.__cause__, _Unusual):
                return super().encode(obj)
            raise (error.__cause__ or error) from None

    def decode(self, data: bytes) -> Any:
        """The object the bytes encode, registered types restored."""
        try:
            return self._unwrap(orjson.loads(data))
        except (_Unusual, orjson.JSONDecodeError):  # e.g. a NaN, which orjson refuses
            return super().decode(data)

    def _wrap(self, obj: Any) -> Any:
        kind = type(obj)
        if kind in _PLAIN:
            return obj
        if kind is datetime:
            if obj.tzinfo is UTC and self._utc_name is not None:
                return {"_type_": self._utc_name, "_data_": obj}
            return self._default(obj)
        if kind is int:
            if not -(2**63) <= obj < 2**64:
                raise _Unusual
            return obj
        if kind is dict:
            wrapped = {}
            utc = self._utc_name
            for key, value in obj.items():
                if type(key) is not str:
                    raise _Unusual
                of = type(value)
                if of in _PLAIN:
                    wrapped[key] = value
                elif of is datetime and value.tzinfo is UTC and utc is not None:
                    wrapped[key] = {"_type_": utc, "_data_": value}  # an event's times
                else:
                    wrapped[key] = self._wrap(value)
            return wrapped
        if kind is list or kind is tuple:
            return [value if type(value) in _PLAIN else self._wrap(value) for value in obj]
        if kind is UUID:
            return self._encode_obj(obj)
        if kind in self.types:
            return obj  # orjson hands it to ``_default``
        raise _Unusual

    def _default(self, obj: Any) -> Any:
        wrapped = self._encode_obj(obj)
        if type(wrapped["_data_"]) not in _PLAIN:
            raise _Unusual
        return wrapped

    def _unwrap(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is float:
            raise _Unusual  # perhaps an integer beyond 64 bits, which orjson reads as a float
        if kind is dict:
            restored = {k: v if type(v) in _PLAIN else self._unwrap(v) for k, v in obj.items()}
            return self._decode_obj(restored)
        if kind is list:
            return [v if type(v) in _PLAIN else self._unwrap(v) for v in obj]
        return obj
