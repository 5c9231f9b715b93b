"""GraphiQL in Debian's headless chromium on a closed network: nothing comes from a CDN."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.api.chromium import open_closed
from tests.api.conftest import LiveServer, start_server, stop_server

EDITOR = ".graphiql-query-editor .CodeMirror"
RESPONSE = ".graphiql-response .CodeMirror"
# Rendering takes about a second here; at the old commit the page waits for a CDN forever.
MS = 10_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("graphiql")
    server = start_server(f"sqlite:///{folder / 'appeals.db'}", folder / "server.log")
    yield server
    stop_server(server)


def test_graphiql_runs_the_public_example_with_nothing_from_outside_the_server(
    browser: Browser, server: LiveServer, tmp_path: Path
) -> None:
    tab = open_closed(browser, server.graphql, 1280, 800)
    page = tab.page

    expect(page.locator(EDITOR)).to_contain_text("query PublicStatistics", timeout=MS)
    page.locator(".graphiql-execute-button").click()
    examples = page.get_by_role("menuitem").all_inner_texts()
    page.get_by_role("menuitem", name="PublicStatistics").click()
    expect(page.locator(RESPONSE)).to_contain_text('"statistics"', timeout=MS)
    page.screenshot(path=tmp_path / "graphiql.png")

    assert examples == ["PublicStatistics", "WorkQueue", "AuditTrail"]
    assert '"Authorization": "Bearer <token>"' in page.locator(EDITOR).inner_text()
    assert tab.blocked == []
    assert tab.complaints == []


def test_graphiql_fits_a_phone_screen(browser: Browser, server: LiveServer, tmp_path: Path) -> None:
    tab = open_closed(browser, server.graphql, 390, 844)
    page = tab.page

    expect(page.locator(EDITOR)).to_contain_text("query PublicStatistics", timeout=MS)
    page.screenshot(path=tmp_path / "graphiql-phone.png")

    run, response = page.locator(".graphiql-execute-button"), page.locator(".graphiql-response")
    # The editor fills before GraphiQL lays out its other panes (one CI run measured the
    # response pane while it had no box yet).
    for part in (run, response):
        expect(part).to_be_visible(timeout=MS)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for part in (run, response):
        box = part.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
    assert tab.blocked == []


def test_graphiql_says_plainly_when_its_assets_were_not_installed(
    browser: Browser, server: LiveServer
) -> None:
    tab = open_closed(browser, server.graphql, 1280, 800, refuse="/vendor/")

    message = tab.page.locator("#graphiql")

    expect(message).to_contain_text("make install", timeout=MS)
    assert "Loading" not in message.inner_text()
