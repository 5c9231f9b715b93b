"""The form an admin fills in to add a source, whether on the command line or over GraphQL."""

from __future__ import annotations

from typing import Protocol

from channels.source import Secrets, Source, new_source


class SourceForm(Protocol):
    """A source as an admin gives it: ``appeals sources add`` options or ``addSource`` input."""

    channel: str
    platform_id: str
    body: str
    department: str | None
    category: str | None
    secret: str | None
    confirmation: str | None


def source_from(form: SourceForm, token: str | None) -> Source:
    """The checked source the form describes; ``token`` comes apart (the CLI reads a file)."""
    secrets = Secrets(secret=form.secret, confirmation=form.confirmation, token=token)
    return new_source(
        form.channel,
        form.platform_id,
        body=form.body,
        department=form.department,
        category=form.category,
        secrets=secrets,
    )
