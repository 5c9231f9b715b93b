"""``Appeal.similar``: likely duplicates of an appeal, each with its score and the reasons."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graphql.errors import bad_input
from projections.models import AppealRow
from projections.search_words import stems

if TYPE_CHECKING:
    from api.graphql.types import Appeal, Info

RECENT = timedelta(days=30)
"""Closed appeals received this long before now still count as candidates."""
MAX_SIMILAR = 20
_WORD = re.compile(r"[^\W_]+")


@strawberry.type(name="SimilarAppeal", description="A likely duplicate and why it is one.")
class SimilarAppeal:
    appeal: Annotated[Appeal, strawberry.lazy("api.graphql.types")]
    score: float = strawberry.field(
        description="Full-text relevance of this appeal's words in the other's message (the "
        "store's own scale: higher is closer)."
    )
    shared_words: list[str] = strawberry.field(
        description="Words of this appeal's message whose forms occur in the other's."
    )
    same_category: bool
    same_location: bool
    reason: str = strawberry.field(description="The reasons in one sentence.")


def _words_by_stem(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for word in _WORD.findall(text):
        for stem in stems(word):
            found.setdefault(stem, word.lower())
    return found


def _reason(shared: list[str], same_category: bool, same_location: bool) -> str:
    parts = [f"shared words: {', '.join(shared)}"] if shared else []
    if same_category:
        parts.append("same category")
    if same_location:
        parts.append("same location")
    return "; ".join(parts) or "close wording"


async def similar(info: Info, row: AppealRow, first: int) -> list[SimilarAppeal]:
    """Open or recent appeals of the same body with close messages, in the viewer's scope."""
    from api.graphql.types import Appeal

    if not 1 <= first <= MAX_SIMILAR:
        raise bad_input("first", f"must be 1-{MAX_SIMILAR}")
    text = (await info.context.texts.load(row.id))[0]
    if text is None:
        return []  # erased: nothing of it may be compared any more
    found = await info.context.services.read(
        info.context.reader,
        lambda models: models.similar(row, text, models.clock() - RECENT, first + MAX_SIMILAR),
    )
    viewer = info.context.viewer
    found = [(r, s) for r, s in found if viewer.in_scope(r.body, r.department)][:first]
    texts = await info.context.texts.load_many([r.id for r, _ in found])
    mine = _words_by_stem(text)
    result = []
    for (other, score), other_texts in zip(found, texts, strict=True):
        theirs = set(stems(other_texts[0] or ""))
        shared = [word for stem, word in mine.items() if stem in theirs]
        category = row.category is not None and row.category == other.category
        location = row.location is not None and (
            (other.location or "").casefold() == row.location.casefold()
        )
        result.append(
            SimilarAppeal(
                appeal=Appeal.of(other),
                score=score,
                shared_words=shared,
                same_category=category,
                same_location=location,
                reason=_reason(shared, category, location),
            )
        )
    return result
