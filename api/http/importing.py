"""``POST /import``: an admin sends a JSON Lines or CSV file, the answer is the summary.

The body is streamed to a temporary file as it arrives (memory stays flat), then imported
off the event loop exactly as ``appeals import`` does. Options come as query parameters:
``format`` (``jsonl`` or ``csv``; default from the ``Content-Type``, ``text/csv`` meaning
CSV), ``dry_run``, ``actor`` and ``encoding``. The answer is the summary as JSON, with the
first refused lines under ``refusals``.
"""

from __future__ import annotations

import codecs
import tempfile
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.graphql.context import off_loop
from api.runtime.importing import FORMATS, ImportOptions, run_import
from api.services import Services
from ledger.values import Role
from migration.record import Refusal

SHOWN = 1000


async def import_file(request: Request) -> Response:
    """Admins only; bad options are ``BAD_USER_INPUT`` before anything is read."""
    services: Services = request.app.state.services
    viewer = await services.authenticate(request)
    if viewer.is_public or viewer.token_error:
        return _error(401, "UNAUTHENTICATED", "a valid admin token is required")
    if viewer.role is not Role.ADMIN:
        return _error(403, "FORBIDDEN", "only an admin may import")
    query = request.query_params
    kind = query.get("format") or (
        "csv" if request.headers.get("content-type", "").startswith("text/csv") else "jsonl"
    )
    if kind not in FORMATS:
        return _error(400, "BAD_USER_INPUT", f"format must be one of {'|'.join(FORMATS)}")
    dry_run = query.get("dry_run", "false").lower()
    if dry_run not in ("true", "false"):
        return _error(400, "BAD_USER_INPUT", "dry_run must be true or false")
    encoding = query.get("encoding")
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            return _error(400, "BAD_USER_INPUT", f"encoding {encoding!r} is not known")
    actor = (query.get("actor") or viewer.subject).strip()
    if not 1 <= len(actor) <= 200:
        return _error(400, "BAD_USER_INPUT", "actor must be 1-200 characters")
    options = ImportOptions(
        format=kind,
        actor=actor,
        dry_run=dry_run == "true",
        encoding=encoding,
        time_reason="migration:POST /import",
    )
    refusals: list[Refusal] = []

    def refused(refusal: Refusal) -> None:
        if len(refusals) < SHOWN:
            refusals.append(refusal)

    with tempfile.TemporaryFile(prefix="appeals-import-") as spool:
        async for chunk in request.stream():
            spool.write(chunk)
        spool.flush()
        spool.seek(0)

        def work() -> dict[str, Any]:
            with open(spool.fileno(), "rb", closefd=False) as stream:
                # The server's audit keeper (here or in the leading process) logs the events.
                summary = run_import(
                    services.container,
                    stream,
                    options,
                    refused=refused,
                    catch_up_audit=False,
                    directory=services.channels.directory if services.channels else None,
                )
                return summary.as_json()

        answer = await off_loop(work)
    answer["refusals"] = [
        {"line": r.line, "appeal": r.appeal, "field": r.field, "reason": r.reason} for r in refusals
    ]
    return JSONResponse(answer)


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status
    )
