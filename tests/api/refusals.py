"""What every refusal must carry: a code, the request id, and nothing of the server's insides."""

from __future__ import annotations

from typing import Any

import httpx

LEAKS = (
    "Traceback",
    'File "',
    ".py",
    "/work/",
    "site-packages",
    "sqlite3",
    "psycopg",
    "SELECT ",
    "INSERT ",
)


def refusal(response: httpx.Response, status: int = 200) -> list[dict[str, Any]]:
    """The errors of a refused request, after checking what every refusal must carry."""
    assert response.status_code == status, response.text
    for leak in LEAKS:
        assert leak not in response.text, f"{leak!r} leaked: {response.text[:500]}"
    errors: list[dict[str, Any]] = response.json()["errors"]
    request_id = response.headers["x-request-id"]
    assert errors
    assert all(error["extensions"]["code"] for error in errors), errors
    assert {error["extensions"]["requestId"] for error in errors} == {request_id}
    return errors


def codes(errors: list[dict[str, Any]]) -> set[str]:
    return {error["extensions"]["code"] for error in errors}
