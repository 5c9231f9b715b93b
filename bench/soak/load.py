"""The soak's clients: threads that write, read, page, ask for statistics and subscribe.

Every write is an intention the harness remembers: a new appeal (``receiveAppeal``, one
external id each) or a category set on one of the thread's own appeals at the version it
last saw (``categorizeAppeal`` with ``expectedVersion``). Categories come from a catalogue
of ``CATEGORIES``, as an authority's do, and each is set at most once on one appeal, so a
category read back tells which write applied. (A new random name per write made about one
category per three appeals, and the open-data package's disclosure audit over them took
138 s of CPU and 1.2 GB at 4,201 appeals with 1,437 categories, in every worker that started.) A write is retried (after a short
pause, whatever ``Retry-After`` says, so that the time without service is measured finely)
until it is acknowledged; a retry of a categorize that answers ``CONFLICT`` reads the
appeal to learn whether the first attempt applied. Reads of a thread's own acknowledged
appeals check read-your-writes.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from bench.soak.calls import Outcome, call

RECEIVE = (
    "mutation($e: String!) { receiveAppeal(input: {channel: EMAIL, externalId: $e, "
    'text: "Прошу починить освещение во дворе", body: "Орган"}) '
    "{ appeal { id uuid version } position } }"
)
CATEGORIZE = (
    "mutation($id: ID!, $c: String!, $v: Int!) { categorizeAppeal(input: "
    "{appealId: $id, category: $c, expectedVersion: $v}) "
    "{ appeal { version category } position } }"
)
READ = "query($id: ID!) { appeal(id: $id) { id version category status } }"
PAGE = (
    "query($after: String) { appeals(first: 20, after: $after) "
    "{ edges { node { id status } } pageInfo { endCursor hasNextPage } } }"
)
STATISTICS = "{ statistics(groupBy: [CHANNEL]) { count } }"
RETRY_PAUSE = 0.2
STOP_PATIENCE = 10.0
CATEGORIES = tuple(f"category-{n:02}" for n in range(24))
WRITE_PATIENCE = 60.0
"""Seconds a write is retried before the harness gives it up as not acknowledged."""


@dataclass
class Write:
    """One intention and, once acknowledged, what the API answered."""

    kind: str  # "receive" or "categorize"
    external_id: str = ""
    appeal_id: str = ""  # the global id
    appeal_uuid: str = ""
    category: str = ""
    expected_version: int = 0
    acked: bool = False
    version: int = 0
    position: int | None = None
    attempts: int = 0
    tried: set[str] = field(default_factory=set)  # of an appeal: categories ever sent for it


@dataclass
class Tally:
    """Everything the clients saw, shared by the threads."""

    outcomes: list[Outcome] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    stale_reads: int = 0
    missing_reads: int = 0
    subscription_events: int = 0
    subscription_closes: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)


class Client(threading.Thread):
    """One client: a mix of writes and reads until told to stop."""

    def __init__(
        self, url: str, token: str, tally: Tally, stop: threading.Event, seed: int
    ) -> None:
        super().__init__(daemon=True, name=f"soak-client-{seed}")
        self.url, self.tally, self.stop = url + "/graphql", tally, stop
        self.random = random.Random(seed)
        self.mine: list[Write] = []  # this thread's acknowledged appeals, latest state
        self.http = httpx.Client(timeout=20, headers={"authorization": f"Bearer {token}"})
        self.cursor: str | None = None
        self.stopped_at: float | None = None

    def run(self) -> None:
        with self.http:
            while not self.stop.is_set():
                roll = self.random.random()
                if roll < 0.3 or not self.mine:
                    self._receive()
                elif roll < 0.45:
                    self._categorize()
                elif roll < 0.7:
                    self._read()
                elif roll < 0.85:
                    self._page()
                else:
                    self._call("statistics", STATISTICS, {})

    def _call(self, op: str, query: str, variables: dict[str, Any]) -> tuple[Outcome, Any]:
        outcome, data = call(self.http, self.url, op, query, variables)
        self.tally.note(outcome)
        return outcome, data

    def _until_acked(self, write: Write, attempt: Any) -> None:
        with self.tally.lock:
            self.tally.writes.append(write)
        give_up = time.monotonic() + WRITE_PATIENCE
        while time.monotonic() < give_up and not self.stopped_long_ago():
            write.attempts += 1
            if attempt() or write.acked:
                return
            time.sleep(RETRY_PAUSE)

    def stopped_long_ago(self) -> bool:
        """Told to stop more than ``STOP_PATIENCE`` seconds ago: give up unfinished writes."""
        if self.stop.is_set() and self.stopped_at is None:
            self.stopped_at = time.monotonic()
        return self.stopped_at is not None and time.monotonic() - self.stopped_at > STOP_PATIENCE

    def _receive(self) -> None:
        write = Write("receive", external_id=uuid.uuid4().hex)

        def attempt() -> bool:
            outcome, data = self._call("receiveAppeal", RECEIVE, {"e": write.external_id})
            if not outcome.ok:
                return False
            payload = data["receiveAppeal"]
            write.appeal_id, write.appeal_uuid = payload["appeal"]["id"], payload["appeal"]["uuid"]
            write.version, write.position = payload["appeal"]["version"], payload["position"]
            write.acked = True
            self.mine.append(write)
            return True

        self._until_acked(write, attempt)

    def _categorize(self) -> None:
        target = self.random.choice(self.mine)
        write = Write(
            "categorize",
            appeal_id=target.appeal_id,
            appeal_uuid=target.appeal_uuid,
            category=self._category(target),
            expected_version=target.version,
        )

        def attempt() -> bool:
            variables = {"id": write.appeal_id, "c": write.category, "v": write.expected_version}
            outcome, data = self._call("categorizeAppeal", CATEGORIZE, variables)
            if outcome.ok:
                write.version = data["categorizeAppeal"]["appeal"]["version"]
                write.position = data["categorizeAppeal"]["position"]
                write.acked = True
            elif outcome.code == "CONFLICT":
                # An earlier attempt applied, or one given up earlier did: read and see.
                self._learn(write, target)
                return True
            if write.acked:
                target.version = write.version
            return write.acked

        self._until_acked(write, attempt)

    def _category(self, target: Write) -> str:
        """A category of the catalogue never sent for ``target`` (a new name once all were)."""
        fresh = [name for name in CATEGORIES if name not in target.tried]
        chosen = self.random.choice(fresh) if fresh else f"category-{uuid.uuid4().hex[:10]}"
        target.tried.add(chosen)
        return chosen

    def _learn(self, write: Write, target: Write) -> None:
        outcome, data = self._call("appeal", READ, {"id": write.appeal_id})
        if not outcome.ok or data["appeal"] is None:
            return
        target.version = max(target.version, data["appeal"]["version"])
        if data["appeal"]["category"] == write.category:
            write.acked, write.version = True, data["appeal"]["version"]

    def _read(self) -> None:
        target = self.random.choice(self.mine)
        outcome, data = self._call("appeal", READ, {"id": target.appeal_id})
        if outcome.ok:
            with self.tally.lock:
                if data["appeal"] is None:
                    self.tally.missing_reads += 1
                elif data["appeal"]["version"] < target.version:
                    self.tally.stale_reads += 1

    def _page(self) -> None:
        outcome, data = self._call("appeals", PAGE, {"after": self.cursor})
        if outcome.ok:
            info = data["appeals"]["pageInfo"]
            self.cursor = info["endCursor"] if info["hasNextPage"] else None


class Subscriber(threading.Thread):
    """A subscription to every new event, opened again whenever it closes."""

    def __init__(self, url: str, token: str, tally: Tally, stop: threading.Event) -> None:
        super().__init__(daemon=True, name="soak-subscriber")
        self.url = url.replace("http://", "ws://") + "/graphql"
        self.token, self.tally, self.stop = token, tally, stop

    def run(self) -> None:
        while not self.stop.is_set():
            reason = self._session()
            with self.tally.lock:
                closes = self.tally.subscription_closes
                closes[reason] = closes.get(reason, 0) + 1
            self.stop.wait(RETRY_PAUSE)

    def _session(self) -> str:
        try:
            with connect(
                self.url,
                open_timeout=5,
                close_timeout=1,
                subprotocols=[Subprotocol("graphql-transport-ws")],
            ) as ws:
                ws.send(
                    json.dumps(
                        {
                            "type": "connection_init",
                            "payload": {"Authorization": f"Bearer {self.token}"},
                        }
                    )
                )
                ws.recv(timeout=10)
                ws.send(
                    json.dumps(
                        {
                            "type": "subscribe",
                            "id": "1",
                            "payload": {"query": "subscription { appealEvents { appealId type } }"},
                        }
                    )
                )
                while not self.stop.is_set():
                    try:
                        message = json.loads(ws.recv(timeout=1))
                    except TimeoutError:
                        continue
                    if message.get("type") == "next":
                        with self.tally.lock:
                            self.tally.subscription_events += 1
                    elif message.get("type") in ("error", "complete"):
                        return f"subscription {message['type']}"
                return "stopped"
        except WebSocketException as error:
            code = getattr(getattr(error, "rcvd", None), "code", None)
            return f"closed {code}" if code else type(error).__name__
        except (OSError, TimeoutError) as error:
            return type(error).__name__
