"""GeoReport v2 documents: services, requests and errors, as JSON and as XML."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from xml.etree import ElementTree

from projections.models import AppealRow

Record = dict[str, object]


def service(category: str) -> Record:
    """A category as a GeoReport service."""
    return {
        "service_code": category,
        "service_name": category,
        "description": f"Обращения граждан по теме «{category}»",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


def request(row: AppealRow, notes: str | None) -> Record:
    """A public appeal as a GeoReport service request (no personal data, no location)."""
    steps = [
        row.received_at,
        row.registered_at,
        row.first_response_at,
        row.answered_at,
        row.closed_at,
        row.published_at,
        row.body_received_at,
    ]
    return {
        "service_request_id": str(row.id),
        "status": "closed" if row.status.value == "closed" else "open",
        "status_notes": notes,
        "service_name": row.category,
        "service_code": row.category,
        "description": None,
        "agency_responsible": row.body,
        "service_notice": None,
        "requested_datetime": _time(row.received_at),
        "updated_datetime": _time(max(t for t in steps if t is not None)),
        "expected_datetime": _time(row.answer_due_at),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "media_url": None,
    }


def error(code: int, description: str) -> list[Record]:
    """The GeoReport error document."""
    return [{"code": code, "description": description}]


def render(records: Sequence[Mapping[str, object]], root: str, item: str, fmt: str) -> bytes:
    """``records`` as a JSON array, or as ``<root><item>…</item></root>`` XML."""
    if fmt == "json":
        return json.dumps(list(records), ensure_ascii=False).encode("utf-8")
    top = ElementTree.Element(root)
    for record in records:
        element = ElementTree.SubElement(top, item)
        for name, value in record.items():
            child = ElementTree.SubElement(element, name)
            if value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)
    document: bytes = ElementTree.tostring(top, encoding="utf-8", xml_declaration=True)
    return document


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")
