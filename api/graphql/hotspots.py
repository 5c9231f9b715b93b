"""``hotspots``: the sharpest problems of a period, for staff and (figures withheld) the public."""

from __future__ import annotations

from datetime import UTC, date, datetime

import strawberry

from api.graphql import enums
from api.graphql.access import scope_of, scoped_filter, sees_nothing
from api.graphql.appeal_list import text_filter
from api.graphql.errors import ApiError, bad_input
from api.graphql.types import Appeal, Info
from projections.hotspots import Hotspot
from projections.models import AppealFilter, AppealOrder

MAX_BASELINE = 52
EARLIEST = date(2000, 1, 1)
MAX_HOTSPOTS = 50


@strawberry.type(
    name="Hotspot",
    description="A category × body growing against its own baseline (one-sided Poisson test, "
    "Bonferroni over the groups tested; see projections/hotspots.py). For the public every "
    "figure is null and suppressed is true: only which problems grow, in rank order.",
)
class HotspotInfo:
    hotspot: strawberry.Private[Hotspot]
    rank: int
    category: str | None
    body: str
    period_start: date
    period_end: date
    suppressed: bool
    count: int | None = strawberry.field(description="Appeals received in the period.")
    baseline_mean: float | None = strawberry.field(
        description="Expected count: (baseline appeals + 0.5) / baseline periods."
    )
    growth: float | None = strawberry.field(description="count / baselineMean.")
    p_value: float | None = strawberry.field(description="P(X >= count), X ~ Poisson(baseline).")
    sharpness: float | None = strawberry.field(description="-log10(pValue): the rank key.")
    overdue_now: int | None = strawberry.field(description="Of the period's appeals.")
    first_response_p50: float | None = strawberry.field(description="Seconds.")
    on_time_share: float | None

    @classmethod
    def of(cls, rank: int, hotspot: Hotspot, *, public: bool) -> HotspotInfo:
        figures = None if public else hotspot.figures
        shown = not public
        return cls(
            hotspot=hotspot,
            rank=rank,
            category=hotspot.category,
            body=hotspot.body,
            period_start=hotspot.start,
            period_end=hotspot.end,
            suppressed=public,
            count=hotspot.count if shown else None,
            baseline_mean=hotspot.baseline_mean if shown else None,
            growth=hotspot.growth if shown else None,
            p_value=10**hotspot.p_value_log10 if shown else None,
            sharpness=hotspot.sharpness if shown else None,
            overdue_now=figures.overdue_now if figures else None,
            first_response_p50=figures.first_response_p50 if figures else None,
            on_time_share=figures.on_time_share if figures else None,
        )

    @strawberry.field(description="Recent appeals of the group in your scope; staff only.")
    async def examples(self, info: Info, first: int = 3) -> list[Appeal] | None:
        if info.context.viewer.is_public:
            return None
        if not 1 <= first <= 10:
            raise bad_input("first", "must be 1-10")
        calendar = info.context.services.container.ledger.calendar
        asked = AppealFilter(
            body=self.body,
            category=self.category,
            received_from=calendar.midnight_utc(self.period_start),
        )
        where = scoped_filter(info, asked)
        page = await info.context.services.read(
            info.context.reader,
            lambda models: models.list_appeals(
                where, AppealOrder.RECEIVED_AT_DESC, first, None, count=False
            ),
        )
        return [Appeal.of(row) for row in page.rows]


async def hotspots(
    info: Info,
    period: enums.Period,
    end: date | None,
    baseline_periods: int,
    first: int,
    body: str | None,
    category: str | None,
) -> list[HotspotInfo]:
    """Resolve ``hotspots`` in the viewer's scope; the public gets no figures."""
    viewer = info.context.viewer
    if viewer.token_error is not None:
        raise ApiError("UNAUTHENTICATED", f"token is {viewer.token_error}")
    if not 1 <= baseline_periods <= MAX_BASELINE:
        raise bad_input("baselinePeriods", f"must be 1-{MAX_BASELINE}")
    if not 1 <= first <= MAX_HOTSPOTS:
        raise bad_input("first", f"must be 1-{MAX_HOTSPOTS}")
    if sees_nothing(info):
        return []
    calendar = info.context.services.container.ledger.calendar
    today = calendar.local_date(datetime.now(UTC))
    day = end or today
    if not EARLIEST <= day <= today:
        raise bad_input("end", f"must be a day from {EARLIEST.isoformat()} to today")
    scope_body, department = (None, None) if viewer.is_public else scope_of(info)
    asked_body = text_filter(body, "body")
    if scope_body is not None and asked_body not in (None, scope_body):
        raise ApiError("FORBIDDEN", "body is outside your scope")
    asked_category = text_filter(category, "category")
    found = await info.context.services.read(
        info.context.reader,
        lambda models: models.hotspots(
            period,
            day,
            baseline_periods,
            body=asked_body or scope_body,
            category=asked_category,
            department=department,
        ),
    )
    if viewer.is_public:
        threshold = info.context.services.settings.suppress_below
        found = [h for h in found if h.count >= threshold]
    return [HotspotInfo.of(i + 1, h, public=viewer.is_public) for i, h in enumerate(found[:first])]
