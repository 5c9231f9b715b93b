"""``rankings``: fair rankings of bodies, departments and sources; ``projections.rankings``."""

from __future__ import annotations

from datetime import date

import strawberry

from api.graphql.errors import ApiError
from api.graphql.types import Info
from projections import rankings
from projections.public_statistics import PublicStatistics
from projections.rankings import RankingRow, Rankings
from projections.read_models import ReadModels
from projections.statistics_query import StatisticsQuery

strawberry.enum(rankings.Level, name="RankingLevel", description="What is ranked.")
strawberry.enum(
    rankings.Metric,
    name="RankingMetric",
    description="ON_TIME: Wilson lower bound of the on-time share; FIRST_RESPONSE and "
    "RESOLUTION: Kaplan-Meier median time, appeals still waiting counted as censored.",
)
strawberry.enum(
    rankings.Unranked,
    name="Unranked",
    description="TOO_FEW: n below APPEALS_RANKING_MIN_N; SUPPRESSED: the group's month cell "
    "is withheld from the public.",
)


@strawberry.type(description="One group's place; a share (0-1) or a time in seconds.")
class Ranking:
    body: str | None = strawberry.field(description="Null when sources are ranked.")
    department: str | None
    source: str | None = strawberry.field(
        description="The official page, bot or mailbox (channel:id) when sources are ranked."
    )
    rank: int | None = strawberry.field(description="1 is best; null when not ranked.")
    n: int | None = strawberry.field(description="Answers judged, or appeals timed.")
    estimate: float | None = strawberry.field(
        description="The share, or the median (null: over half still wait)."
    )
    lower: float | None = strawberry.field(description="Lower end of the 95 % interval.")
    upper: float | None = strawberry.field(description="Upper end (null: unbounded).")
    unranked: rankings.Unranked | None

    @classmethod
    def of(cls, row: RankingRow) -> Ranking:
        return cls(
            body=row.body,
            department=row.department,
            source=row.source,
            rank=row.rank,
            n=row.n,
            estimate=row.estimate,
            lower=row.lower,
            upper=row.upper,
            unranked=row.unranked,
        )


async def resolve_rankings(
    info: Info,
    month: date,
    level: rankings.Level,
    metric: rankings.Metric,
) -> list[Ranking]:
    """Everyone, with or without a token, gets the public numbers (as in the open data)."""
    if info.context.viewer.token_error is not None:
        raise ApiError("UNAUTHENTICATED", f"token is {info.context.viewer.token_error}")
    services = info.context.services
    settings = services.settings

    def rank(models: ReadModels) -> list[RankingRow]:
        ranker = Rankings(PublicStatistics(models.db, StatisticsQuery(models.db)))
        return ranker.rank(
            month.replace(day=1),
            level,
            metric,
            models.clock(),
            settings.suppress_below,
            settings.ranking_min_n,
        )

    rows = await services.read(info.context.reader, rank)
    return [Ranking.of(row) for row in rows]
