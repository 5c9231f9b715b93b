"""The JSON shape of each event type's ``fields``: names, JSON types, required or not.

Values are checked for their JSON type only; their content (length, control characters,
enumerations, ranges) is checked by the application's command methods, as for live ones.
"""

from __future__ import annotations

from typing import Any

from migration.record import EventType

# name -> (JSON type, required); ``object`` fields are checked by their own spec below.
Spec = dict[str, tuple[type, bool]]

SPECS: dict[EventType, Spec] = {
    EventType.RECEIVED: {
        "text": (str, True),
        "body": (str, True),
        "category": (str, False),
        "location": (str, False),
        "source": (str, False),
        "department": (str, False),
        "citizen": (dict, False),
        "citizen_id": (str, False),
    },
    EventType.REGISTERED: {"number": (str, True), "special_terms": (list, False)},
    EventType.CATEGORIZED: {"category": (str, True)},
    EventType.ASSIGNED: {"department": (str, True), "assignee": (str, True)},
    EventType.FORWARDED: {"to_body": (str, True), "reason": (str, True)},
    EventType.DEADLINE_EXTENDED: {"days": (int, True), "reason": (str, True)},
    EventType.ANSWERED: {"text": (str, True), "final": (bool, False), "public": (bool, False)},
    EventType.CLOSED: {"outcome": (str, True), "duplicate_of": (str, False)},
    EventType.REOPENED: {"reason": (str, True)},
    EventType.RATED: {"score": (int, True)},
    EventType.PERSONAL_DATA_ERASED: {"legal_basis": (str, True)},
    EventType.LEFT_WITHOUT_ANSWER: {
        "ground": (str, True),
        "reason": (str, True),
        "to_body": (str, False),
    },
    # ``ground`` is the ledger's to derive; a file may name it.
    EventType.NOTICE_SENT: {"reference": (str, True), "ground": (str, False)},
    EventType.NOTE_ADDED: {"text": (str, True)},
}
CITIZEN: Spec = {"name": (str, False), "contact": (str, False), "address": (str, False)}
JSON_NAMES = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
    dict: "an object",
    list: "an array",
}


class ShapeError(Exception):
    """A value of the wrong JSON type, a missing or an unknown field."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field} {reason}")


def check_fields(kind: EventType, fields: Any) -> dict[str, Any]:
    """``fields`` if it has the shape of ``kind``'s fields, else ``ShapeError``."""
    checked = check_object(fields, SPECS[kind], "fields", f"a field of a {kind} event")
    terms = checked.get("special_terms")
    if terms is not None and not all(type(term) is str for term in terms):
        raise ShapeError("fields.special_terms", "must be an array of strings")
    citizen = checked.get("citizen")
    if citizen is not None:
        check_object(citizen, CITIZEN, "fields.citizen", "a citizen field")
    return checked


def check_object(value: Any, spec: Spec, where: str, what: str) -> dict[str, Any]:
    """One JSON object against its spec; ``null`` counts as absent for optional names.

    Whether an object passes depends only on its names and the JSON types of their values,
    and the lines of a file have few such shapes: each shape that passed is remembered.
    """
    if type(value) is not dict:
        raise ShapeError(where, "must be an object")
    shape = (id(spec), tuple(value), tuple(map(type, value.values())))
    if shape in _PASSED:
        return value
    _check(value, spec, where, what)
    if len(_PASSED) >= 4096:
        _PASSED.clear()
    _PASSED.add(shape)
    return value


def _check(value: dict[str, Any], spec: Spec, where: str, what: str) -> None:
    compiled = _compiled(spec)
    kinds, required = compiled
    if not value.keys() <= kinds.keys():
        name = next(name for name in value if name not in kinds)
        raise ShapeError(f"{where}.{name}", f"is not {what}")
    for name, item in value.items():
        if item is None:
            if name in required:
                raise ShapeError(f"{where}.{name}", "is required")
        elif type(item) is not kinds[name]:
            # bool is an int in Python, not in JSON: a score of true is refused.
            raise ShapeError(f"{where}.{name}", f"must be {JSON_NAMES[kinds[name]]}")
    if not required <= value.keys():
        name = next(name for name in spec if name in required and name not in value)
        raise ShapeError(f"{where}.{name}", "is required")


_PASSED: set[tuple[int, tuple[str, ...], tuple[type, ...]]] = set()
_COMPILED: dict[int, tuple[dict[str, type], frozenset[str]]] = {}


def _compiled(spec: Spec) -> tuple[dict[str, type], frozenset[str]]:
    """Each spec's types by name and its required names, worked out once."""
    found = _COMPILED.get(id(spec))
    if found is None:
        kinds = {name: kind for name, (kind, _) in spec.items()}
        required = frozenset(name for name, (_, needed) in spec.items() if needed)
        found = _COMPILED[id(spec)] = (kinds, required)
    return found
