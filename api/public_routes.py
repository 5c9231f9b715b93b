"""Routes of the public outputs (open data, Open311), wired to the process's services."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from starlette.requests import Request
from starlette.routing import BaseRoute

from api.services import Services
from api.storage.unavailable import is_unavailable
from ledger.application import AppealsLedger
from opendata import routes as opendata_routes
from opendata.dashboard import routes as dashboard_routes
from opendata.open311 import routes as open311_routes
from opendata.open311.routes import Open311
from opendata.served import ServedPackage
from opendata.stored import PackageStore
from projections.published_query import PublishedQuery
from projections.read_models import ReadModels


def routes() -> list[BaseRoute]:
    """Every public route: the dashboard at ``/``, ``/opendata/`` and ``/open311/v2/``."""
    return [
        *dashboard_routes.routes(package_of, is_unavailable),
        *opendata_routes.routes(package_of, is_unavailable),
        *open311_routes.routes(open311_of),
    ]


def package_of(request: Request) -> ServedPackage:
    """The process's one view of the stored package (its cache is shared by every request).

    Read from the primary: the package is one row to check per request and its files are
    cached, and a standby lagging behind would serve a generation the primary has replaced.
    """
    state = request.app.state
    found: ServedPackage | None = getattr(state, "opendata", None)
    if found is None:
        services: Services = state.services
        found = state.opendata = ServedPackage(PackageStore(services.read_models.db))
    return found


def open311_of(request: Request) -> Open311:
    """Open311's view of the process's read models and ledger."""
    services: Services = request.app.state.services
    models = _views(services)
    ledger = services.container.ledger

    def notes_of(ids: Sequence[UUID]) -> dict[UUID, str | None]:
        return {appeal_id: public_notes(ledger, appeal_id) for appeal_id in ids}

    return Open311(PublishedQuery(models.db), models.clock, notes_of)


def _views(services: Services) -> ReadModels:
    # Open data is public and refreshed on a schedule: the standby serves it when there is one.
    return services.read_models if services.standby is None else services.standby.read_models


def public_notes(ledger: AppealsLedger, appeal_id: UUID) -> str | None:
    """The text of the appeal's latest public answer, or None (none left, or erased)."""
    appeal = ledger.get_appeal(appeal_id)
    public = [answer for answer in appeal.answers if answer.public]
    if not public:
        return None
    return ledger.open_texts([(public[-1].text, public[-1].text_key)])[0]
