"""Every expected failure becomes a GraphQL error with ``extensions.code``; the rest is masked.

Codes: BAD_USER_INPUT (names the field), NOT_FOUND, NO_CHECKPOINT, CONFLICT, INVALID_TRANSITION,
UNAUTHENTICATED, FORBIDDEN, GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
QUERY_TOO_COMPLEX, UNAVAILABLE when the store is away (retry after ``retryAfter`` seconds;
HTTP 503 with ``Retry-After``), and INTERNAL_SERVER_ERROR for anything unexpected, whose
message only carries the request id that is also logged on the server. Requests refused at the HTTP level
carry BAD_REQUEST, NOT_FOUND or METHOD_NOT_ALLOWED (and PAYLOAD_TOO_LARGE from the middleware).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from enum import Enum
from typing import Any

from graphql import GraphQLError

from api.storage.unavailable import RETRY_AFTER, is_unavailable
from ledger.errors import LedgerError, ValidationError

log = logging.getLogger("appeals.api")
# graphql-core's wording for a variable whose value cannot be coerced to its declared type.
# The path names a nested input field: "Variable '$i' has invalid value at .receivedAt: …".
INVALID_VARIABLE = re.compile(r"Variable '\$(\w+)' has invalid value(?: at )?((?:\.\w+|\[\d+\])*)")
# The parser's own limits (tokens, nesting): the document may be valid, but it is too big.
PARSER_LIMIT = "Parsing aborted."
HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
UNAVAILABLE = "UNAVAILABLE"


class ApiError(GraphQLError):
    """An expected failure raised by a resolver, with its code and safe context."""

    def __init__(self, code: str, message: str, **context: Any) -> None:
        super().__init__(message, extensions={"code": code, **context})


class InputRefusal(GraphQLError):
    """A scalar refused a value; the message is the predicate, the field is named later.

    A scalar does not know which field its value was given for: the validation rule (for
    literals) or ``format_error`` (for variables) adds the field's name to the sentence.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason, extensions={"code": "BAD_USER_INPUT"})


def bad_input(field: str, reason: str) -> ApiError:
    """Refuse an argument, naming it; ``reason`` is a predicate such as "must be 1-100"."""
    return ApiError("BAD_USER_INPUT", f"{field} {reason}", field=field)


def from_ledger(error: LedgerError) -> ApiError:
    """Translate a ledger rule violation; the context carries ids, never personal data."""
    context = {_camel(key): _json(value) for key, value in error.context.items()}
    if isinstance(error, ValidationError):
        del context["reason"]  # prose, already in the message; ``field`` is the context
    return ApiError(error.code, str(error), **context)


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _json(value: object) -> object:
    """A context value as JSON keeps it: numbers and null stay themselves, ids become text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)  # UUIDs and other ids


def _variable_field(message: str) -> str | None:
    """The innermost field a variable error names: ``i.receivedAt`` → ``receivedAt``."""
    match = INVALID_VARIABLE.match(message)
    if match is None:
        return None
    names = re.findall(r"[A-Za-z_]\w*", match.group(2))
    return names[-1] if names else match.group(1)


def _refused_variable(error: GraphQLError, refusal: InputRefusal) -> GraphQLError:
    """A variable's value refused by a scalar, as BAD_USER_INPUT naming the field."""
    field = _variable_field(error.message) or "input"
    return GraphQLError(
        f"{field} {refusal.message}",
        error.nodes,
        extensions={"code": "BAD_USER_INPUT", "field": field},
    )


def format_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
    """The client's view of one error: coded, or masked with the request id."""
    original, located = error.original_error, error
    if isinstance(original, InputRefusal):
        error, original = _refused_variable(error, original), None
        located = error
    elif isinstance(original, GraphQLError) and (original.extensions or {}).get("code"):
        error = original
    elif isinstance(original, LedgerError):
        error = from_ledger(original)
    code = (error.extensions or {}).get("code")
    if original is not None and is_unavailable(original):
        log.warning("store unavailable request_id=%s: %s", request_id, original)
        return {
            "message": f"The store is unavailable; retry in {RETRY_AFTER} s",
            "locations": _locations(error),
            "path": error.path,
            "extensions": {"code": UNAVAILABLE, "retryAfter": RETRY_AFTER, "requestId": request_id},
        }
    if original is not None and not isinstance(original, GraphQLError | LedgerError):
        log.error("unexpected error request_id=%s", request_id, exc_info=original)
        return {
            "message": f"Internal server error (request id {request_id})",
            "locations": _locations(error),
            "path": error.path,
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        }
    extensions = dict(error.extensions or {})
    if code is None:
        code = _classify(error.message, extensions)
    formatted = error.formatted
    # A resolver's own error carries no position: graphql-core put it on the wrapper.
    for key, value in (("locations", _locations(located)), ("path", located.path)):
        if value is not None and key not in formatted:
            formatted[key] = value  # type: ignore[literal-required]
    formatted["extensions"] = {**extensions, "code": code, "requestId": request_id}
    return dict(formatted)


def _classify(message: str, extensions: dict[str, Any]) -> str:
    """The code of an uncoded error that graphql-core raised before execution."""
    if message.endswith(PARSER_LIMIT):
        return "QUERY_TOO_COMPLEX"
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    field = _variable_field(message)
    if field is not None:
        extensions["field"] = field
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


def refusal(status: int, reason: str, request_id: str) -> dict[str, Any]:
    """The body of a request refused before any GraphQL work, by its HTTP status."""
    code = HTTP_CODES.get(status, "BAD_REQUEST")
    return {"errors": [{"message": reason, "extensions": {"code": code, "requestId": request_id}}]}


def _locations(error: GraphQLError) -> list[dict[str, int]] | None:
    if not error.locations:
        return None
    return [{"line": loc.line, "column": loc.column} for loc in error.locations]
