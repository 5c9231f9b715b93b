"""The open-data package's builder, wired for the duty (and for ``appeals opendata publish``)."""

from __future__ import annotations

from collections.abc import Callable

from api.container import Container
from opendata.figures import Figures
from opendata.publication import Publication
from opendata.publisher import Publisher
from opendata.stored import PackageStore
from projections.assembly import ReadSide


def publication(container: Container, side: ReadSide) -> Publication:
    """The package's builder over the primary's views, with the public's suppression."""
    settings = container.settings
    models = side.read_models
    figures = Figures(
        models.db,
        models.clock,
        settings.suppress_below,
        settings.ranking_min_n,
        container.ledger.calendar.local_date,
    )
    return Publication(figures)


def publisher(container: Container, side: ReadSide, on_built: Callable[[float], None]) -> Publisher:
    """The duty's publisher thread object (not started), saving into the store."""
    return Publisher(
        publication(container, side),
        PackageStore(side.db),
        refresh=container.settings.opendata_refresh,
        on_built=on_built,
    )
