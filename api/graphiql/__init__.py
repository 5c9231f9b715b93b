"""GraphiQL served from the application itself: a page and its assets, no CDN."""

from __future__ import annotations

from api.graphiql.page import STATIC_PATH, assets, page

__all__ = ["STATIC_PATH", "assets", "page"]
