"""The delivery worker: a helper thread of the projection duty that drains the outbox."""

from __future__ import annotations

import httpx

from api.container import Container
from api.runtime import channelwiring
from channels.delivery import Deliverer
from channels.maxbot import MaxPlatform
from channels.ok import OkPlatform
from channels.outbox import Outbox
from channels.reply import Platform
from channels.smtp import SmtpPlatform, SmtpServer
from channels.telegram_api import TelegramPlatform
from channels.vk_api import VkPlatform
from projections.daemon import DaemonThread

IDLE_SECONDS = 0.2


class DeliveryWorker(DaemonThread):
    """Steps the deliverer while there is work, and five times a second when idle."""

    thread_name = "delivery-worker"

    def __init__(self, deliverer: Deliverer, http: httpx.Client) -> None:
        super().__init__()
        self.deliverer = deliverer
        self.http = http

    def _run(self) -> None:
        # A failed step (the store away) ends this session; DaemonThread retries it.
        while not self._stop.is_set():
            done = self.deliverer.step()
            self._healthy()
            if not done:
                self._stop.wait(IDLE_SECONDS)

    def stop(self, timeout: float | None = None) -> None:
        """Stop the loop, then close the HTTP connections."""
        super().stop(timeout)
        self.http.close()


def delivery_worker(container: Container) -> DeliveryWorker:
    """A worker for the container's store, with the platforms the settings point at."""
    channels = container.settings.channels
    http = httpx.Client(timeout=channels.delivery_timeout)
    smtp = SmtpServer(
        host=channels.smtp_host,
        port=channels.smtp_port,
        sender=channels.smtp_from,
        user=channels.smtp_user,
        password=str(channels.smtp_password) if channels.smtp_password else "",
        starttls=channels.smtp_starttls,
        timeout=channels.delivery_timeout,
    )
    platforms: dict[str, Platform] = {
        "vk": VkPlatform(http, channels.vk_api_url, channels.vk_api_version),
        "telegram": TelegramPlatform(http, channels.telegram_api_url),
        "max": MaxPlatform(http, channels.max_api_url),
        "ok": OkPlatform(http, channels.ok_api_url),
        "email": SmtpPlatform(smtp),
    }
    deliverer = Deliverer(
        container.ledger,
        Outbox(container.sql),
        channelwiring.directory(container),
        platforms,
        retry_seconds=channels.delivery_retry_seconds,
        attempts=channels.delivery_attempts,
        # Past the lease, a row still marked as sending is in doubt: its worker stopped.
        lease_seconds=channels.delivery_timeout + 5,
    )
    return DeliveryWorker(deliverer, http)
