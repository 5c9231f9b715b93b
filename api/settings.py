"""Settings: the only place that reads the process environment.

Every variable is listed, with its default, in README.md ("Settings").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.datastructures import Secret

from ledger.deadlines import Norms

DEFAULT_DATABASE_URL = "sqlite:///var/appeals.db"


@dataclass(frozen=True)
class Settings:
    """Typed configuration for every entrypoint."""

    database_url: Secret = field(default_factory=lambda: Secret(DEFAULT_DATABASE_URL))
    timezone: str = "Europe/Moscow"
    first_response_hours: Mapping[str, float] = field(default_factory=dict)
    pool_size: int = 10

    @property
    def norms(self) -> Norms:
        """The legal and regional norms, with per-channel first-response overrides."""
        base = Norms()
        if not self.first_response_hours:
            return base
        merged = {**base.first_response_hours, **self.first_response_hours}
        return Norms(first_response_hours=merged)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every ``APPEALS_*`` variable once."""
        env = os.environ if environ is None else environ
        return cls(
            database_url=Secret(env.get("APPEALS_DATABASE_URL", DEFAULT_DATABASE_URL)),
            timezone=env.get("APPEALS_TIMEZONE", "Europe/Moscow"),
            first_response_hours=_parse_hours(env.get("APPEALS_FIRST_RESPONSE_HOURS", "")),
            pool_size=int(env.get("APPEALS_DB_POOL_SIZE", "10")),
        )


def _parse_hours(value: str) -> dict[str, float]:
    """``vk=8,telegram=9`` → ``{"vk": 8.0, "telegram": 9.0}``."""
    hours: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        channel, _, number = item.partition("=")
        try:
            hours[channel.strip()] = float(number)
        except ValueError:
            msg = f"APPEALS_FIRST_RESPONSE_HOURS: {item!r} is not channel=hours"
            raise SettingsError(msg) from None
    return hours


class SettingsError(Exception):
    """A setting's value cannot be used; the message is one line for the operator."""
