"""The GraphiQL page and the mount of its same-origin assets.

Government networks are often closed: a page that takes React and GraphiQL from a CDN stays
on "Loading..." there. ``make install`` copies pinned npm builds into ``static/vendor``; this
module serves them with our own page. When someone skipped that step, the page's own script
says so instead of waiting for scripts that will never come, and the API works regardless.
"""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

log = logging.getLogger("appeals.api")
STATIC_PATH = "/graphiql/static"
FOLDER = Path(__file__).parent
STATIC = FOLDER / "static"
VENDORED = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql.min.css",
    "explorer/index.umd.js",
    "explorer/style.css",
)
# Same-origin only. connect-src 'self' also covers ws:/wss: to this host (CSP Level 3),
# which subscriptions need; fonts are data: URIs inside graphiql.min.css. Scripts are all
# files; styles allow inline because GraphiQL's menus and dialogs inject <style> elements.
POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
HTML = (FOLDER / "page.html").read_text().replace("{static}", STATIC_PATH)


def assets() -> Mount:
    """The page's own script and style and the vendored builds, under ``STATIC_PATH``."""
    missing = [name for name in VENDORED if not (STATIC / "vendor" / name).is_file()]
    if missing:
        log.warning(
            "GraphiQL's vendored assets are missing (%s): run `make install`", ", ".join(missing)
        )
    return Mount(STATIC_PATH, StaticFiles(directory=STATIC), name="graphiql")


def page(request: Request) -> Response:
    """The GraphiQL page: same-origin scripts only, under a policy that says so."""
    return HTMLResponse(HTML, headers={"content-security-policy": POLICY})
