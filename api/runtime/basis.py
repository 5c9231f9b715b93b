"""Read-your-writes across processes: the client carries the log position it has seen.

A mutation's answer carries its write's log position in the ``X-Appeals-Position`` header
(and the payload's ``position``). A client that sends the largest position it has seen back
in the same header on a later request is answered, by whichever API process or host gets
it, only from views that show that position: the standby's once its replay reached it
(``api.runtime.standby``), else the primary's once its views did. Without the header a
process still knows the writes its own clients made (``StandbyReads.wrote``).
"""

from __future__ import annotations

from dataclasses import dataclass

from api.storage.unavailable import StoreUnavailableError

POSITION_HEADER = "x-appeals-position"
READ_YOUR_WRITES_TIMEOUT = 5.0
"""Seconds a write's payload, or a read carrying a position, waits for the primary's views."""
MAX_DIGITS = 19  # a position fits a signed 64-bit integer, as the log's column does


@dataclass(frozen=True)
class Reader:
    """Who reads (``api.runtime.standby.client_key``) and the least position it must see."""

    client: str | None
    basis: int = 0


def parse_position(value: str | None) -> int | None:
    """The position a header names: 0 when absent, None when it is not a whole number."""
    if value is None or value == "":
        return 0
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > MAX_DIGITS:
        return None
    return int(text)


class ViewsBehindError(StoreUnavailableError):
    """The primary's views did not reach a client's position in time: answered UNAVAILABLE."""

    def __init__(self, basis: int, waited: float) -> None:
        Exception.__init__(self, f"the views did not reach position {basis} within {waited:.1f} s")
        self.pool = "views"
        self.waited = waited
        self.basis = basis
