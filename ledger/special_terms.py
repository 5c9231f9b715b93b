"""Special terms of 59-ФЗ that apply to some appeals only, chosen per appeal at registration.

=====================  ================  =================================================
term                   article           rule
=====================  ================  =================================================
migration_answer       ст. 12 ч. 1.1     an appeal to the region's highest official about
                                         possible violations of migration law is answered
                                         within 20 days of registration (not 30)
migration_forwarding   ст. 8 ч. 3.1      an appeal about possible violations of migration
                                         law is forwarded within 5 days of registration
                                         (not 7) to the police and the region's highest
                                         official
=====================  ================  =================================================

The office names the terms when it registers the appeal (an explicit legal basis), or they
follow from the appeal's category (``Norms.special_terms_by_category``, the setting
``APPEALS_SPECIAL_TERMS``). The registration records them, so a later change of category or
of settings never moves a due date; each due date's explanation names the article.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["TERMS", "SpecialTerm", "Term", "term_for"]


class SpecialTerm(StrEnum):
    """A special term of 59-ФЗ an appeal can be registered under."""

    MIGRATION_ANSWER = "migration_answer"
    MIGRATION_FORWARDING = "migration_forwarding"


@dataclass(frozen=True, slots=True)
class Term:
    """One row of the table above: which clock it sets, to how many days, and why."""

    clock: str
    days: int
    rule: str


TERMS: dict[SpecialTerm, Term] = {
    SpecialTerm.MIGRATION_ANSWER: Term(
        "answer",
        20,
        "59-ФЗ ст. 12 ч. 1.1: an appeal to the region's highest official about possible "
        "violations of migration law, answer within 20 days of registration",
    ),
    SpecialTerm.MIGRATION_FORWARDING: Term(
        "forwarding",
        5,
        "59-ФЗ ст. 8 ч. 3.1: an appeal about possible violations of migration law, forwarding "
        "within 5 days of registration",
    ),
}


def term_for(clock: str, special_terms: Iterable[str]) -> Term | None:
    """The special term among ``special_terms`` that sets ``clock``, if any."""
    for name in special_terms:
        term = TERMS[SpecialTerm(name)]
        if term.clock == clock:
            return term
    return None
