"""Prometheus metrics of one API process, on a registry of its own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """Requests, latency, errors by code, events appended, projection lag and duty, health."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "appeals_http_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "appeals_http_request_seconds",
            "HTTP request latency",
            ["route"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.errors = Counter(
            "appeals_graphql_errors", "GraphQL errors by code", ["code"], registry=self.registry
        )
        self.events_appended = Counter(
            "appeals_events_appended", "Commands that appended events", registry=self.registry
        )
        self.projection_lag = Gauge(
            "appeals_projection_lag_events",
            "Log head minus each view's position",
            ["view"],
            registry=self.registry,
        )
        self.projection_duty = Gauge(
            "appeals_projection_duty",
            "1 while this process holds the lock and runs the projections and the audit log",
            registry=self.registry,
        )
        self.standby_reads = Counter(
            "appeals_standby_reads",
            "View reads routed by APPEALS_READ_DATABASE_URL, by the server that answered",
            ["served"],
            registry=self.registry,
        )
        self.page_cache = Counter(
            "appeals_page_cache",
            "Lookups of appeals lists in the page cache (APPEALS_PAGE_CACHE_SIZE), by result",
            ["result"],
            registry=self.registry,
        )
        self.opendata_builds = Counter(
            "appeals_opendata_builds",
            "Open-data package builds saved by the duty running in this process (API workers "
            "without the duty never build; they serve the stored package)",
            registry=self.registry,
        )
        self.opendata_build_seconds = Gauge(
            "appeals_opendata_build_seconds",
            "How long the last open-data build in this process took",
            registry=self.registry,
        )
        self.opendata_stored = Gauge(
            "appeals_opendata_stored",
            "The open-data package in the store, whoever built it (the duty process): "
            "builds saved so far, the last one's duration (s) and age (s)",
            ["figure"],
            registry=self.registry,
        )
        self.store_up = Gauge(
            "appeals_store_up",
            "1 while the store answered the last scrape's probe",
            registry=self.registry,
        )
        self.helper_up = Gauge(
            "appeals_helper_up",
            "1 while a long-lived helper thread works (0: reconnecting)",
            ["helper"],
            registry=self.registry,
        )

    def opendata_built(self, seconds: float) -> None:
        """Count one open-data build saved here, which took ``seconds``."""
        self.opendata_builds.inc()
        self.opendata_build_seconds.set(seconds)

    def served_from(self, server: str) -> None:
        """Count one view read answered by ``server`` ("standby" or "primary")."""
        self.standby_reads.labels(server).inc()
