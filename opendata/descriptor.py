"""``datapackage.json``: the package's metadata, licence, coverage and a Table Schema per resource."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from opendata.figures import month_end
from opendata.resources import Resource

FORMAT_VERSION = "1.0.0"
"""The version of the dataset's format (columns and their meaning), not of the data."""

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
DESCRIPTION = (
    "Статистика обращений граждан (59-ФЗ) по месяцам и дням: поступило, отвечено, в срок, "
    "просрочено, время ответа. Группы из 1–4 обращений и группы, по которым их можно было бы "
    "вычислить, скрыты (suppressed = true, показатели пусты). / Statistics of citizens' appeals "
    "by month and day. Groups of 1-4 appeals, and groups they could be worked out from, are "
    "withheld (suppressed = true, figures empty)."
)


def descriptor(
    resources: Sequence[Resource], months: Sequence[date], created: datetime, as_of: datetime
) -> dict[str, object]:
    """The package descriptor; resource paths are relative to the descriptor."""
    coverage = (
        {"start": months[0].isoformat(), "end": month_end(months[-1]).isoformat()}
        if months
        else None
    )
    return {
        "name": "appeals-statistics",
        "title": "Обращения граждан: открытые данные / Citizens' appeals: open data",
        "description": DESCRIPTION,
        "version": FORMAT_VERSION,
        "licenses": [LICENCE],
        "created": created.isoformat(timespec="seconds"),
        "temporalCoverage": coverage,
        "asOf": as_of.isoformat(timespec="seconds"),
        "resources": [_resource(r) for r in resources],
    }


def _resource(resource: Resource) -> dict[str, object]:
    return {
        "name": resource.name,
        "title": resource.title,
        "path": f"{resource.name}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
        "schema": {
            "fields": [c.descriptor() for c in resource.columns],
            "missingValues": [""],
        },
    }
