"""Tiles over a million-leaf audit log on PostgreSQL, each figure beside the raw driver.

The leaves and nodes are written through the audit log's own appender (``TreeBuilder`` and
``AuditStore.appending``), as ``catch_up`` writes them, without the events behind them: the
tiles only read the audit tables. Then, in the same run:

- building every tile and entry bundle of the signed tree as files (``appeals audit
  publish``) beside reading the same rows (every leaf, the level-8 and level-16 nodes) with a
  binary psycopg cursor and doing nothing with them;
- full level-0 tiles served per second by ``appeals serve`` (one worker, loopback, keep-alive
  connections), beside the same tile read in process (``TileReader``) and the same 256
  hashes read by one raw range query.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory

import psycopg

from api.bootstrap import build
from api.settings import Settings
from api.tlog.publish import publish
from api.tlog.tiles import TileReader
from audit.keyfiles import generate_keys, load_public_key
from audit.leaves import Leaf, make_leaf
from audit.merkle import Node, TreeBuilder
from audit.service import AuditConfig, AuditService
from bench.api import HOST, bounded_rate, serving
from bench.harness import Report, median, postgres_database, print_report
from bench.load import Load, event_loop_factory
from ledger.verify.tiles import Tile
from ledger.verify.vkey import verifier_key

TOPIC = "appeals:Appeal.Received"
BATCH = 50_000


def fill(audit: AuditService, size: int) -> float:
    """Write ``size`` leaves and their nodes through the appender; returns the seconds."""
    started = time.perf_counter()
    builder = TreeBuilder()
    for start in range(0, size, BATCH):
        leaves: list[Leaf] = []
        nodes: list[Node] = []
        for index in range(start, min(size, start + BATCH)):
            appeal = str(uuid.UUID(int=index // 5 + 1))
            leaf = make_leaf(index, index + 1, appeal, index % 5 + 1, TOPIC, index.to_bytes(8))
            leaves.append(leaf)
            nodes.extend(builder.append(leaf.hash)[1:])
        with audit.store.appending() as end:
            end.write(leaves, nodes, leaves[-1].notification_id)
    return time.perf_counter() - started


def raw_read_seconds(url: str) -> float:
    """Every leaf row and the tile-level node hashes, read and dropped."""
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        with conn.cursor(name="leaves", binary=True) as cursor:
            cursor.execute(
                "SELECT leaf_index, notification_id, appeal_id, version, topic, "
                "state_sha256, leaf_hash FROM audit_leaves ORDER BY leaf_index"
            )
            while cursor.fetchmany(50_000):
                pass
        with conn.cursor(binary=True) as cursor:
            cursor.execute(
                "SELECT hash FROM audit_nodes WHERE level IN (8, 16) ORDER BY level, idx"
            )
            cursor.fetchall()
    return time.perf_counter() - started


def serve_rates(url: str, folder: Path, full: int, seconds: float) -> dict[str, object]:
    """Full level-0 tiles per second over HTTP, beside in process and the raw driver."""
    rng = random.Random(7)
    picks = [rng.randrange(full) for _ in range(10_000)]
    paths = [Tile(0, n).path() for n in picks]
    requests = [
        f"GET /ledger/{path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: keep-alive\r\n\r\n".encode()
        for path in paths
    ]
    figures: dict[str, object] = {}
    with serving(url, 1, folder) as server:
        status, body = server.get(f"/ledger/{paths[0]}")
        assert status == 200 and len(body) == 8192, status

        async def drive() -> list[float]:
            rates = []
            async with Load(HOST, server.port, 8, lambda n: requests[n % len(requests)]) as load:
                await load.phase(1.0)
                for _ in range(3):
                    phase = await load.phase(seconds)
                    assert phase.errors == 0, phase.first_error
                    rates.append(phase.rps)
            return rates

        with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
            figures["ours: GET /ledger/tile/0/<N> over HTTP, tiles/s (median)"] = median(
                runner.run(drive())
            )
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
    try:
        reader = TileReader(AuditService(container).store)
        figures["ours: TileReader.read in process, tiles/s"] = bounded_rate(
            lambda n: reader.read(Tile(0, picks[n % len(picks)]), full * 256), seconds
        )
    finally:
        container.close()
    with psycopg.connect(url) as conn, conn.cursor(binary=True) as cursor:

        def raw(n: int) -> bytes:
            start = picks[n % len(picks)] * 256
            cursor.execute(
                "SELECT leaf_hash FROM audit_leaves WHERE leaf_index >= %s AND "
                "leaf_index < %s ORDER BY leaf_index",
                (start, start + 256),
            )
            return b"".join(row[0] for row in cursor.fetchall())

        figures["raw: the same 256 hashes by one range query, tiles/s"] = bounded_rate(raw, seconds)
    return figures


def measure(url: str, size: int, seconds: float, folder: Path) -> dict[str, object]:
    container = build(Settings.from_environ({"APPEALS_DATABASE_URL": url}))
    generate_keys(folder / "keys")
    try:
        audit = AuditService(container, AuditConfig(keys_dir=folder / "keys"))
        filled = fill(audit, size)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE audit_leaves")
            conn.execute("VACUUM ANALYZE audit_nodes")
        checkpoint = audit.sign_checkpoint()
        assert checkpoint is not None and checkpoint.size == size
        vkey = verifier_key(audit.config.key_name, load_public_key(folder / "keys")).text()
        built, raw = [], []
        for round_ in range(2):
            started = time.perf_counter()
            done = publish(audit.store, folder / f"site{round_}", checkpoint.note, size, vkey)
            built.append(time.perf_counter() - started)
            raw.append(raw_read_seconds(url))
    finally:
        container.close()
    figures: dict[str, object] = {
        "leaves": size,
        "writing the leaves and nodes, s": filled,
        "tile files written": done.written,
        "ours: build every tile and entry bundle as files, s (median)": median(built),
        "raw: read the same rows with a binary cursor, s (median)": median(raw),
        "ratio ours/raw": median(built) / median(raw),
    }
    figures.update(serve_rates(url, folder, size // 256, seconds))
    return figures


def run(report: Report, *, leaves: int = 1_000_000, seconds: float = 3.0) -> None:
    """A million leaves on PostgreSQL."""
    with postgres_database() as url, TemporaryDirectory(prefix="appeals-tiles-") as folder:
        report("tiles, PostgreSQL", measure(url, leaves, seconds, Path(folder)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    run(results.__setitem__, leaves=args.leaves, seconds=args.seconds)
    print_report(results)
