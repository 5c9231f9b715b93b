"""``appeals import FILE.csv``: the centres' one-row-per-appeal shape, on both stores."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from api.runtime.importing import ImportOptions, run_import
from ledger.domain import appeal_id_for
from migration.record import Refusal
from tests.migration.lines import appeals, container, stored_events

# A lawful social-media appeal, answered and closed: one cell per column, in the file's order.
LAWFUL: dict[str, str] = {
    "Канал": "вконтакте",
    "Внешний ID": "",
    "Источник": "club123",
    "Орган": "Администрация города",
    "Подразделение": "Управление ЖКХ города",
    "Категория": "ЖКХ",
    "Дата поступления": "01.03.2025 10:00",
    "Текст обращения": "Нет воды; совсем, третий день",
    "Заявитель": "Петрова А.",
    "Контакт": "+7 900 111-22-33",
    "Дата регистрации": "",
    "Дата назначения": "01.03.2025 11:00",
    "Дата первого ответа": "01.03.2025 12:00",
    "Дата окончательного ответа": "02.03.2025 10:00",
    "Текст ответа": "Воду дали",
    "Дата закрытия": "02.03.2025 12:00",
    "Результат": "решено",
    "Оценка": "4",
}
HEADER = list(LAWFUL)


def row(external: str, **cells: str) -> list[str]:
    """The lawful appeal with the external id ``external``; ``cells`` override columns."""
    values = {**LAWFUL, "Внешний ID": external, **cells}
    return [values[name] for name in HEADER]


def write_csv(path: Path, rows: list[list[str]], *, encoding: str, delimiter: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8", ","), ("cp1251", ";")])
def test_a_centres_csv_is_imported_whatever_its_encoding_and_separator(
    store_url: str, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    source = write_csv(
        tmp_path / "centre.csv", [row("1"), row("2")], encoding=encoding, delimiter=delimiter
    )

    result = appeals("import", str(source), "--quiet", url=store_url)

    assert result.returncode == 0, result.stderr
    assert "2 new" in result.stdout
    built = container(store_url)
    try:
        appeal = built.ledger.get_appeal(appeal_id_for("vk", "1"))
        kinds = [type(e.event).__name__ for e in built.ledger.history(appeal.id)]
        assert kinds == ["Received", "Assigned", "Answered", "Answered", "Closed", "Rated"]
        assert built.ledger.open_text(appeal) == "Нет воды; совсем, третий день"
        assert appeal.department == "Управление ЖКХ города" and appeal.rating == 4
        assert appeal.received_at.isoformat() == "2025-03-01T07:00:00+00:00"  # Moscow time
    finally:
        built.close()


def test_faulty_rows_are_named_in_the_errors_file_and_none_of_them_is_stored(
    store_url: str, tmp_path: Path
) -> None:
    rows = [
        row("10"),
        row("11", **{"Дата поступления": ""}),
        row("12", **{"Дата окончательного ответа": "28.02.2025 09:00", "Дата первого ответа": ""}),
        row("10"),
        row("13", **{"Канал": "факс"}),
        row("14", **{"Оценка": "7"}),
    ]
    source = write_csv(tmp_path / "centre.csv", rows, encoding="cp1251", delimiter=";")
    errors = tmp_path / "errors.csv"

    result = appeals("import", str(source), "--quiet", "--errors", str(errors), url=store_url)
    again = appeals("import", str(source), "--quiet", url=store_url)

    assert result.returncode == 1 and again.returncode == 1
    with errors.open(encoding="utf-8") as f:
        refused = {r["line"]: r for r in csv.DictReader(f)}
    assert set(refused) == {"3", "4", "6", "7"}
    assert refused["3"]["field"] == "received_at" and refused["3"]["reason"] == "is required"
    assert refused["4"]["field"] == "at" and "precedes" in refused["4"]["reason"]
    assert refused["6"]["field"] == "channel"
    assert refused["7"]["field"] == "score"
    # A row refused as it is read still counts as its appeal refused, where it names one
    # (line 6's channel names none): the summary agrees with the errors file.
    assert "1 already stored, 3 refused;" in result.stdout and "4 lines refused" in result.stdout
    stored = {appeal for appeal, _, _ in stored_events(store_url)}
    assert stored == {str(appeal_id_for("vk", "10"))}
    assert "0 new" in again.stdout and "wrote 0 events" in again.stdout


def test_malformed_csv_rows_are_refused_row_by_row_and_the_rest_is_imported(
    store_url: str,
) -> None:
    lines = [
        "Канал;Внешний ID;Орган;Дата поступления;Текст обращения",
        "вконтакте;m-1;Администрация города;01.03.2025 10:00;Яма",
        "вконтакте;m-2;Администрация города;01.03.2025 10:00;Я\x00ма",
        "вконтакте;m-3;Администрация города;01.03.2025 10:00;" + "я" * 10_001,
        'вконтакте;m-4;"Админ"истрация;01.03.2025 10:00;Яма',
        "вконтакте;m-5;Администрация города;01.03.2025 10:00;Яма",
        'вконтакте;m-6;Администрация города;01.03.2025 10:00;"Яма, и файл оборван',
    ]
    data = "\n".join(lines).encode("utf-8")
    refusals: list[Refusal] = []
    built = container(store_url)
    try:
        summary = run_import(
            built,
            io.BufferedReader(io.BytesIO(data)),
            ImportOptions(format="csv"),
            refused=refusals.append,
        )
        stored = {a for a in ("m-1", "m-5") if built.ledger.find_appeal(appeal_id_for("vk", a))}
    finally:
        built.close()

    by_line = {r.line: r for r in refusals}
    assert sorted(by_line) == [3, 4, 5, 7]
    assert by_line[3].field == "text" and "U+0000" in by_line[3].reason
    assert by_line[4].field == "text" and "at most 10000 characters" in by_line[4].reason
    assert "not a valid CSV row" in by_line[5].reason
    assert "unexpected end of data" in by_line[7].reason
    assert summary.appeals_new == 2 and stored == {"m-1", "m-5"}
