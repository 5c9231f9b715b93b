"""A receipt seals the citizen and the text under the citizen's key; both open again."""

from __future__ import annotations

import json
from dataclasses import asdict

from ledger.privacy import Citizen, CitizenVault, MemoryKeyStore, _open


def test_a_sealed_intake_opens_to_the_citizen_and_the_text() -> None:
    keys = MemoryKeyStore()
    vault = CitizenVault(keys)
    citizen = Citizen(name="Иванов И. И.", contact="+7 900 000-00-00", address="ул. Ленина, 1")

    sealed, text = vault.seal_intake("c-1", citizen, "Нет воды")

    assert vault.open("c-1", sealed) == citizen
    assert vault.open_texts("c-1", [text]) == ["Нет воды"]
    key = keys.get("c-1")
    assert key is not None
    opened = _open(key, sealed, b"c-1")
    assert opened == json.dumps(asdict(citizen), ensure_ascii=False).encode()
