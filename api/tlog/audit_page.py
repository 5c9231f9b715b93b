"""``/audit``: the public audit page, in Russian, and its one script.

The page shows the latest checkpoint with its witnesses, the verifier key and how to check
the log with tools that are not ours; its form checks an appeal's inclusion in the browser
(Web Crypto SHA-256, and Ed25519 for the checkpoint's signature where the browser has it).
"""

from __future__ import annotations

import html
from pathlib import Path
from uuid import UUID

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from api.graphql.context import off_loop
from api.services import Services
from api.tlog.cosigned import cosignature_store, latest_served
from api.tlog.inclusion import inclusion
from api.tlog.routes import published_verifier_key
from audit.service import AuditService

FOLDER = Path(__file__).parent
TEMPLATE = (FOLDER / "audit_page.html").read_text(encoding="utf-8")
POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


def routes() -> list[Route | Mount]:
    """The page, its static files and the inclusion endpoint it calls."""
    return [
        Route("/audit", page),
        Mount("/audit/static", StaticFiles(directory=FOLDER / "static"), name="audit"),
        Route("/ledger/inclusion/{appeal_id}", inclusion_json),
    ]


def render(audit: AuditService | None) -> str:
    """The page with the log's current checkpoint, key and witnesses filled in."""
    note = latest_served(audit) if audit else None
    vkey = published_verifier_key(audit) if audit else None
    standings = cosignature_store(audit).standings() if audit else []
    rows = "".join(
        f"<tr><td><code>{html.escape(s.witness)}</code></td><td>{s.cosigned_size}</td>"
        f"<td>{s.refusals}</td></tr>"
        for s in standings
    )
    witnesses = (
        f"<table><thead><tr><th>Свидетель</th><th>Заверил размер</th><th>Отказов</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
        if rows
        else "<p>Свидетели не подключены: контрольные точки подписаны только журналом.</p>"
    )
    values = {
        "{checkpoint}": html.escape(note or "Контрольных точек пока нет."),
        "{vkey}": html.escape(vkey or "Ключ ещё не создан."),
        "{witnesses}": witnesses,
    }
    text = TEMPLATE
    for key, value in values.items():
        text = text.replace(key, value)
    return text


async def page(request: Request) -> Response:
    """The audit page, same-origin script only."""
    services: Services = request.app.state.services
    text = await off_loop(render, services.audit)
    return HTMLResponse(text, headers={"content-security-policy": POLICY})


async def inclusion_json(request: Request) -> Response:
    """An appeal's leaves and proofs under the latest checkpoint; 404 when it has none."""
    services: Services = request.app.state.services
    try:
        appeal_id = UUID(request.path_params["appeal_id"])
    except ValueError:
        return PlainTextResponse("not an appeal id\n", status_code=400)
    found = await off_loop(inclusion, services.audit, appeal_id) if services.audit else None
    if found is None:
        return PlainTextResponse("not in a checkpoint yet\n", status_code=404)
    return JSONResponse(found)
