"""Settings: the only place that reads the process environment.

Every variable is listed, with its default, in README.md ("Settings").
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.datastructures import Secret

from api.settings_values import (
    ChannelSettings,
    SettingsError,
    parse_hours,
    parse_instant,
    parse_log_origin,
    parse_special_terms,
    parse_witnesses,
)
from ledger.calendar import ProductionCalendar
from ledger.deadlines import Norms
from ledger.special_terms import SpecialTerm
from ledger.values import EARLIEST_BUSINESS_TIME

__all__ = ["DEFAULT_DATABASE_URL", "ChannelSettings", "Settings", "SettingsError"]

DEFAULT_DATABASE_URL = "sqlite:///var/appeals.db"


@dataclass(frozen=True)
class Settings:
    """Typed configuration for every entrypoint."""

    database_url: Secret = field(default_factory=lambda: Secret(DEFAULT_DATABASE_URL))
    read_database_url: Secret | None = None  # a hot standby for view reads (api.runtime.standby)
    read_standby_wait: float = 1.0
    timezone: str = "Europe/Moscow"
    first_response_hours: Mapping[str, float] = field(default_factory=dict)
    pool_size: int = 10
    page_cache_size: int = 256
    db_connect_timeout: int = 2
    db_statement_timeout: float = 30.0
    jwt_secret: Secret | None = None
    graphiql: bool = True
    introspection: bool = True
    run_projections: bool = True
    max_body_bytes: int = 1_048_576
    import_max_bytes: int = 1 << 30
    """``POST /import`` bodies may be this large (files of years of history)."""
    import_body_timeout: float = 600.0
    """Seconds a ``POST /import`` body may take to arrive."""
    import_workers: int = 1
    """Processes replaying an import's histories (1: in the importing process itself).

    Workers cost about a fifth more CPU in all, so they pay only where cores are idle.
    """
    ready_max_lag: int = 1000
    suppress_below: int = 5
    ranking_min_n: int = 30
    opendata_refresh: int = 600
    cors_origins: tuple[str, ...] = ()
    ws_origins: tuple[str, ...] = ()
    rate_limit_per_minute: int = 600
    keys_dir: str = "var/keys"
    access_log: bool = False
    log_origin: str = "appeals-ledger"
    checkpoint_interval: float = 300.0
    earliest_business_time: datetime = EARLIEST_BUSINESS_TIME
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keepalive_timeout: int = 5
    max_connections: int = 500
    pg_bin_dir: str = ""
    shutdown_timeout: float = 30.0
    clock_skew_seconds: int = 120
    working_hours: tuple[time, time] = (time(9), time(18))
    working_breaks: tuple[tuple[time, time], ...] = ()
    special_terms: Mapping[str, frozenset[SpecialTerm]] = field(default_factory=dict)
    witnesses: tuple[tuple[str, str], ...] = ()
    """(URL, verifier key) of each witness asked to cosign every new checkpoint."""
    channels: ChannelSettings = field(default_factory=lambda: ChannelSettings())

    @property
    def norms(self) -> Norms:
        """The legal and regional norms, with per-channel first-response overrides."""
        base = Norms()
        merged = {**base.first_response_hours, **self.first_response_hours}
        return Norms(first_response_hours=merged, special_terms_by_category=self.special_terms)

    @property
    def calendar(self) -> ProductionCalendar:
        """The production calendar in the office's time zone, with its working day."""
        start, end = self.working_hours
        return ProductionCalendar(self.timezone, start, end, self.working_breaks)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every ``APPEALS_*`` variable once."""
        env = os.environ if environ is None else environ
        settings = cls(
            database_url=Secret(_database_url(env)),
            read_database_url=_secret(env, "APPEALS_READ_DATABASE_URL"),
            read_standby_wait=_int(env, "APPEALS_READ_STANDBY_WAIT_MS", 1000) / 1000,
            timezone=_timezone(env, "APPEALS_TIMEZONE", "Europe/Moscow"),
            first_response_hours=parse_hours(env.get("APPEALS_FIRST_RESPONSE_HOURS", "")),
            pool_size=_int(env, "APPEALS_DB_POOL_SIZE", 10, minimum=1),
            page_cache_size=_int(env, "APPEALS_PAGE_CACHE_SIZE", 256, minimum=0),
            db_connect_timeout=_int(env, "APPEALS_DB_CONNECT_TIMEOUT", 2, minimum=1),
            db_statement_timeout=float(_int(env, "APPEALS_DB_STATEMENT_TIMEOUT", 30)),
            jwt_secret=_secret(env, "APPEALS_JWT_SECRET"),
            graphiql=_bool(env, "APPEALS_GRAPHIQL", True),
            introspection=_bool(env, "APPEALS_INTROSPECTION", True),
            run_projections=_bool(env, "APPEALS_RUN_PROJECTIONS", True),
            max_body_bytes=_int(env, "APPEALS_MAX_BODY_BYTES", 1_048_576, minimum=1),
            import_max_bytes=_int(env, "APPEALS_IMPORT_MAX_BYTES", 1 << 30, minimum=1),
            import_body_timeout=float(_int(env, "APPEALS_IMPORT_BODY_TIMEOUT", 600, minimum=1)),
            import_workers=_int(env, "APPEALS_IMPORT_WORKERS", 1, minimum=1),
            ready_max_lag=_int(env, "APPEALS_READY_MAX_LAG", 1000, minimum=0),
            suppress_below=_int(env, "APPEALS_SUPPRESS_BELOW", 5, minimum=0),
            ranking_min_n=_int(env, "APPEALS_RANKING_MIN_N", 30, minimum=1),
            opendata_refresh=_int(env, "APPEALS_OPENDATA_REFRESH", 600, minimum=0),
            cors_origins=_origins(env, "APPEALS_CORS_ORIGINS"),
            ws_origins=_origins(env, "APPEALS_WS_ORIGINS"),
            rate_limit_per_minute=_int(env, "APPEALS_RATE_LIMIT_PER_MINUTE", 600, minimum=0),
            keys_dir=env.get("APPEALS_KEYS_DIR", "var/keys"),
            access_log=_bool(env, "APPEALS_ACCESS_LOG", False),
            log_origin=parse_log_origin(
                env.get("APPEALS_LOG_ORIGIN", ""), "APPEALS_LOG_ORIGIN", "appeals-ledger"
            ),
            checkpoint_interval=float(_int(env, "APPEALS_CHECKPOINT_INTERVAL", 300, minimum=0)),
            earliest_business_time=parse_instant(
                env.get("APPEALS_EARLIEST_BUSINESS_TIME", ""), "APPEALS_EARLIEST_BUSINESS_TIME"
            ),
            header_timeout=float(_int(env, "APPEALS_HEADER_TIMEOUT", 10, minimum=1)),
            body_timeout=float(_int(env, "APPEALS_BODY_TIMEOUT", 30, minimum=1)),
            keepalive_timeout=_int(env, "APPEALS_KEEPALIVE_TIMEOUT", 5, minimum=1),
            max_connections=_int(env, "APPEALS_MAX_CONNECTIONS", 500, minimum=1),
            pg_bin_dir=env.get("APPEALS_PG_BIN_DIR", "").strip(),
            shutdown_timeout=float(_int(env, "APPEALS_SHUTDOWN_TIMEOUT", 30, minimum=1)),
            clock_skew_seconds=_int(env, "APPEALS_CLOCK_SKEW", 120, minimum=0),
            working_hours=_working_hours(env, "APPEALS_WORKING_HOURS"),
            working_breaks=_stretches(env, "APPEALS_WORKING_BREAKS", ""),
            special_terms=parse_special_terms(env.get("APPEALS_SPECIAL_TERMS", "")),
            witnesses=_witnesses(env, "APPEALS_WITNESSES"),
            channels=_channels(env),
        )
        try:
            settings.calendar  # noqa: B018 - the breaks must lie within the working hours
        except ValueError as error:
            raise SettingsError(f"APPEALS_WORKING_BREAKS: {error}") from None
        return settings


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not an integer") from None
    if value < minimum:
        raise SettingsError(f"{name}: {value} must be at least {minimum}")
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


def _stretches(env: Mapping[str, str], name: str, default: str) -> tuple[tuple[time, time], ...]:
    """``HH:MM-HH:MM`` stretches of wall-clock time, comma-separated, each start before its end."""
    raw = env.get(name, "").strip() or default
    stretches = []
    for item in (part.strip() for part in raw.split(",") if part.strip()):
        try:
            begins, ends = (time.fromisoformat(t.strip()) for t in item.split("-"))
        except ValueError:
            raise SettingsError(f"{name}: {item!r} is not a stretch like 09:00-18:00") from None
        if begins >= ends:
            raise SettingsError(f"{name}: {item!r} must start before it ends")
        stretches.append((begins, ends))
    return tuple(stretches)


def _working_hours(env: Mapping[str, str], name: str) -> tuple[time, time]:
    stretches = _stretches(env, name, "09:00-18:00")
    if len(stretches) != 1:
        raise SettingsError(f"{name}: give one stretch like 09:00-18:00 (breaks go elsewhere)")
    return stretches[0]


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def _database_url(env: Mapping[str, str]) -> str:
    # The full URL is parsed by api.storage.store when the store opens; the scheme is checked here
    # so a typo stops every command at start-up. The value is a secret: never echo it.
    url = env.get("APPEALS_DATABASE_URL", "") or DEFAULT_DATABASE_URL
    scheme = urlsplit(url).scheme
    if scheme not in ("sqlite", "postgresql", "postgres"):
        msg = f"APPEALS_DATABASE_URL: unknown scheme {scheme!r} (use sqlite:/// or postgresql://)"
        raise SettingsError(msg)
    return url


def _secret(env: Mapping[str, str], name: str) -> Secret | None:
    return Secret(env[name]) if env.get(name) else None


def _timezone(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{name}: {value!r} is not an IANA time zone like {default}") from None
    return value


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    origins = _list(env, name)
    for origin in origins:
        parts = urlsplit(origin)
        if origin != "*" and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise SettingsError(f"{name}: {origin!r} is not an origin like https://example.org")
    return origins


def _witnesses(env: Mapping[str, str], name: str) -> tuple[tuple[str, str], ...]:
    return parse_witnesses(env.get(name, ""), name)


_API_URLS = (
    ("VK", "https://api.vk.com"),
    ("TELEGRAM", "https://api.telegram.org"),
    ("MAX", "https://platform-api2.max.ru"),
    ("OK", "https://api.ok.ru"),
)


def _channels(env: Mapping[str, str]) -> ChannelSettings:
    retry = env.get("APPEALS_DELIVERY_RETRY_SECONDS", "").strip() or "5"
    try:
        retry_seconds = float(retry)
    except ValueError:
        raise SettingsError(f"APPEALS_DELIVERY_RETRY_SECONDS: {retry!r} is not a number") from None
    if not math.isfinite(retry_seconds) or retry_seconds <= 0:
        raise SettingsError("APPEALS_DELIVERY_RETRY_SECONDS: must be a positive number")
    urls = {}
    for name, default in _API_URLS:
        url = env.get(f"APPEALS_{name}_API_URL", "").strip().rstrip("/") or default
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise SettingsError(f"APPEALS_{name}_API_URL: {url!r} is not an http(s) URL")
        urls[name] = url
    key = env.get("APPEALS_SOURCES_KEY", "")
    password = env.get("APPEALS_SMTP_PASSWORD", "")
    return ChannelSettings(
        sources_key=Secret(key) if key else None,
        vk_api_url=urls["VK"],
        vk_api_version=env.get("APPEALS_VK_API_VERSION", "").strip() or "5.199",
        telegram_api_url=urls["TELEGRAM"],
        max_api_url=urls["MAX"],
        ok_api_url=urls["OK"],
        smtp_host=env.get("APPEALS_SMTP_HOST", "").strip(),
        smtp_port=_int(env, "APPEALS_SMTP_PORT", 25, minimum=1),
        smtp_from=env.get("APPEALS_SMTP_FROM", "").strip(),
        smtp_user=env.get("APPEALS_SMTP_USER", "").strip(),
        smtp_password=Secret(password) if password else None,
        smtp_starttls=_bool(env, "APPEALS_SMTP_STARTTLS", False),
        delivery_retry_seconds=retry_seconds,
        delivery_attempts=_int(env, "APPEALS_DELIVERY_ATTEMPTS", 8, minimum=1),
        delivery_timeout=_int(env, "APPEALS_DELIVERY_TIMEOUT", 10, minimum=1),
    )
