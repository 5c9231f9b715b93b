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
    jwt_secret: Secret | None = None
    graphiql: bool = True
    introspection: bool = True
    run_projections: bool = True
    max_body_bytes: int = 1_048_576
    ready_max_lag: int = 1000
    suppress_below: int = 5
    cors_origins: tuple[str, ...] = ()
    ws_origins: tuple[str, ...] = ()
    rate_limit_per_minute: int = 600
    keys_dir: str = "var/keys"
    access_log: bool = False
    log_origin: str = "appeals-ledger"
    checkpoint_interval: float = 300.0
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keepalive_timeout: int = 5
    max_connections: int = 500

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
            pool_size=_int(env, "APPEALS_DB_POOL_SIZE", 10),
            jwt_secret=Secret(env["APPEALS_JWT_SECRET"]) if env.get("APPEALS_JWT_SECRET") else None,
            graphiql=_bool(env, "APPEALS_GRAPHIQL", True),
            introspection=_bool(env, "APPEALS_INTROSPECTION", True),
            run_projections=_bool(env, "APPEALS_RUN_PROJECTIONS", True),
            max_body_bytes=_int(env, "APPEALS_MAX_BODY_BYTES", 1_048_576),
            ready_max_lag=_int(env, "APPEALS_READY_MAX_LAG", 1000),
            suppress_below=_int(env, "APPEALS_SUPPRESS_BELOW", 5),
            cors_origins=_list(env, "APPEALS_CORS_ORIGINS"),
            ws_origins=_list(env, "APPEALS_WS_ORIGINS"),
            rate_limit_per_minute=_int(env, "APPEALS_RATE_LIMIT_PER_MINUTE", 600),
            keys_dir=env.get("APPEALS_KEYS_DIR", "var/keys"),
            access_log=_bool(env, "APPEALS_ACCESS_LOG", False),
            log_origin=env.get("APPEALS_LOG_ORIGIN", "appeals-ledger"),
            checkpoint_interval=float(_int(env, "APPEALS_CHECKPOINT_INTERVAL", 300)),
            header_timeout=float(_positive(env, "APPEALS_HEADER_TIMEOUT", 10)),
            body_timeout=float(_positive(env, "APPEALS_BODY_TIMEOUT", 30)),
            keepalive_timeout=_positive(env, "APPEALS_KEEPALIVE_TIMEOUT", 5),
            max_connections=_positive(env, "APPEALS_MAX_CONNECTIONS", 500),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not an integer") from None


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise SettingsError(f"{name}: must be at least 1, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}: {raw!r} is not true or false")


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


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
