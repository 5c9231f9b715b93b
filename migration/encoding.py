"""An accepted appeal's new events encoded as stored rows, byte for byte as the mapper would.

``Mapper.to_stored_event`` builds a ``StoredEvent`` per event, looks its topic up and asks
for its class version each time; a batch of thousands of events of a dozen classes needs
each class's topic and version once. The state is encoded by the ledger's own transcoder, so
the bytes are the live path's (``tests/migration/test_import_encoding.py`` compares them
with the mapper's on the demo's histories). A mapper that compresses or encrypts is used as
it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper
from eventsourcing.utils import get_topic

Row = tuple[int, str, bytes]
"""version, topic, state: a stored event of a known appeal."""

_IDS = frozenset({"originator_id", "originator_version"})


class RowEncoder:
    """Encodes events of one mapper as ``Row`` values."""

    def __init__(self, mapper: Mapper[UUID]) -> None:
        self.mapper = mapper
        self._plain = mapper.compressor is None and mapper.cipher is None
        self._classes: dict[type, tuple[str, int]] = {}

    def rows(self, events: Iterable[Any]) -> list[Row]:
        """The events as (version, topic, state) rows, in their order."""
        if not self._plain:
            stored = map(self.mapper.to_stored_event, events)
            return [(s.originator_version, s.topic, s.state) for s in stored]
        encode, classes, rows = self.mapper.transcoder.encode, self._classes, []
        for event in events:
            found = classes.get(type(event))
            if found is None:
                cls = type(event)
                found = classes[cls] = (get_topic(cls), getattr(cls, "class_version", 1))
            topic, class_version = found
            state = vars(event)
            encoded = {key: value for key, value in state.items() if key not in _IDS}
            if class_version > 1:
                encoded["class_version"] = class_version
            rows.append((state["originator_version"], topic, encode(encoded)))
        return rows
