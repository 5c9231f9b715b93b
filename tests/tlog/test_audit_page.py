"""``/audit`` in Debian's headless chromium: the page in Russian, and the check in the browser.

The browser verifies the checkpoint's Ed25519 signature and each inclusion proof itself
(Web Crypto); a proof changed on its way from the server shows as a failure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.api.chromium import headless_chromium, open_closed
from tests.api.conftest import LiveServer, start_server, stop_server
from tests.tlog.cosigned import cosigned_log

MS = 10_000

pytestmark = pytest.mark.slow


@dataclass
class Site:
    """A served, cosigned log and one appeal in it."""

    live: LiveServer
    vkey: str
    appeal: str
    versions: int


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("auditpage")
    with cosigned_log("sqlite", folder, count=20, seed=4) as log:
        appeal = log.appeals[-1]
        live = start_server(
            log.url, folder / "server.log", APPEALS_CHECKPOINT_INTERVAL="0", **log.env
        )
        yield Site(live, log.log_vkey, appeal, log.events_of(appeal))
        stop_server(live)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with headless_chromium() as launched:
        yield launched


def test_the_page_checks_an_appeal_in_the_browser_and_fits_a_phone(
    browser: Browser, site: Site, tmp_path: Path
) -> None:
    tab = open_closed(browser, f"{site.live.url}/audit", 390, 900)
    page = tab.page

    page.get_by_label("Идентификатор обращения").fill(site.appeal)
    page.get_by_role("button", name="Проверить").click()
    result = page.locator("#result")
    expect(result).to_contain_text("включена в дерево из", timeout=MS)
    page.screenshot(path=tmp_path / "audit-phone.png", full_page=True)

    text = result.inner_text()
    assert "✓ подпись журнала верна (Ed25519)" in text
    assert "✓ заверили свидетели: witness.test/w1" in text
    assert text.count("включена в дерево\n") + text.endswith("включена в дерево") == site.versions
    assert "✗" not in text
    assert page.locator("#vkey").inner_text() == site.vkey
    assert "witness.test/w1" in page.locator("table").inner_text()
    assert page.locator("h1").inner_text() == "Проверка журнала обращений"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert tab.blocked == []
    assert tab.complaints == []


def test_a_proof_changed_on_its_way_fails_in_the_browser(browser: Browser, site: Site) -> None:
    page = open_closed(browser, f"{site.live.url}/audit", 1280, 900).page

    def tamper(route: Route) -> None:
        answer = route.fetch()
        data = json.loads(answer.text())
        data["events"][0]["proof"][0] = "A" * 43 + "="
        route.fulfill(response=answer, body=json.dumps(data))

    page.route("**/ledger/inclusion/**", tamper)
    page.get_by_label("Идентификатор обращения").fill(site.appeal)
    page.get_by_role("button", name="Проверить").click()
    result = page.locator("#result")
    expect(result).to_contain_text("Проверка не прошла", timeout=MS)

    assert "✗ версия 1" in result.inner_text()
    assert "НЕ сходится с корнем" in result.inner_text()


def test_an_unknown_or_malformed_id_is_said_plainly(browser: Browser, site: Site) -> None:
    page = open_closed(browser, f"{site.live.url}/audit", 1280, 900).page
    field, button = page.get_by_label("Идентификатор обращения"), page.get_by_role("button")

    field.fill("не номер")
    button.click()
    expect(page.locator("#result")).to_contain_text("Это не идентификатор обращения", timeout=MS)
    field.fill("00000000-0000-4000-8000-000000000000")
    button.click()
    expect(page.locator("#result")).to_contain_text("не найдено в журнале", timeout=MS)
