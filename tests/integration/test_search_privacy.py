"""The search index keeps no platform identifiers, live or rebuilt, on either store."""

from __future__ import annotations

from datetime import UTC, datetime

from api.bootstrap import build, read_side
from api.settings import Settings
from channels.inbound import Attachment, Inbound
from ledger.privacy import Citizen
from projections.assembly import ReadSide
from projections.models import AppealFilter, AppealOrder
from projections.search_words import indexable

SENDER = "612444319"
PHONE = "89161234567"
FILE_ID = "AgACAgIAAxkBAAIBQ2"


def _text() -> str:
    """A VK message with a photo, as ``channels`` writes it into the appeal's text."""
    message = Inbound(
        external_id="1:5001",
        at=datetime(2025, 5, 1, tzinfo=UTC),
        text=f"Фонарь не горит у дома 15а, звоните {PHONE}",
        sender=SENDER,
        attachments=(
            Attachment("photo", f"photo{SENDER}_457239017", 52_000, "https://vk.com/photo"),
            Attachment("document", FILE_ID),
        ),
    )
    return message.full_text()


def _index(side: ReadSide) -> str:
    """Every row of the search view's tables, as a copy of the store would show them."""
    with side.db.transaction() as cursor:
        if side.db.dialect.is_postgres:
            cursor.execute("SELECT doc, appeal_id::text, kind, terms::text FROM appeal_search")
            return repr([tuple(row) for row in cursor.fetchall()])
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'appeal_%'"
        )
        tables = [
            row[0]
            for row in cursor.fetchall()
            if row[0].startswith(("appeal_fts", "appeal_search"))
        ]
        rows: list[str] = []
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            rows.extend(repr(tuple(row)) for row in cursor.fetchall())
    return "\n".join(rows)


def _found(side: ReadSide, text: str) -> int:
    page = side.read_models.list_appeals(AppealFilter(text=text), AppealOrder.RELEVANCE, 10)
    return len(page.rows)


def test_an_attachment_reference_and_long_ids_are_never_indexed(store_url: str) -> None:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": store_url}))
    side = read_side(container)
    side.runner.setup()
    text = _text()
    container.ledger.receive_appeal(
        channel="vk",
        external_id="1:5001",
        body="Администрация",
        text=text,
        citizen=Citizen(name="Мария"),
        citizen_ref="vk-1",
    )
    side.runner.catch_up()
    live = _index(side)
    side.runner.rebuild(["search"])
    rebuilt = _index(side)
    container.close()

    assert f"photo{SENDER}" in text and "[attachment: " in text  # what channels write
    assert "фонар" in live  # the index holds the message's words
    for index in (live, rebuilt):
        for identifier in (SENDER, PHONE, FILE_ID.lower(), FILE_ID, "457239017"):
            assert identifier not in index, identifier
    assert "15а" in live and "15а" in rebuilt  # a house number is no identifier


def test_indexable_drops_reference_lines_and_identifier_tokens_only() -> None:
    assert indexable(_text()).split() == ["Фонарь", "не", "горит", "у", "дома", "15а,", "звоните"]
    assert indexable("COVID19 в 2024 году, счёт 123456").split() == [
        "COVID19",
        "в",
        "2024",
        "году,",
        "счёт",
    ]
