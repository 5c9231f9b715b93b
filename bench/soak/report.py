"""The soak's table, as printed at the end of a run."""

from __future__ import annotations

from bench.soak.memory import LIMIT, MemoryFigures
from bench.soak.run import SoakReport

MB = 1024 * 1024


def _memory(memory: MemoryFigures, settle_seconds: float) -> list[str]:
    """The memory lines: PSS settled and at the end, the limit, the largest growth of one process."""
    settle = f"{settle_seconds:.0f} s"
    verdict = "within" if memory.within else "OVER"
    kinds = ", ".join(
        f"{kind} " + "/".join(f"{size / MB:.0f}" for size in sizes)
        for kind, sizes in sorted(memory.kinds_end.items())
    )
    lines = [
        f"  server memory (PSS, all processes)  after {settle} of load {memory.start / MB:,.0f} MB, "
        f"end {memory.end / MB:,.0f} MB ({memory.growth * 100:+.1f} %, {verdict} the "
        f"{LIMIT * 100:.0f} % limit), peak {memory.peak / MB:,.0f} MB",
        f"    at the end (MB): {kinds}; summed RSS {memory.rss_start / MB:,.0f} -> "
        f"{memory.rss_end / MB:,.0f} MB",
    ]
    if memory.largest is not None:
        g = memory.largest
        lines.append(
            f"    largest growth of one process once settled: {g.kind} {g.pid} "
            f"{g.settled / MB:.0f} -> {g.last / MB:.0f} MB over {g.minutes:.1f} min"
        )
    return lines


def render(report: SoakReport) -> str:
    """The whole table as text."""
    config, found = report.config, report.findings
    lines = [
        f"== soak on {config.store}: {report.seconds / 60:.1f} min of load, {config.clients} clients, "
        f"{config.workers if config.store == 'postgresql' else 1} worker(s)",
        f"  acknowledged writes           {found.acked:,}",
        f"  acknowledged writes lost      {report.lost}  (missing from the log: "
        f"{len(found.lost_in_log)}, from the views: {len(found.lost_in_views)})",
        f"  duplicates                    {len(found.duplicates)}",
        f"  views equal a clean rebuild   {'yes' if not found.views_differing else found.views_differing}",
        f"  appeals verify                {'passes' if found.verify_ok else 'FAILS'}: {found.verify_line}",
        f"  events in the log             {found.events:,} ({found.view_rows:,} appeals in the view)",
        f"  read-your-writes misses       {report.missing_reads} missing, {report.stale_reads} stale",
        f"  subscription events received  {report.subscription_events:,}; sessions ended: "
        + ", ".join(f"{why} x{n}" for why, n in sorted(report.subscription_closes.items())),
        *_memory(report.memory, report.memory_settle),
        "",
        f"  {'fault':<24}{'count':>6}{'longest without service':>26}{'back after':>13}",
    ]
    for fault in report.faults:
        lines.append(
            f"  {fault.kind:<24}{fault.count:>6}{fault.longest_without_service:>24.2f} s"
            f"{fault.back_after:>11.2f} s"
        )
    lines += ["", "  faults as injected:", *(f"    {line}" for line in report.timeline)]
    lines += ["", f"  {'error code seen by clients':<28}{'HTTP':>6}{'Retry-After':>13}{'count':>8}"]
    for (code, status, retry), count in sorted(report.codes.items()):
        lines.append(f"  {code:<28}{status:>6}{'yes' if retry else 'no':>13}{count:>8}")
    lines.append(f"  calls not retryable or without Retry-After: {report.unexpected_errors}")
    lines += ["", f"  {'operation':<20}{'ok calls':>10}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}"]
    for op in report.operations:
        lines.append(
            f"  {op.op:<20}{op.count:>10,}{op.per_second:>9.1f}{op.p50_ms:>9.1f}{op.p99_ms:>9.1f}"
        )
    lines += [
        "",
        f"  result: {'PASS' if report.passed else 'FAIL'}"
        + ("" if report.passed else f" (files kept in {report.folder})"),
    ]
    return "\n".join(lines)
