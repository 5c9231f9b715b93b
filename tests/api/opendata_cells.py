"""Reading open-data CSV cells back as the values GraphQL gives."""

from __future__ import annotations


def typed(name: str, value: str) -> object:
    """A CSV cell as GraphQL would give it: None, a bool, a label, an int or a float."""
    if value == "":
        return None
    if value in ("true", "false"):
        return value == "true"
    if name in ("period", "body", "department", "category", "channel", "source"):
        return value
    number = float(value)
    return (
        int(number)
        if name in ("received", "problems", "answered", "on_time", "closed", "overdue_now", "rated")
        else number
    )
