"""``APPEALS_WITNESSES`` is read once, and a wrong entry is a clear error at start-up."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.settings import Settings, SettingsError
from ledger.verify.vkey import COSIGNATURE, verifier_key

WITNESS = verifier_key("w.example/1", Ed25519PrivateKey.generate().public_key(), COSIGNATURE)
LOG_KEY = verifier_key("appeals-ledger", Ed25519PrivateKey.generate().public_key())


def test_witnesses_are_url_and_key_pairs_separated_by_commas_or_lines() -> None:
    value = f"http://127.0.0.1:9100 {WITNESS.text()},\n https://w.example {WITNESS.text()}\n"

    settings = Settings.from_environ({"APPEALS_WITNESSES": value})

    assert settings.witnesses == (
        ("http://127.0.0.1:9100", WITNESS.text()),
        ("https://w.example", WITNESS.text()),
    )
    assert Settings.from_environ({}).witnesses == ()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("http://127.0.0.1:9100", "is not 'URL VERIFIER-KEY'"),
        (f"ftp://w.example {WITNESS.text()}", "is not 'URL VERIFIER-KEY'"),
        ("http://127.0.0.1:9100 not-a-key", "key-unreadable"),
        (f"http://127.0.0.1:9100 {LOG_KEY.text()}", "is not a witness cosignature key"),
    ],
    # The keys are fresh each run: ids of their own keep the test names stable (pytest-xdist).
    ids=["no-key", "not-http", "unreadable-key", "log-key-as-witness"],
)
def test_a_wrong_witness_entry_is_refused_with_its_reason(value: str, says: str) -> None:
    with pytest.raises(SettingsError, match="APPEALS_WITNESSES") as raised:
        Settings.from_environ({"APPEALS_WITNESSES": value})

    assert says in str(raised.value)
