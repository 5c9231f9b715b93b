"""Sources from the admin's side: the CLI, GraphQL, and what a copy of the store reveals."""

from __future__ import annotations

import mailbox

from ledger.values import Role
from tests.channels.conftest import (
    MAILBOX,
    SECRETS,
    TG_BOT,
    VK_GROUP,
    VK_SECRET,
    Channels,
)
from tests.channels.fakes import VK_TOKEN
from tests.channels.payloads import (
    TG_HEADERS,
    TG_USER,
    VK_USER,
    email_message,
    tg_update,
    vk_message,
)
from tests.store_scan import every_row

ADD = """mutation($input: AddSourceInput!) { addSource(input: $input) {
  id enabled webhookPath hasSecret hasConfirmation hasToken body } }"""
SOURCES = "{ sources { id channel platformId body category enabled hasSecret hasToken } }"


def store_dump(channels: Channels) -> str:
    """Every row of every table of the store, as text: what a copy of the database shows."""
    url = channels.server.database_url
    rows = "\n".join(repr(row) for row in every_row(url))
    return rows if url.startswith("sqlite") else rows.replace("\\x", "")


def test_sources_are_listed_without_their_secrets(channels: Channels) -> None:
    listing = channels.cli("sources", "list")

    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == [
        f"email:{MAILBOX}",
        f"telegram:{TG_BOT}",
        f"vk:{VK_GROUP}",
    ]
    assert f"vk:{VK_GROUP}\tenabled\tbody=city-hall" in listing.stdout
    assert "secrets=secret,confirmation,token" in listing.stdout
    assert not [s for s in SECRETS if s in listing.stdout]


def test_a_copy_of_the_store_reveals_no_secret_and_no_sender(channels: Channels) -> None:
    vk = channels.post(f"/channels/vk/{VK_GROUP}", vk_message(5001), "application/json")
    tg = channels.post(
        f"/channels/telegram/{TG_BOT}", tg_update(700001, 9001), "application/json", **TG_HEADERS
    )
    mail = channels.post(
        f"/channels/email/{MAILBOX}",
        email_message("<dump@mail.example>"),
        "message/rfc822",
        **{"x-appeals-secret": "mail-gateway-secret-31337"},
    )

    dump = store_dump(channels)

    assert (vk.status_code, tg.status_code, mail.status_code) == (200, 200, 200)
    assert "city-hall" in dump  # the dump does show the tables' contents
    assert not [s for s in SECRETS if s in dump]
    for personal in (str(VK_USER), str(TG_USER), "maria.sidorova", "Сидорова", "Иван"):
        assert personal not in dump, personal


def test_unknown_options_and_channels_are_refused_in_one_line(channels: Channels) -> None:
    no_secret = channels.cli("sources", "add", "vk", "1", "--body", "b")
    bad_channel = channels.cli("sources", "add", "fax", "1", "--body", "b", "--secret", "s")
    not_a_community = channels.cli("sources", "add", "vk", "club1", "--body", "b", "--secret", "s")
    unknown = channels.cli("sources", "disable", "999")

    assert no_secret.stderr == "appeals: BAD_USER_INPUT: secret is required for vk webhooks\n"
    assert bad_channel.stderr == (
        "appeals: BAD_USER_INPUT: channel must be one of vk|telegram|max|ok|email\n"
    )
    assert not_a_community.returncode == 1
    assert unknown.stderr == "appeals: NOT_FOUND: there is no source 999\n"


def test_admins_manage_sources_over_graphql_and_never_read_secrets(channels: Channels) -> None:
    source = {
        "channel": "vk",
        "platformId": "100200",
        "body": "district-7",
        "secret": VK_SECRET + "-2",
        "token": VK_TOKEN + "-2",
    }

    added = channels.graphql(ADD, {"input": source}, role=Role.ADMIN)
    listed = channels.graphql(SOURCES, role=Role.ADMIN)
    disabled = channels.graphql(
        'mutation { disableSource(id: "vk:100200") { id enabled } }', role=Role.ADMIN
    )
    operator = channels.server.post(
        SOURCES, token=channels.server.token(Role.SUPERVISOR, body="district-7")
    )

    assert added["addSource"] == {
        "id": "vk:100200",
        "enabled": True,
        "hasSecret": True,
        "webhookPath": "/channels/vk/100200",
        "hasConfirmation": False,
        "hasToken": True,
        "body": "district-7",
    }
    assert {
        "id": "vk:100200",
        "channel": "vk",
        "platformId": "100200",
        "body": "district-7",
        "category": None,
        "enabled": True,
        "hasSecret": True,
        "hasToken": True,
    } in listed["sources"]
    assert disabled["disableSource"] == {"id": "vk:100200", "enabled": False}
    assert operator.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert VK_SECRET not in str(listed) and VK_TOKEN not in str(listed)


def test_import_mail_records_an_mbox_and_a_folder_once(channels: Channels) -> None:
    box = mailbox.mbox(channels.folder / "inbox.mbox")
    for n in range(3):
        box.add(email_message(f"<mbox-{n}@mail.example>"))
    box.close()
    folder = channels.folder / "eml"
    folder.mkdir()
    (folder / "a.eml").write_bytes(email_message("<mbox-0@mail.example>"))
    (folder / "b.eml").write_bytes(email_message("<eml-1@mail.example>"))
    (folder / "broken.eml").write_bytes(b"no headers at all")

    first = channels.cli("import-mail", MAILBOX, str(channels.folder / "inbox.mbox"))
    again = channels.cli("import-mail", MAILBOX, str(channels.folder / "inbox.mbox"))
    eml = channels.cli("import-mail", MAILBOX, str(folder))
    unknown = channels.cli("import-mail", "nobody@city.example", str(folder))

    assert first.stdout.splitlines()[-1] == "3 recorded, 0 repeated, 0 refused"
    assert again.stdout.splitlines()[-1] == "0 recorded, 3 repeated, 0 refused"
    assert eml.stdout.splitlines()[-1] == "1 recorded, 1 repeated, 1 refused"
    assert "skipped broken.eml: the body is not an RFC 5322 message" in eml.stdout
    assert unknown.stderr == "appeals: NOT_FOUND: there is no source email:nobody@city.example\n"
