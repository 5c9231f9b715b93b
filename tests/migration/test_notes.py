"""Internal notes travel through import and export: sealed like answers, opened with --pii."""

from __future__ import annotations

import json
from pathlib import Path

from ledger.domain import appeal_id_for
from tests.migration.lines import appeals, container, history, line, write

NOTE_AT = "2025-03-05T10:00:00+03:00"


def _notes(url: str, external_id: str) -> list[tuple[str | None, str, str, str]]:
    """Each note of the appeal as (text in clear, author id, author role, business time)."""
    built = container(url)
    try:
        appeal = built.ledger.get_appeal(appeal_id_for("pos", external_id))
        texts = built.ledger.open_texts([(n.text, n.text_key) for n in appeal.notes])
        return [
            (text, n.actor_id, n.actor_role, n.at.isoformat())
            for n, text in zip(appeal.notes, texts, strict=True)
        ]
    finally:
        built.close()


def test_a_note_is_imported_sealed_and_exported_in_clear_only_with_pii(
    store_url: str, tmp_path: Path
) -> None:
    rows = history("60")
    note = line(
        "pos",
        "60",
        "note_added",
        NOTE_AT,
        text="Иванов звонил",
        actor={"id": "op-7", "role": "operator"},
    )
    imported = appeals("import", str(write(tmp_path / "in.jsonl", [*rows, note])), url=store_url)
    assert imported.returncode == 0, imported.stderr

    expected = [("Иванов звонил", "op-7", "operator", "2025-03-05T07:00:00+00:00")]
    assert _notes(store_url, "60") == expected
    built = container(store_url)
    try:
        stored = built.ledger.get_appeal(appeal_id_for("pos", "60")).notes[0]
    finally:
        built.close()
    assert stored.text_key is not None and "Иванов" not in stored.text  # sealed at rest

    with_pii = tmp_path / "pii.jsonl"
    without = tmp_path / "plain.jsonl"
    assert appeals("export", "--pii", "-o", str(with_pii), "--quiet", url=store_url).returncode == 0
    assert appeals("export", "-o", str(without), "--quiet", url=store_url).returncode == 0
    pii_notes = [json.loads(x) for x in with_pii.read_text().splitlines() if "note_added" in x]
    plain_notes = [json.loads(x) for x in without.read_text().splitlines() if "note_added" in x]
    assert [n["fields"] for n in pii_notes] == [{"text": "Иванов звонил"}]
    assert [n["actor"] for n in pii_notes] == [{"id": "op-7", "role": "operator"}]
    assert [n["fields"] for n in plain_notes] == [{}]
    assert "Иванов звонил" not in without.read_text()
