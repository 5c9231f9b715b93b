"""The centres' CSV: one row per appeal, its columns, and the events a row stands for.

A header row names the columns, in any order; each column is known by its name below or
by one of its Russian aliases (case, spaces and underscores do not matter). Times are ISO
8601 (with or without an offset) or ``DD.MM.YYYY HH:MM[:SS]``; a time without an offset
is local time in ``APPEALS_TIMEZONE``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from ledger.values import Channel, Outcome

COLUMNS: dict[str, tuple[str, ...]] = {
    "channel": ("канал",),
    "external_id": ("внешний id", "id сообщения", "номер сообщения"),
    "source": ("источник", "source_id"),
    "body": ("орган", "ответственный орган"),
    "department": ("подразделение", "отдел"),
    "category": ("категория", "рубрика"),
    "received_at": ("дата поступления", "поступило"),
    "text": ("текст обращения", "текст", "сообщение"),
    "citizen_name": ("заявитель", "фио", "фио заявителя"),
    "citizen_contact": ("контакт", "контакты", "контакт заявителя"),
    "registered_at": ("дата регистрации",),
    "registration_number": ("регистрационный номер", "рег номер", "номер регистрации"),
    "assigned_at": ("дата назначения", "назначено"),
    "assignee": ("исполнитель",),
    "first_answer_at": ("дата первого ответа", "первый ответ"),
    "final_answer_at": ("дата окончательного ответа", "дата ответа"),
    "final_answer_text": ("текст ответа", "ответ"),
    "closed_at": ("дата закрытия", "закрыто"),
    "outcome": ("результат", "итог"),
    "rating": ("оценка",),
    "duplicate_of": ("дубликат", "дубликат обращения"),
}
REQUIRED = ("channel", "external_id", "body", "received_at", "text")
OUTCOMES = {
    "решено": Outcome.RESOLVED,
    "разъяснено": Outcome.EXPLAINED,
    "отказано": Outcome.REJECTED,
    "дубликат": Outcome.DUPLICATE,
    "не в компетенции": Outcome.NOT_COMPETENT,
    "ответ не требуется": Outcome.NO_ANSWER_REQUIRED,
}
CHANNELS = {
    "вконтакте": Channel.VK,
    "одноклассники": Channel.OK,
    "макс": Channel.MAX,
    "пос": Channel.POS,
    "почта": Channel.EMAIL,
    "письмо": Channel.LETTER,
    "сайт": Channel.WEB,
    "чат-бот": Channel.CHATBOT,
}
INTERIM_TEXT = "Промежуточный ответ (текст не перенесён из прежней системы)"
FINAL_TEXT = "Ответ дан (текст не перенесён из прежней системы)"
_RUSSIAN_TIME = re.compile(
    r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)


def _norm(name: str) -> str:
    return re.sub(r"[\s_.]+", " ", name.strip().lower()).strip()


ALIASES = {_norm(alias): column for column, names in COLUMNS.items() for alias in (column, *names)}


class RowError(Exception):
    """A cell of a row is refused: which column and why."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field} {reason}")


def map_header(header: list[str]) -> dict[str, int]:
    """Column name -> index; unknown headers are refused, as are missing required ones."""
    mapped: dict[str, int] = {}
    for index, name in enumerate(header):
        column = ALIASES.get(_norm(name))
        if column is None:
            raise RowError(name, f"is not a known column (known: {', '.join(COLUMNS)})")
        if column in mapped:
            raise RowError(name, f"names the column {column} a second time")
        mapped[column] = index
    missing = [column for column in REQUIRED if column not in mapped]
    if missing:
        raise RowError(missing[0], "is a required column and the header has none")
    return mapped


def cells(row: list[str], columns: Mapping[str, int]) -> dict[str, str]:
    """The row's non-empty cells by column name."""
    found: dict[str, str] = {}
    for column, index in columns.items():
        value = row[index].strip() if index < len(row) else ""
        if value:
            found[column] = value
    return found


def channel(value: str) -> str:
    """A channel by its value or Russian name."""
    lowered = value.strip().lower()
    known = CHANNELS.get(lowered)
    if known is not None:
        return known.value
    if lowered in Channel._value2member_map_:
        return lowered
    raise RowError("channel", f"is unknown: {value!r} (one of {'|'.join(Channel)})")


def outcome(value: str) -> str:
    """An outcome by its value or Russian name."""
    lowered = value.strip().lower()
    if lowered in OUTCOMES:
        return OUTCOMES[lowered].value
    if lowered in Outcome._value2member_map_:
        return lowered
    raise RowError("outcome", f"is unknown: {value!r} (one of {'|'.join(Outcome)})")


def time(value: str, column: str, zone: tzinfo) -> datetime:
    """A business time; local time in ``zone`` when it carries no offset."""
    russian = _RUSSIAN_TIME.match(value)
    try:
        if russian:
            day, month, year, hour, minute, second = (int(g) if g else 0 for g in russian.groups())
            at = datetime(year, month, day, hour, minute, second)
        else:
            at = datetime.fromisoformat(value)
    except ValueError:
        raise RowError(column, f"is not a date and time: {value[:40]!r}") from None
    return at if at.tzinfo is not None else at.replace(tzinfo=zone)


def rating(value: str) -> int:
    """A score 1-5 (range checked by the ledger)."""
    try:
        return int(value)
    except ValueError:
        raise RowError("rating", f"must be a whole number: {value[:20]!r}") from None


def fields(**values: Any) -> dict[str, Any]:
    """Event fields without the absent ones."""
    return {name: value for name, value in values.items() if value is not None}
