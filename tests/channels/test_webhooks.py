"""Webhooks from the platform's side: documented payloads in, one appeal each, refusals out."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.channels.conftest import (
    MAIL_SECRET,
    MAILBOX,
    TG_BOT,
    VK_CONFIRMATION,
    VK_GROUP,
    Channels,
)
from tests.channels.payloads import (
    TG_HEADERS,
    TG_USER,
    VK_USER,
    email_message,
    tg_update,
    vk_comment,
    vk_confirmation,
    vk_message,
)
from tests.waiting import until

VK = f"/channels/vk/{VK_GROUP}"
TG = f"/channels/telegram/{TG_BOT}"
MAIL = f"/channels/email/{MAILBOX}"
JSON = "application/json"
APPEALS = """query($source: String!) { appeals(filter: {source: $source}, first: 50) {
  totalCount edges { node { uuid channel externalId body category source receivedAt text
  citizen { name contact } } } } }"""


def appeals_of(channels: Channels, source: str) -> list[dict[str, object]]:
    data = channels.graphql(APPEALS, {"source": source})
    connection = data["appeals"]
    assert isinstance(connection, dict)
    return [edge["node"] for edge in connection["edges"]]


def wait_for(channels: Channels, source: str, count: int) -> list[dict[str, object]]:
    until(lambda: len(appeals_of(channels, source)) >= count)
    return appeals_of(channels, source)


def the_appeal(channels: Channels, source: str, external_id: str) -> dict[str, object]:
    """The one appeal of ``source`` with that external id, once the views show it."""

    def found() -> list[dict[str, object]]:
        return [a for a in appeals_of(channels, source) if a["externalId"] == external_id]

    until(lambda: len(found()) == 1)
    return found()[0]


def test_vk_confirmation_is_answered_with_the_confirmation_string(channels: Channels) -> None:
    response = channels.post(VK, vk_confirmation(), JSON)

    assert response.status_code == 200
    assert response.text == VK_CONFIRMATION
    assert response.headers["content-type"].startswith("text/plain")


def test_a_vk_message_sent_five_times_and_concurrently_is_one_appeal(channels: Channels) -> None:
    payload = vk_message(4711)

    first = [channels.post(VK, payload, JSON) for _ in range(5)]
    with ThreadPoolExecutor(5) as pool:
        concurrent = list(pool.map(lambda _: channels.post(VK, payload, JSON), range(5)))

    assert [(r.status_code, r.text) for r in first + concurrent] == [(200, "ok")] * 10
    appeal = the_appeal(channels, f"vk:{VK_GROUP}", f"{VK_GROUP}:m4711")
    assert appeal["body"] == "city-hall"
    assert appeal["category"] == "roads"
    assert appeal["receivedAt"] == "2025-12-05T02:00:00+00:00"
    assert appeal["text"].startswith("Яма на Ленина 5\n[attachment: photo")
    assert appeal["citizen"]["contact"] == f"vk:{VK_USER}"
    assert str(VK_USER) not in appeal["externalId"]


def test_a_vk_wall_comment_is_an_appeal_and_the_communitys_own_is_not(channels: Channels) -> None:
    before = channels.head()

    own = channels.post(VK, vk_comment(10752, from_id=-int(VK_GROUP)), JSON)
    assert own.text == "ok"
    assert channels.head() == before
    replies = [channels.post(VK, vk_comment(10751), JSON) for _ in range(5)]

    assert {r.text for r in replies} == {"ok"}
    comment = the_appeal(channels, f"vk:{VK_GROUP}", f"{VK_GROUP}:w-{VK_GROUP}_10742_10751")
    assert [a for a in appeals_of(channels, f"vk:{VK_GROUP}") if "10752" in a["externalId"]] == []
    assert comment["receivedAt"] == "2025-12-05T02:01:00+00:00"


def test_a_long_message_with_control_characters_is_kept_not_refused(channels: Channels) -> None:
    text = "Строка\r\nвторая\x00" + "я" * 12_000

    response = channels.post(VK, vk_message(4900, text=text), JSON)

    assert response.text == "ok"
    appeal = the_appeal(channels, f"vk:{VK_GROUP}", f"{VK_GROUP}:m4900")
    assert appeal["text"].startswith("Строка\nвторая" + "я" * 10)
    assert appeal["text"].endswith("\n[truncated]")
    assert len(appeal["text"]) == 10_000


def test_a_wrong_vk_secret_is_403_and_records_nothing(channels: Channels) -> None:
    before = channels.head()

    response = channels.post(VK, vk_message(4800, secret="not-the-secret"), JSON)
    missing = channels.post(VK, vk_message(4801, secret=""), JSON)
    probing = channels.post(
        VK, b'{"type": "message_new", "group_id": %s, "object": {}}' % VK_GROUP.encode(), JSON
    )

    assert (response.status_code, missing.status_code, probing.status_code) == (403, 403, 403)
    assert channels.head() == before


def test_a_telegram_message_is_one_appeal_however_often_it_comes(channels: Channels) -> None:
    payload = tg_update(900001, 77)

    with ThreadPoolExecutor(5) as pool:
        responses = list(
            pool.map(lambda _: channels.post(TG, payload, JSON, **TG_HEADERS), range(5))
        )
    responses += [channels.post(TG, payload, JSON, **TG_HEADERS) for _ in range(5)]

    assert {r.status_code for r in responses} == {200}
    [appeal] = wait_for(channels, f"telegram:{TG_BOT}", 1)
    assert appeal["receivedAt"] == "2025-12-05T02:02:00+00:00"
    assert appeal["text"] == "Не вывозят мусор"
    assert appeal["citizen"] == {"name": "Иван Петров", "contact": f"telegram:{TG_USER}"}
    assert str(TG_USER) not in appeal["externalId"]


def test_a_wrong_or_missing_telegram_secret_is_403_and_records_nothing(channels: Channels) -> None:
    before = channels.head()

    wrong = channels.post(
        TG, tg_update(900002, 78), JSON, **{"x-telegram-bot-api-secret-token": "guess"}
    )
    missing = channels.post(TG, tg_update(900003, 79), JSON)

    assert (wrong.status_code, missing.status_code) == (403, 403)
    assert channels.head() == before


def test_an_edited_telegram_message_changes_nothing(channels: Channels) -> None:
    before = channels.head()
    edited = tg_update(900004, 77).replace(b'"message"', b'"edited_message"')

    response = channels.post(TG, edited, JSON, **TG_HEADERS)

    assert response.status_code == 200
    assert channels.head() == before


def test_an_email_is_one_appeal_with_its_subject_text_and_attachment(channels: Channels) -> None:
    raw = email_message()

    responses = [
        channels.post(MAIL, raw, "message/rfc822", **{"x-appeals-secret": MAIL_SECRET})
        for _ in range(5)
    ]

    assert [r.json()["created"] for r in responses] == [True, False, False, False, False]
    [appeal] = wait_for(channels, f"email:{MAILBOX}", 1)
    assert appeal["externalId"] == "<20251205.0001@mail.example>"
    assert appeal["body"] == "ministry-of-health"
    assert appeal["receivedAt"] == "2025-12-05T02:03:00+00:00"
    assert appeal["text"].startswith("Жалоба на работу поликлиники №3\n\nЗдравствуйте! Запись")
    assert "[attachment: image/jpeg, талон.jpg, 1000 bytes]" in appeal["text"]
    assert appeal["citizen"] == {"name": "Мария Сидорова", "contact": "maria.sidorova@mail.example"}


def test_a_raw_utf8_message_as_the_readme_sends_it_is_read_as_utf8(channels: Channels) -> None:
    raw = (
        "From: Мария <maria@mail.example>\r\nMessage-ID: <m1@mail.example>\r\n"
        "Date: Fri, 05 Dec 2025 05:03:00 +0300\r\nSubject: Жалоба\r\n\r\n"
        "Запись к терапевту недоступна.\r\n"
    ).encode()

    response = channels.post(MAIL, raw, "message/rfc822", **{"x-appeals-secret": MAIL_SECRET})

    assert response.status_code == 200
    appeal = the_appeal(channels, f"email:{MAILBOX}", "<m1@mail.example>")
    assert appeal["text"] == "Жалоба\n\nЗапись к терапевту недоступна."
    assert appeal["citizen"] == {"name": "Мария", "contact": "maria@mail.example"}


def test_an_email_sent_concurrently_is_one_appeal_and_a_wrong_secret_records_nothing(
    channels: Channels,
) -> None:
    raw = email_message("<concurrent@mail.example>")
    before = channels.head()
    wrong = channels.post(MAIL, raw, "message/rfc822", **{"x-appeals-secret": "guess"})
    missing = channels.post(MAIL, raw, "message/rfc822")
    assert (wrong.status_code, missing.status_code) == (403, 403)
    assert channels.head() == before

    with ThreadPoolExecutor(5) as pool:
        responses = list(
            pool.map(
                lambda _: channels.post(
                    MAIL, raw, "message/rfc822", **{"x-appeals-secret": MAIL_SECRET}
                ),
                range(5),
            )
        )

    assert sorted(r.json()["created"] for r in responses) == [False, False, False, False, True]
    assert len({r.json()["appealId"] for r in responses}) == 1
    the_appeal(channels, f"email:{MAILBOX}", "<concurrent@mail.example>")


def test_bad_requests_are_refused_with_their_codes_and_counted(channels: Channels) -> None:
    before = channels.head()
    mail_headers = {"x-appeals-secret": MAIL_SECRET}

    cases = {
        "unknown channel": channels.post(f"/channels/fax/{VK_GROUP}", b"{}", JSON),
        "unknown source": channels.post("/channels/vk/1", vk_message(1), JSON),
        "bad json": channels.post(VK, b"{not json", JSON),
        "wrong type": channels.post(VK, vk_message(2), "text/plain"),
        "unknown shape": channels.post(VK, b'{"hello": "world"}', JSON),
        "no message id": channels.post(
            MAIL, b"Subject: x\r\n\r\nbody", "message/rfc822", **mail_headers
        ),
        "mail as json": channels.post(MAIL, b"{}", JSON, **mail_headers),
        "too large": channels.post(VK, b" " * 2_000_000, JSON),
    }

    codes = {name: response.status_code for name, response in cases.items()}
    assert codes == {
        "unknown channel": 404,
        "unknown source": 404,
        "bad json": 400,
        "wrong type": 400,
        "unknown shape": 400,
        "no message id": 400,
        "mail as json": 400,
        "too large": 413,
    }
    assert all("\n" not in r.text.strip() for r in cases.values() if r.status_code == 400)
    assert channels.head() == before
    metrics = httpx.get(f"{channels.server.url}/metrics", timeout=10).text
    for channel, reason in [
        ("unknown", "unknown_channel"),
        ("vk", "unknown_source"),
        ("vk", "bad_json"),
        ("vk", "wrong_content_type"),
        ("vk", "bad_payload"),
        ("email", "bad_payload"),
        ("vk", "too_large"),
    ]:
        line = f'appeals_channel_refusals_total{{channel="{channel}",reason="{reason}"}}'
        assert line in metrics, line


def test_a_disabled_source_is_404_and_its_appeals_stay(channels: Channels) -> None:
    source = f"email:{MAILBOX}"
    kept = len(wait_for(channels, source, 1))

    result = channels.cli("sources", "disable", MAILBOX)
    response = channels.post(
        MAIL,
        email_message("<another@mail.example>"),
        "message/rfc822",
        **{"x-appeals-secret": MAIL_SECRET},
    )

    assert result.returncode == 0, result.stderr
    assert response.status_code == 404
    assert len(appeals_of(channels, source)) == kept
    assert (
        channels.cli(
            "sources",
            "add",
            "email",
            MAILBOX,
            "--body",
            "ministry-of-health",
            "--secret",
            MAIL_SECRET,
        ).returncode
        == 0
    )
