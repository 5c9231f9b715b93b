"""``appeals demo --csv``: a centres' file with realistic faults, and its import, on both stores."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from tests.migration.lines import appeals, stored_events


def test_the_demo_csv_has_the_centres_faults_and_the_import_names_every_faulty_row(
    store_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "centre.csv"
    errors = tmp_path / "errors.csv"

    made = appeals(
        "demo",
        "--appeals",
        "1500",
        "--seed",
        "3",
        "--until",
        "2026-06-01",
        "--csv",
        str(source),
        url=store_url,
    )
    first = appeals("import", str(source), "--quiet", "--errors", str(errors), url=store_url)
    stored = stored_events(store_url)
    again = appeals("import", str(source), "--quiet", url=store_url)

    assert made.returncode == 0, made.stderr
    raw = source.read_bytes()
    raw.decode("cp1251")
    assert not _is_utf8(raw)
    counts = [
        int(n) for n in re.findall(r"(\d+) (?:without|answered|duplicated|texts)", made.stdout)
    ]
    missing, early, duplicated, semicolons = counts
    assert missing and early and duplicated and semicolons
    assert first.returncode == 1
    with errors.open(encoding="utf-8") as f:
        refused = list(csv.DictReader(f))
    assert sum(r["field"] == "received_at" for r in refused) == missing
    assert sum("precedes the appeal's receipt" in r["reason"] for r in refused) == early
    # A duplicate of a refused appeal is refused too: its original is not there.
    cascaded = [r for r in refused if r["field"] == "duplicateOf"]
    assert all(r["reason"] == "duplicateOf names no existing appeal" for r in cascaded)
    assert len(refused) - len(cascaded) == missing + early
    refused_appeals = {r["appeal"].split(":", 1)[1] for r in refused}
    stored_ids = {appeal for appeal, _, _ in stored}
    assert len(stored_ids) == 1500 - len(refused_appeals)
    assert f"{duplicated} already stored" in first.stdout
    assert again.returncode == 1 and "wrote 0 events" in again.stdout
    assert stored_events(store_url) == stored


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
