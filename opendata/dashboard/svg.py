"""Charts as SVG text: stacked bars and lines, each mark carrying its value for readers and tests.

Every mark has a ``<title>`` (a tooltip and a name for screen readers) and ``data-*``
attributes with its series, label and value; a withheld value is drawn as a hollow grey
marker titled «скрыто», never as a number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from opendata.dashboard.series import Point

WIDTH, HEIGHT = 520, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 48
PALETTE = ("#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0f766e", "#a16207", "#4b5563")
Format = Callable[[float], str]


def colours(series: Sequence[str]) -> dict[str, str]:
    """A stable colour per series name."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(series)}


def _frame(title: str, body: list[str], top: float, fmt: Format) -> str:
    plot_h = HEIGHT - TOP - BOTTOM
    grid = []
    for step in range(5):
        value = top * step / 4
        y = TOP + plot_h - plot_h * step / 4
        grid.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#d4d4d8" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="13" '
            f'fill="#3f3f46">{escape(fmt(value))}</text>'
        )
    return (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" class="chart"><title>{escape(title)}</title>'
        + "".join(grid)
        + "".join(body)
        + "</svg>"
    )


def _x_labels(labels: Sequence[str], x_of: Callable[[int], float]) -> list[str]:
    every = max(1, -(-len(labels) // 7))
    return [
        f'<text x="{x_of(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
        f'font-size="13" fill="#3f3f46">{escape(_short(label))}</text>'
        for i, label in enumerate(labels)
        if i % every == 0
    ]


def _short(label: str) -> str:
    """``2025-10-06`` as ``06.10``; a month stays ``2025-10``."""
    return f"{label[8:10]}.{label[5:7]}" if len(label) == 10 else label


def bars(title: str, points: Sequence[Point], series: Sequence[str], fmt: Format) -> str:
    """Stacked bars: one bar per label, one segment per series."""
    labels = sorted({p.label for p in points})
    totals = {label: sum(p.value or 0 for p in points if p.label == label) for label in labels}
    top = max([4.0, *totals.values()])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(labels))
    colour = colours(series)
    body = []
    for i, label in enumerate(labels):
        base = 0.0
        for p in sorted(
            (p for p in points if p.label == label), key=lambda p: series.index(p.series)
        ):
            value = p.value or 0
            h = plot_h * value / top
            y = TOP + plot_h - plot_h * (base + value) / top
            shown = f"не менее {fmt(value)} (часть дней скрыта)" if p.partial else fmt(value)
            body.append(
                f'<rect x="{LEFT + i * slot + slot * 0.15:.1f}" y="{y:.1f}" '
                f'width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{colour[p.series]}" '
                f'data-series="{escape(p.series)}" data-label="{escape(label)}" '
                f'data-value="{value!r}" data-partial="{str(p.partial).lower()}">'
                f"<title>{escape(label)}, {escape(p.series)}: {escape(shown)}</title></rect>"
            )
            base += value
        if any(p.partial for p in points if p.label == label):
            x = LEFT + (i + 0.5) * slot
            y = TOP + plot_h - plot_h * base / top - 7
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="white" stroke="#71717a" '
                f'stroke-width="2" data-partial-week="{escape(label)}"><title>{escape(label)}: '
                "часть дней скрыта (группы из 1–4 обращений)</title></circle>"
            )
    body += _x_labels(labels, lambda i: LEFT + (i + 0.5) * slot)
    return _frame(title, body, top, fmt)


def lines(
    title: str,
    points: Sequence[Point],
    series: Sequence[str],
    fmt: Format,
    chart: str,
    ceiling: float | None = None,
) -> str:
    """One line per series over the labels; withheld values are gaps with a hollow marker."""
    labels = sorted({p.label for p in points})
    top = ceiling or max([1e-9, *(p.value or 0 for p in points)]) * 1.1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels))
    colour = colours(series)
    body = []
    for name in series:
        mine = {p.label: p for p in points if p.series == name}
        path: list[str] = []
        for i, label in enumerate(labels):
            p = mine.get(label)
            x = LEFT + (i + 0.5) * step
            if p is None or p.value is None:
                path.append("")
                if p is not None:
                    why = "скрыто" if p.suppressed else "нет данных"
                    body.append(
                        f'<circle cx="{x:.1f}" cy="{TOP + plot_h - 4:.1f}" r="5" fill="white" '
                        f'stroke="#71717a" stroke-width="2" data-chart="{chart}" data-series="{escape(name)}" '
                        f'data-label="{escape(label)}" data-suppressed="{str(p.suppressed).lower()}">'
                        f"<title>{escape(label)}, {escape(name)}: {why}</title></circle>"
                    )
                continue
            y = TOP + plot_h - plot_h * p.value / top
            path.append(f"{x:.1f},{y:.1f}")
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour[name]}" '
                f'data-chart="{chart}" data-series="{escape(name)}" data-label="{escape(label)}" '
                f'data-value="{p.value!r}" data-suppressed="false">'
                f"<title>{escape(label)}, {escape(name)}: {escape(fmt(p.value))}</title></circle>"
            )
        for run in " ".join(path).split("  "):
            if run.strip().count(",") > 1:
                body.insert(
                    0,
                    f'<polyline points="{run.strip()}" fill="none" '
                    f'stroke="{colour[name]}" stroke-width="2"/>',
                )
    body += _x_labels(labels, lambda i: LEFT + (i + 0.5) * step)
    return _frame(title, body, top, fmt)
