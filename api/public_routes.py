"""Routes of the public outputs (open data), wired to the process's read models and settings."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import BaseRoute

from api.services import Services
from opendata import routes as opendata_routes
from opendata.figures import Figures
from opendata.publication import Publication


def routes() -> list[BaseRoute]:
    """Every public route: ``/opendata/``."""
    return opendata_routes.routes(publication_of)


def publication_of(request: Request) -> Publication:
    """The process's one ``Publication`` (its cache is shared by every request)."""
    state = request.app.state
    found: Publication | None = getattr(state, "opendata", None)
    if found is None:
        services: Services = state.services
        models = services.read_models
        figures = Figures(
            models.db,
            models.clock,
            services.settings.suppress_below,
            services.settings.ranking_min_n,
        )
        found = state.opendata = Publication(figures)
    return found
