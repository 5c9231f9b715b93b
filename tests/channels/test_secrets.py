"""No secret or token appears in any response, log line, metric or error: searched for."""

from __future__ import annotations

import httpx
import pytest

from ledger.values import Role
from tests.channels.conftest import SECRETS, TG_BOT, VK_CONFIRMATION, VK_GROUP, Channels
from tests.channels.fakes import TG_TOKEN, VK_TOKEN, FakePlatform
from tests.channels.payloads import TG_HEADERS, tg_update, vk_comment, vk_confirmation, vk_message
from tests.channels.test_delivery import HISTORY, answer, appeal_id, history
from tests.waiting import until

JSON = "application/json"


@pytest.fixture(scope="module")
def server_env(platform: FakePlatform) -> dict[str, str]:
    return {
        "APPEALS_VK_API_URL": platform.url,
        "APPEALS_TELEGRAM_API_URL": platform.url,
        "APPEALS_DELIVERY_RETRY_SECONDS": "0.2",
        "APPEALS_ACCESS_LOG": "true",
    }


def test_no_secret_reaches_any_output(channels: Channels, fake: FakePlatform) -> None:
    captured: list[str] = []
    keep = captured.append
    vk, tg = f"/channels/vk/{VK_GROUP}", f"/channels/telegram/{TG_BOT}"
    # The confirmation string is VK's protocol: it is the one answer that must carry it.
    assert channels.post(vk, vk_confirmation(), JSON).text == VK_CONFIRMATION
    for args in (
        ["sources", "list"],
        ["sources", "add", "vk", VK_GROUP, "--body", "x"],
        [
            "sources",
            "add",
            "telegram",
            TG_BOT,
            "--body",
            "x",
            "--secret",
            "s",
            "--token-file",
            "/nonexistent",
        ],
    ):
        result = channels.cli(*args)
        keep(result.stdout + result.stderr)
    for response in (
        channels.post(vk, vk_message(9001), JSON),
        channels.post(vk, vk_message(9002, secret="wrong"), JSON),
        channels.post(vk, vk_comment(9003), JSON),
        channels.post(tg, tg_update(990001, 51), JSON, **TG_HEADERS),
        channels.post(tg, tg_update(990002, 52), JSON, **{"x-telegram-bot-api-secret-token": "x"}),
        channels.post(vk, b"{", JSON),
    ):
        keep(response.text + str(response.headers))
    fake.echo_token_in_errors = 2
    fake.fail_next = 0
    vk_appeal = appeal_id(channels, f"vk:{VK_GROUP}", ":m9001")
    tg_appeal = appeal_id(channels, f"telegram:{TG_BOT}", ":51")
    answer(channels, vk_appeal, "Ответ в VK.")
    until(lambda: history(channels, vk_appeal)["answers"] == [{"delivery": "delivered"}])
    fake.fail_next = 1
    answer(channels, tg_appeal, "Ответ в Telegram.")
    until(lambda: history(channels, tg_appeal)["answers"] == [{"delivery": "delivered"}])
    for global_id in (vk_appeal, tg_appeal):
        keep(str(channels.graphql(HISTORY, {"id": global_id}, role=Role.ADMIN)))
    keep(str(channels.graphql("{ sources { id hasSecret hasToken } }", role=Role.ADMIN)))
    keep(httpx.get(f"{channels.server.url}/metrics", timeout=10).text)
    keep(httpx.get(f"{channels.server.url}/readyz", timeout=10).text)
    keep(channels.server.log.read_text())

    output = "\n".join(captured)

    # The secrets were used: the platform saw the tokens, and errors quoting them were met.
    assert {p.params.get("access_token") for p in fake.posts} >= {VK_TOKEN}
    assert any(path == f"/bot{TG_TOKEN}/sendMessage" for path, _ in fake.requests)
    assert "VK error 10: Internal server error: token *** timed out" in output
    assert "POST /channels/telegram" in output  # the access log is in what was searched
    assert [secret for secret in SECRETS if secret in output] == []
