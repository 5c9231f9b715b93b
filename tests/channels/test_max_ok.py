"""MAX and OK: documented payloads become appeals once; answers reach the fakes once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from ledger.values import Role
from tests.channels.conftest import Channels
from tests.channels.fakes_chat import MAX_TOKEN, OK_TOKEN, FakeMessengers
from tests.channels.payloads_chat import (
    MAX_BOT,
    MAX_SECRET,
    MAX_USER,
    OK_CHAT,
    OK_GROUP,
    OK_SECRET,
    max_bot_started,
    max_message,
    ok_chat_event,
    ok_message,
)
from tests.channels.test_delivery import answer, appeal_id, deliveries, history
from tests.waiting import until

JSON = "application/json"
MAX_PATH = f"/channels/max/{MAX_BOT}"
OK_PATH = f"/channels/ok/{OK_GROUP}?secret={OK_SECRET}"
MAX_HEADERS = {"x-max-bot-api-secret": MAX_SECRET}
DETAILS = """query($source: String!) { appeals(filter: {source: $source}, first: 50) {
  edges { node { externalId body category department status receivedAt source text } } } }"""


@pytest.fixture(scope="module")
def messengers() -> Iterator[FakeMessengers]:
    with FakeMessengers() as started:
        yield started


@pytest.fixture(scope="module")
def server_env(messengers: FakeMessengers) -> dict[str, str]:
    return {
        "APPEALS_MAX_API_URL": messengers.url,
        "APPEALS_OK_API_URL": f"{messengers.url}/",
        "APPEALS_DELIVERY_RETRY_SECONDS": "0.2",
        "APPEALS_ACCESS_LOG": "true",
    }


@pytest.fixture(scope="module")
def fake(channels: Channels, messengers: FakeMessengers) -> FakeMessengers:
    """The fake, emptied for each store, with the MAX and OK sources added by the CLI."""
    messengers.reset()
    max_token = channels.folder / "max.token"
    max_token.write_text(MAX_TOKEN)
    ok_token = channels.folder / "ok.token"
    ok_token.write_text(f"{OK_TOKEN}\n")
    for args in (
        ["max", MAX_BOT, "--body", "city-hall", "--department", "lighting"],
        ["ok", OK_GROUP, "--body", "housing-office", "--category", "lifts"],
    ):
        secret = MAX_SECRET if args[0] == "max" else OK_SECRET
        token = max_token if args[0] == "max" else ok_token
        result = channels.cli(
            "sources", "add", *args, "--secret", secret, "--token-file", str(token)
        )
        assert result.returncode == 0, result.stderr
    return messengers


def details(channels: Channels, source: str) -> list[dict[str, object]]:
    """The source's appeals, from views that show every write so far: a webhook's write is
    the platform's, not this reader's, so the reader names the log head it must see."""
    data = channels.graphql(DETAILS, {"source": source}, position=channels.head())
    edges = data["appeals"]["edges"]  # type: ignore[index]
    return [e["node"] for e in edges]


def test_a_max_message_in_a_dialog_becomes_one_appeal(
    channels: Channels, fake: FakeMessengers
) -> None:
    payload = max_message("mid.ffffbdb48e6c3775019d496b34394b84")
    for _ in range(5):
        assert channels.post(MAX_PATH, payload, JSON, **MAX_HEADERS).status_code == 200
    with ThreadPoolExecutor(5) as pool:
        codes = list(
            pool.map(lambda _: channels.post(MAX_PATH, payload, JSON, **MAX_HEADERS), range(5))
        )
    assert [r.status_code for r in codes] == [200] * 5

    [appeal] = details(channels, f"max:{MAX_BOT}")
    assert appeal["externalId"] == f"{MAX_BOT}:mid.ffffbdb48e6c3775019d496b34394b84"
    # The source's default department routes it on receipt; nobody has taken it yet.
    assert (appeal["body"], appeal["department"], appeal["status"]) == (
        "city-hall",
        "lighting",
        "RECEIVED",
    )
    assert appeal["receivedAt"] == "2025-12-05T02:00:00.123000+00:00"
    assert str(appeal["text"]).startswith("Не горит фонарь у дома 7")
    assert str(MAX_USER) not in json.dumps(appeal)


def test_an_ok_message_becomes_one_appeal_with_the_sources_category(
    channels: Channels, fake: FakeMessengers
) -> None:
    payload = ok_message("mid:C3ecb9d02a600.15cea67d78d2059")
    with ThreadPoolExecutor(5) as pool:
        codes = list(pool.map(lambda _: channels.post(OK_PATH, payload, JSON), range(5)))
    assert {r.status_code for r in codes} == {200}
    assert codes[0].json() == {"success": True}

    [appeal] = details(channels, f"ok:{OK_GROUP}")
    assert appeal["externalId"] == f"{OK_GROUP}:mid:C3ecb9d02a600.15cea67d78d2059"
    assert (appeal["body"], appeal["category"]) == ("housing-office", "lifts")
    assert appeal["receivedAt"] == "2025-12-05T02:00:00.123000+00:00"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (MAX_PATH, {"x-max-bot-api-secret": "wrong-secret"}),
        (MAX_PATH, {}),
        (f"/channels/ok/{OK_GROUP}?secret=wrong", {}),
        (f"/channels/ok/{OK_GROUP}", {}),
    ],
)
def test_a_wrong_or_missing_secret_is_refused_and_records_nothing(
    channels: Channels, fake: FakeMessengers, path: str, headers: dict[str, str]
) -> None:
    head = channels.head()
    body = max_message("mid.a1") if "max" in path else ok_message("mid:C1.a1")

    response = channels.post(path, body, JSON, **headers)

    assert (response.status_code, response.text) == (403, "wrong secret\n")
    assert channels.head() == head


def test_other_updates_are_acknowledged_and_record_nothing(
    channels: Channels, fake: FakeMessengers
) -> None:
    head = channels.head()
    group_chat = max_message("mid.b2", recipient={"chat_id": -7, "chat_type": "chat"})
    for path, payload, headers in (
        (MAX_PATH, max_bot_started(), MAX_HEADERS),
        (MAX_PATH, group_chat, MAX_HEADERS),
        (OK_PATH, ok_chat_event(), {}),
    ):
        assert channels.post(path, payload, JSON, **headers).status_code == 200
    assert channels.head() == head
    bad = channels.post(MAX_PATH, b'{"update_type": "message_created"}', JSON, **MAX_HEADERS)
    assert (bad.status_code, bad.text) == (400, "update.timestamp is missing or not a int\n")


def test_a_max_answer_replies_to_the_message_once_through_failures(
    channels: Channels, fake: FakeMessengers
) -> None:
    channels.post(MAX_PATH, max_message("mid.00c0ffee"), JSON, **MAX_HEADERS)
    appeal = appeal_id(channels, f"max:{MAX_BOT}", ":mid.00c0ffee")
    fake.fail_next = 2

    answer(channels, appeal, "Фонарь заменят в четверг.")

    until(lambda: history(channels, appeal)["answers"] == [{"delivery": "delivered"}])
    [post] = [p for p in fake.posts if p.body and p.body.get("text") == "Фонарь заменят в четверг."]
    assert (post.path, post.query) == ("/messages", {"user_id": str(MAX_USER)})
    assert post.headers["authorization"] == MAX_TOKEN
    assert post.body["link"] == {"type": "reply", "mid": "mid.00c0ffee"}
    assert deliveries(channels, appeal) == [
        ("DeliveryFailed", "POST /messages: HTTP 503: internal: Service Unavailable"),
        ("DeliveryFailed", "POST /messages: HTTP 503: internal: Service Unavailable"),
        ("AnswerDelivered", f"mid.answer{len(fake.posts):04d}"),
    ]


def test_an_ok_answer_goes_into_the_citizens_chat_once(
    channels: Channels, fake: FakeMessengers
) -> None:
    channels.post(OK_PATH, ok_message("mid:C3ecb9d02a600.ab01"), JSON)
    appeal = appeal_id(channels, f"ok:{OK_GROUP}", ".ab01")
    fake.fail_next = 1

    answer(channels, appeal, "Лифт запустят завтра.")

    until(lambda: history(channels, appeal)["answers"] == [{"delivery": "delivered"}])
    [post] = [p for p in fake.posts if p.path.startswith("/graph/") and "Лифт" in str(p.body)]
    assert (post.path, post.query) == (f"/graph/me/messages/{OK_CHAT}", {"access_token": OK_TOKEN})
    assert post.body["recipient"] == {"chat_id": OK_CHAT}
    assert [kind for kind, _ in deliveries(channels, appeal)] == [
        "DeliveryFailed",
        "AnswerDelivered",
    ]


def test_no_max_or_ok_secret_reaches_the_log_or_a_response(
    channels: Channels, fake: FakeMessengers
) -> None:
    channels.post(f"/channels/ok/{OK_GROUP}?secret=x", ok_message("mid:C1.z"), JSON)
    channels.post(MAX_PATH, max_message("mid.z"), JSON, **{"x-max-bot-api-secret": "x"})
    listing = channels.cli("sources", "list")
    metrics = httpx.get(f"{channels.server.url}/metrics", timeout=10).text
    for channel in ("max", "ok"):  # every refusal is counted by channel and reason
        assert (
            f'appeals_channel_refusals_total{{channel="{channel}",reason="bad_secret"}}' in metrics
        )
    sources = channels.graphql("{ sources { id hasSecret hasToken } }", role=Role.ADMIN)
    output = "\n".join([listing.stdout, listing.stderr, metrics, str(sources)])
    output += channels.server.log.read_text()

    assert f"POST /channels/ok/{OK_GROUP}?secret=[redacted]" in output  # the access log
    leaked = [s for s in (MAX_SECRET, MAX_TOKEN, OK_SECRET, OK_TOKEN) if s in output]
    assert leaked == []
