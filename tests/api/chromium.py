"""Debian's headless chromium for the page tests, on a closed network: only 127.0.0.1 answers."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def headless_chromium() -> Iterator[Browser]:
    """Debian's chromium, or a skip (a failure under CI=true) where it is not installed."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is missing under CI=true: make /usr/bin/chromium")
        pytest.skip("Debian's chromium is missing: make /usr/bin/chromium installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


@dataclass
class ClosedNetworkPage:
    """A browser tab that reaches only 127.0.0.1, with what it tried beyond and complained of."""

    page: Page
    blocked: list[str] = field(default_factory=list)
    complaints: list[str] = field(default_factory=list)


def open_closed(
    browser: Browser, url: str, width: int, height: int, refuse: str = ""
) -> ClosedNetworkPage:
    """Open ``url`` with every other host refused, and any address containing ``refuse`` too."""
    tab = ClosedNetworkPage(browser.new_page(viewport={"width": width, "height": height}))

    def closed_network(route: Route) -> None:
        asked = route.request.url
        if urlsplit(asked).hostname == "127.0.0.1" and not (refuse and refuse in asked):
            route.continue_()
            return
        tab.blocked.append(asked)
        route.abort("internetdisconnected")

    def complain(message: ConsoleMessage) -> None:
        if message.type == "error":
            tab.complaints.append(message.text)

    tab.page.route("**/*", closed_network)
    tab.page.on("console", complain)
    tab.page.on("pageerror", lambda error: tab.complaints.append(str(error)))
    tab.page.goto(url)
    return tab
