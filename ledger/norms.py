"""Norms: the figures of the legal clocks, configurable where regions and channels differ."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ledger.special_terms import SpecialTerm

__all__ = ["Norms"]


def _default_first_response_hours() -> Mapping[str, float]:
    return MappingProxyType({"vk": 8.0, "ok": 8.0, "max": 8.0, "telegram": 8.0, "chatbot": 8.0})


@dataclass(frozen=True, slots=True)
class Norms:
    """Configurable norms; values that differ by region or channel are configuration, not code."""

    registration_days: int = 3
    forwarding_days: int = 7
    answer_days: int = 30
    max_extension_days: int = 30
    # Per-channel first-response norms in working hours. Excluded from the hash because a
    # mapping is unhashable; equality still compares it.
    first_response_hours: Mapping[str, float] = field(
        default_factory=_default_first_response_hours, hash=False
    )
    default_first_response_hours: float = 8
    # Channels that have a social-media norm even when `first_response_hours` omits them;
    # they get `default_first_response_hours`. Letters, e-mail, web forms and ПОС have none.
    social_channels: frozenset[str] = frozenset({"vk", "ok", "max", "telegram", "chatbot"})
    # Categories whose appeals are registered under special terms (``ledger.special_terms``)
    # unless the office names the terms itself.
    special_terms_by_category: Mapping[str, frozenset[SpecialTerm]] = field(
        default_factory=dict, hash=False
    )

    def __post_init__(self) -> None:
        for name in ("registration_days", "forwarding_days", "answer_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)!r}")
        if self.max_extension_days < 0:
            raise ValueError(f"max_extension_days must be >= 0, got {self.max_extension_days!r}")
        hours = {"default_first_response_hours": self.default_first_response_hours}
        hours |= {f"first_response_hours[{k!r}]": v for k, v in self.first_response_hours.items()}
        for name, value in hours.items():
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number of hours, got {value!r}")
        # Copy into a read-only view so a caller's dict cannot change a frozen Norms later.
        object.__setattr__(
            self,
            "first_response_hours",
            MappingProxyType(dict(self.first_response_hours)),
        )
        object.__setattr__(
            self,
            "special_terms_by_category",
            MappingProxyType(dict(self.special_terms_by_category)),
        )

    def special_terms_for(self, category: str | None) -> frozenset[SpecialTerm]:
        """The special terms an appeal of ``category`` is registered under by default."""
        if category is None:
            return frozenset()
        return self.special_terms_by_category.get(category, frozenset())

    def first_response_hours_for(self, channel: str) -> float | None:
        """Working hours allowed for the first response on `channel`; None if it has no norm."""
        if channel in self.first_response_hours:
            return self.first_response_hours[channel]
        if channel in self.social_channels:
            return self.default_first_response_hours
        return None
