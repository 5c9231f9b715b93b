"""Messages through ``POST /channels/vk/...`` on PostgreSQL, beside ``receiveAppeal``.

One run, one fresh database, one ``appeals serve --workers 1``: after a warm-up, 16
keep-alive connections drive (a) VK ``message_new`` callbacks, each a new message, and (b)
``receiveAppeal`` over GraphQL, each a new external id, in bounded rounds; then VK messages
are paced at 50 per second for the issue's latency target. Figures are medians over rounds.

``python -m bench.webhook --seconds 3`` is a quick look.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx

from api.bootstrap import build
from api.http.auth import Authenticator
from api.runtime import channelwiring
from api.settings import Settings
from bench.api import HOST, RECEIVE_MUTATION, SECRET, Server, serving
from bench.harness import Report, median, postgres_database, print_report
from bench.load import (
    Load,
    RequestFor,
    Rounds,
    event_loop_factory,
    graphql_request,
    post_request,
)
from channels.source import Secrets, new_source
from ledger.values import Role

GROUP = 218861756
VK_SECRET = "bench-vk-secret"
TEXT = "Не горят фонари на улице Мира, дом 5"


@dataclass(frozen=True)
class Options(Rounds):
    """How long each measurement runs, and the paced run after the closed loops."""

    paced_rate: float = 50.0
    paced_seconds: float = 10.0


def vk_callback(n: int, tag: str) -> bytes:
    """A ``message_new`` callback for the n-th new private message."""
    return json.dumps(
        {
            "type": "message_new",
            "group_id": GROUP,
            "v": "5.199",
            "event_id": f"{tag}{n}",
            "secret": VK_SECRET,
            "object": {
                "message": {
                    "id": n + 1,
                    "date": int(time.time()) - 60,
                    "from_id": 600000000 + n % 5000,
                    "peer_id": 600000000 + n % 5000,
                    "out": 0,
                    "text": TEXT,
                    "attachments": [],
                }
            },
        },
        ensure_ascii=False,
    ).encode()


async def _closed_loop(
    server: Server, request_for: RequestFor, options: Options
) -> dict[str, float]:
    rates, p50s, p95s, errors = [], [], [], 0
    async with Load(HOST, server.port, options.concurrency, request_for) as load:
        await load.phase(options.warmup)
        for _ in range(options.rounds):
            phase = await load.phase(options.seconds)
            rates.append(phase.rps)
            p50s.append(phase.percentile_ms(50))
            p95s.append(phase.percentile_ms(95))
            errors += phase.errors
    return {"rate": median(rates), "p50": median(p50s), "p95": median(p95s), "errors": errors}


async def _paced(server: Server, options: Options, offset: int) -> dict[str, float]:
    """One new message every 1/rate seconds, whatever the answers take; latency of each."""
    url = f"http://{HOST}:{server.port}/channels/vk/{GROUP}"
    latencies: list[float] = []
    failures = 0
    count = int(options.paced_rate * options.paced_seconds)
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def one(n: int) -> None:
            nonlocal failures
            started = time.perf_counter()
            response = await client.post(
                url,
                content=vk_callback(offset + n, "paced"),
                headers={"content-type": "application/json"},
            )
            if response.status_code != 200 or response.text != "ok":
                failures += 1
            latencies.append((time.perf_counter() - started) * 1000)

        tasks = []
        begun = time.perf_counter()
        for n in range(count):
            await asyncio.sleep(max(0.0, begun + n / options.paced_rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "p50": quantiles[49],
        "p95": quantiles[94],
        "max": max(latencies),
        "errors": float(failures),
        "messages": float(count),
    }


def measure(options: Options, log: Callable[[str], None]) -> dict[str, object]:
    """Both request kinds against one server on one fresh database."""
    say = log
    token = Authenticator(SECRET).issue(
        subject="bench", role=Role.SUPERVISOR, ttl=timedelta(hours=1)
    )
    with postgres_database() as url, TemporaryDirectory(prefix="appeals-bench-hook-") as tmp:
        folder = Path(tmp)
        settings = Settings.from_environ(
            {"APPEALS_DATABASE_URL": url, "APPEALS_KEYS_DIR": str(folder / "keys")}
        )
        container = build(settings)
        try:
            source = new_source(
                "vk", str(GROUP), body="Администрация города", secrets=Secrets(secret=VK_SECRET)
            )
            channelwiring.directory(container).add(source)
        finally:
            container.close()
        with serving(url, 1, folder) as server:
            say("VK webhook, closed loop ...")
            hook = asyncio.Runner(loop_factory=event_loop_factory())
            with hook as runner:
                webhook = runner.run(
                    _closed_loop(
                        server,
                        lambda n: post_request(
                            HOST,
                            server.port,
                            f"/channels/vk/{GROUP}",
                            vk_callback(n, "loop"),
                            {"Content-Type": "application/json"},
                        ),
                        options,
                    )
                )
            say("receiveAppeal, closed loop ...")
            with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
                graphql = runner.run(
                    _closed_loop(
                        server,
                        lambda n: graphql_request(
                            HOST,
                            server.port,
                            RECEIVE_MUTATION,
                            {
                                "input": {
                                    "channel": "VK",
                                    "externalId": f"bench-gql-{n}",
                                    "text": TEXT,
                                    "body": "Администрация города",
                                }
                            },
                            token,
                        ),
                        options,
                    )
                )
            say(f"VK webhook paced at {options.paced_rate:g}/s ...")
            with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
                paced = runner.run(_paced(server, options, 10_000_000))
    return {
        "server; connections; rounds x seconds": (
            f"serve --workers 1; {options.concurrency}; {options.rounds} x {options.seconds:g}s"
        ),
        "target": "webhook >= 0.8 x receiveAppeal; p95 < 1 s at 50 messages/s",
        "POST /channels/vk: messages/s (median)": webhook["rate"],
        "POST /channels/vk: p50 / p95 ms": f"{webhook['p50']:.1f} / {webhook['p95']:.1f}",
        "POST /channels/vk: errors": int(webhook["errors"]),
        "receiveAppeal over GraphQL: appeals/s (median)": graphql["rate"],
        "receiveAppeal: p50 / p95 ms": f"{graphql['p50']:.1f} / {graphql['p95']:.1f}",
        "receiveAppeal: errors": int(graphql["errors"]),
        "webhook / receiveAppeal": webhook["rate"] / graphql["rate"],
        f"paced {options.paced_rate:g}/s for {options.paced_seconds:g}s: p50 / p95 / max ms": (
            f"{paced['p50']:.1f} / {paced['p95']:.1f} / {paced['max']:.1f}"
        ),
        "paced: errors / messages": f"{int(paced['errors'])} / {int(paced['messages'])}",
    }


def run(report: Report, *, options: Options | None = None) -> None:
    """``make bench`` entry point."""

    def log(message: str) -> None:
        print(f"  bench.webhook: {message}", file=sys.stderr, flush=True)

    report(
        "Webhook on PostgreSQL: POST /channels/vk beside receiveAppeal",
        measure(options or Options(), log),
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=Options.seconds, help="per round")
    parser.add_argument("--rounds", type=int, default=Options.rounds)
    parser.add_argument("--paced-seconds", type=float, default=Options.paced_seconds)
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    run(
        results.__setitem__,
        options=Options(seconds=args.seconds, rounds=args.rounds, paced_seconds=args.paced_seconds),
    )
    print_report(results)
