"""``/ledger/verifier-key`` and ``/ledger/tile/...``: the log in the C2SP open formats."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from api.graphql.context import off_loop
from api.services import Services
from api.tlog.tiles import TileNotFoundError, TileReader
from audit.keyfiles import PUBLIC_KEY, load_public_key
from audit.service import AuditService
from ledger.verify.tiles import TilePathError, parse_tile_path
from ledger.verify.vkey import verifier_key

IMMUTABLE = "public, max-age=31536000, immutable"
"""A full tile never changes: a year, and no revalidation."""
PARTIAL = "public, max-age=60"
"""A partial tile never changes either, but a log may drop it once the full one exists."""
OCTETS = "application/octet-stream"


def routes() -> list[Route]:
    """The routes to add to the app."""
    return [
        Route("/ledger/verifier-key", verifier_key_text),
        Route("/ledger/tile/{path:path}", tile),
    ]


def published_verifier_key(audit: AuditService) -> str | None:
    """The log's key in note form, ``<origin>+<key id>+<base64(0x01 ‖ key)>``, or None."""
    if not (audit.config.keys_dir / PUBLIC_KEY).exists():
        return None
    return verifier_key(audit.config.key_name, load_public_key(audit.config.keys_dir)).text()


async def verifier_key_text(request: Request) -> Response:
    """The verifier key as Go's ``note.NewVerifier`` and every C2SP tool read it."""
    services: Services = request.app.state.services
    text = await off_loop(published_verifier_key, services.audit) if services.audit else None
    if text is None:
        return PlainTextResponse("no checkpoint key yet\n", status_code=404)
    return PlainTextResponse(text + "\n", media_type="text/plain; charset=utf-8")


async def tile(request: Request) -> Response:
    """A Merkle tile or an entry bundle; 404 for a path no tile has or beyond the log."""
    services: Services = request.app.state.services
    if services.audit is None:
        return PlainTextResponse("no audit log here\n", status_code=404)
    try:
        wanted = parse_tile_path(request.path_params["path"])
        data = await off_loop(TileReader(services.audit.store).read, wanted)
    except (TilePathError, TileNotFoundError):
        return PlainTextResponse("no such tile\n", status_code=404)
    cache = IMMUTABLE if wanted.full else PARTIAL
    return Response(data, media_type=OCTETS, headers={"cache-control": cache})
