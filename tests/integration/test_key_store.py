"""The citizen key store on both stores: one key per citizen until it is destroyed."""

from __future__ import annotations

from api.container import Container


def test_a_citizen_keeps_one_key_until_it_is_destroyed(container: Container) -> None:
    keys = container.ledger.vault.keys

    first = keys.get_or_create("cit-1")
    again = keys.get_or_create("cit-1")
    other = keys.get_or_create("cit-2")
    destroyed = keys.destroy("cit-1")
    fresh = keys.get_or_create("cit-1")

    assert again == first
    assert other != first
    assert destroyed
    assert keys.get("cit-2") == other
    assert fresh != first
    assert len(fresh) == 32
