"""``appeals import --format jsonl`` from the user's side, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import random
import subprocess
from pathlib import Path
from typing import Any

from ledger.domain import appeal_id_for
from tests.migration.duplicate_lines import duplicate_history
from tests.migration.lines import appeals, container, history, line, stored_events, write


def _import_refusing(
    rows: list[dict[str, Any] | str | bytes], tmp_path: Path, url: str
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, str]]]:
    """Import ``rows`` as a JSON-lines file; the run, and the refusals its errors file lists."""
    errors = tmp_path / "errors.csv"
    result = appeals(
        "import",
        str(write(tmp_path / "in.jsonl", rows)),
        "--quiet",
        "--errors",
        str(errors),
        url=url,
    )
    with errors.open(encoding="utf-8", newline="") as f:
        return result, list(csv.DictReader(f))


def test_histories_in_any_line_order_are_stored_with_their_business_times(
    store_url: str, tmp_path: Path
) -> None:
    rows = history("1") + history("2") + history("3")
    random.Random(4).shuffle(rows)
    source = write(tmp_path / "in.jsonl", rows)

    result = appeals("import", str(source), "--quiet", url=store_url)

    assert result.returncode == 0, result.stderr
    assert "3 new" in result.stdout and "wrote 18 events" in result.stdout
    built = container(store_url)
    try:
        appeal = built.ledger.get_appeal(appeal_id_for("pos", "2"))
        events = built.ledger.history(appeal.id)
        assert appeal.status.value == "closed" and appeal.rating == 5
        assert appeal.registration_number == "ОГ-2"
        assert [type(e.event).__name__ for e in events] == [
            "Received",
            "Registered",
            "Assigned",
            "Answered",
            "Closed",
            "Rated",
        ]
        assert events[0].event.at.isoformat() == "2025-03-03T06:00:00+00:00"
        assert events[2].event.actor_id == "op-7" and events[2].event.actor_role == "operator"
        assert events[1].event.actor_id == "migration"
        assert built.ledger.open_citizen(appeal).name == "Иванов И."  # type: ignore[union-attr]
        assert built.ledger.open_text(appeal) == "Нет воды, дом 2"
    finally:
        built.close()


def test_a_second_run_of_the_same_file_records_nothing(store_url: str, tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", history("1") + history("2"))
    first = appeals("import", str(source), "--quiet", url=store_url)
    before = stored_events(store_url)

    again = appeals("import", str(source), "--quiet", "--json", url=store_url)

    assert first.returncode == 0 and again.returncode == 0, again.stderr
    assert stored_events(store_url) == before
    assert '"events_written": 0' in again.stdout
    assert '"appeals_unchanged": 2' in again.stdout


def test_a_continuation_appends_only_the_new_events(store_url: str, tmp_path: Path) -> None:
    whole = history("9")
    appeals("import", str(write(tmp_path / "a.jsonl", whole[:3])), "--quiet", url=store_url)

    result = appeals("import", str(write(tmp_path / "b.jsonl", whole)), "--quiet", url=store_url)

    assert result.returncode == 0, result.stderr
    assert "1 continued" in result.stdout and "wrote 3 events (3 already stored)" in result.stdout
    versions = [v for appeal, v, _ in stored_events(store_url)]
    assert versions == [1, 2, 3, 4, 5, 6]


def test_an_illegal_history_refuses_that_appeal_whole_with_the_rules_own_error(
    store_url: str, tmp_path: Path
) -> None:
    answer_first = history("20")
    answer_first[3]["at"] = "2025-03-01T10:00:00+03:00"  # answered before it was received
    rated_early = [row for row in history("21") if row["type"] not in ("answered", "closed")]
    extended_twice = [
        *history("22")[:3],
        line("pos", "22", "deadline_extended", "2025-03-05T10:00:00+03:00", days=10, reason="в"),
        line("pos", "22", "deadline_extended", "2025-03-06T10:00:00+03:00", days=5, reason="ещё"),
    ]
    rows = answer_first + history("23") + rated_early + extended_twice

    result, refusals = _import_refusing(rows, tmp_path, store_url)

    assert result.returncode == 1
    assert "1 new" in result.stdout and "3 refused" in result.stdout
    refused = {row["appeal"]: row for row in refusals}
    assert refused["pos:20"]["line"] == "4" and refused["pos:20"]["field"] == "at"
    assert "precedes the appeal's receipt" in refused["pos:20"]["reason"]
    assert "cannot rate appeal" in refused["pos:21"]["reason"]
    assert refused["pos:22"]["line"] == str(len(answer_first) + 6 + 4 + 5)
    assert "already extended once" in refused["pos:22"]["reason"]
    stored = {appeal for appeal, _, _ in stored_events(store_url)}
    assert stored == {str(appeal_id_for("pos", "23"))}


def test_malformed_lines_are_refused_one_by_one_and_the_rest_is_imported(
    store_url: str, tmp_path: Path
) -> None:
    good = history("30")
    rows: list[dict[str, object] | str | bytes] = [
        *good,
        '{"channel": "vk", "external_id": "31", "type": "received", "at": "2025-03-0',
        line("vk", "32", "received", "2025-03-01T10:00:00Z", text=5, body="b"),
        line("vk", "33", "escalated", "2025-03-01T10:00:00Z", text="x", body="b"),
        line("fax", "34", "received", "2025-03-01T10:00:00Z", text="x", body="b"),
        line("vk", "35", "received", "2025-03-01T10:00:00Z", text="я" * 10_001, body="b"),
        b'{"channel": "vk", "external_id": "36", "type": "received", "at": "2025-03-01T10:00:00Z",'
        b' "fields": {"text": "a\x00b", "body": "b"}}',
        "[]",
        line("vk", "37", "received", "2025-03-01T10:00:00", text="no offset", body="b"),
    ]

    result, refusals = _import_refusing(rows, tmp_path, store_url)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    by_line = {int(row["line"]): row for row in refusals}
    first = len(good) + 1
    assert "not valid JSON" in by_line[first]["reason"] and by_line[first]["appeal"] == "vk:31"
    assert by_line[first + 1]["field"] == "fields.text"
    assert by_line[first + 1]["reason"] == "must be a string"
    assert "is unknown: 'escalated'" in by_line[first + 2]["reason"]
    assert by_line[first + 3]["field"] == "channel"
    assert by_line[first + 4]["field"] == "text"
    assert "at most 10000 characters" in by_line[first + 4]["reason"]
    assert "NUL byte" in by_line[first + 5]["reason"]
    assert by_line[first + 6]["reason"] == "must be an object"
    assert "timezone offset" in by_line[first + 7]["reason"]
    assert len(by_line) == 8
    stored = {appeal for appeal, _, _ in stored_events(store_url)}
    assert stored == {str(appeal_id_for("pos", "30"))}


def test_a_dry_run_checks_everything_and_writes_nothing(store_url: str, tmp_path: Path) -> None:
    rows = [*history("40"), line("vk", "41", "rated", "2025-03-01T10:00:00Z", score=9)]
    source = write(tmp_path / "in.jsonl", rows)

    result = appeals("import", str(source), "--dry-run", "--quiet", url=store_url)

    assert result.returncode == 1
    assert "dry run:" in result.stdout and "would write 6 events" in result.stdout
    assert "never received" in result.stderr
    assert stored_events(store_url) == []


def test_the_audit_log_records_the_import_and_verify_passes(store_url: str, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    appeals("keys", "generate", "--dir", str(keys), url=store_url)
    source = write(tmp_path / "in.jsonl", history("50") + history("51"))
    imported = appeals("import", str(source), "--quiet", url=store_url)

    checkpoint = appeals("checkpoint", "--keys-dir", str(keys), url=store_url)
    verify = appeals("verify", "--keys-dir", str(keys), "--quiet", url=store_url)

    assert imported.returncode == 0, imported.stderr
    assert checkpoint.returncode == 0, checkpoint.stderr
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.startswith("OK: 12 events of 2 appeals")


def test_a_duplicate_waits_for_its_original_wherever_it_is_in_the_file(
    store_url: str, tmp_path: Path
) -> None:
    originals = [f"orig-{n}" for n in range(30)]
    rows = [row for number in originals for row in history(number)]
    for n, number in enumerate(originals):
        rows += duplicate_history(
            f"dup-{n}", number, number=f"Д-{n}", text="Опять нет воды", body="Администрация города"
        )
    rows.append(line("pos", "dup-x", "received", "2025-03-04T09:00:00Z", text="a", body="b"))
    rows.append(
        line(
            "pos",
            "dup-x",
            "closed",
            "2025-03-04T11:00:00Z",
            outcome="duplicate",
            duplicate_of=str(appeal_id_for("pos", "nowhere")),
        )
    )

    result, refusals = _import_refusing(rows, tmp_path, store_url)

    assert result.returncode == 1
    assert "60 new" in result.stdout
    assert [(r["appeal"], r["field"]) for r in refusals] == [("pos:dup-x", "duplicateOf")]
    built = container(store_url)
    try:
        duplicate = built.ledger.get_appeal(appeal_id_for("pos", "dup-7"))
        assert duplicate.duplicate_of == appeal_id_for("pos", "orig-7")
    finally:
        built.close()
