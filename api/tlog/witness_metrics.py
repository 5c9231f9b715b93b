"""``/metrics`` gauges of each witness's standing, read from the store at scrape time."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from prometheus_client import CollectorRegistry, Gauge

from api.tlog.cosigned import cosignature_store
from audit.service import AuditService


class WitnessGauges:
    """``appeals_witness_refusals`` and ``appeals_witness_cosigned_size`` by witness."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.refusals = Gauge(
            "appeals_witness_refusals",
            "Times a witness refused (or could not be asked) to cosign a checkpoint: alert on > 0",
            ["witness"],
            registry=registry,
        )
        self.cosigned_size = Gauge(
            "appeals_witness_cosigned_size",
            "Tree size of the latest checkpoint the witness cosigned",
            ["witness"],
            registry=registry,
        )

    def refresh(self, audit: AuditService) -> None:
        """Read every witness's standing (run off the event loop)."""
        for standing in cosignature_store(audit).standings():
            self.refusals.labels(witness=standing.witness).set(standing.refusals)
            self.cosigned_size.labels(witness=standing.witness).set(standing.cosigned_size)


_GAUGES: WeakKeyDictionary[CollectorRegistry, WitnessGauges] = WeakKeyDictionary()


def witness_gauges(registry: CollectorRegistry) -> WitnessGauges:
    """The gauges registered once in ``registry``."""
    gauges = _GAUGES.get(registry)
    if gauges is None:
        gauges = _GAUGES[registry] = WitnessGauges(registry)
    return gauges
