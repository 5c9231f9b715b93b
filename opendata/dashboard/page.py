"""The dashboard page: a period and body selector, four charts with their tables, in Russian."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape

from opendata.dashboard import series as data
from opendata.dashboard.series import Point, Selection
from opendata.dashboard.svg import bars, colours, lines
from opendata.publication import File

METRICS = (
    ("on_time", "Доля ответов в срок (по нижней границе 95 % интервала)"),
    ("first_response", "Время до первого ответа (медиана, ожидающие учтены)"),
    ("resolution", "Время до решения (медиана, ожидающие учтены)"),
)
LEVELS = (("body", "Рейтинг органов"), ("source", "Рейтинг официальных страниц"))
WHY = {"too_few": "не ранжируется: мало наблюдений", "suppressed": "не ранжируется: скрыто"}
STYLE = """
body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#18181b;background:#fafafa}
header,main,footer{max-width:960px;margin:0 auto;padding:12px 16px}
h1{font-size:1.5rem;margin:.4em 0}h2{font-size:1.15rem;margin:1.2em 0 .4em}
form{display:flex;flex-wrap:wrap;gap:12px;align-items:end}
label{display:flex;flex-direction:column;font-size:.9rem}
select,button{font:inherit;padding:6px 8px;min-height:44px}
button{background:#1f5fa8;color:#fff;border:0;border-radius:4px;padding:6px 16px}
.chart{width:100%;height:auto;background:#fff;border:1px solid #e4e4e7}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;padding:0;list-style:none;font-size:.9rem}
.legend span{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
table{border-collapse:collapse;width:100%;font-size:.9rem;background:#fff}
th,td{border:1px solid #e4e4e7;padding:4px 6px;text-align:left}
.scroll{overflow-x:auto}.muted{color:#52525b}
"""


def share(value: float) -> str:
    """A share as a percentage."""
    return f"{value * 100:.0f} %"


def hours(value: float) -> str:
    """Seconds as hours (or days past two days)."""
    text = f"{value / 86400:.1f} дн." if value >= 172800 else f"{value / 3600:.1f} ч"
    return text.replace(".", ",", 1)


def render(files: Mapping[str, File], chosen: Selection) -> str:
    """The whole page for one selection."""
    months, bodies = data.months(files), data.bodies(files)
    month = chosen.month or _ranked_month(files, months)
    weekly = data.weekly(files, chosen)
    week_series = sorted({p.series for p in weekly})
    on_time = data.per_body(files, chosen, "on_time_share")
    first = data.per_body(files, chosen, "first_response_p50")
    body_series = sorted({p.series for p in on_time})
    weekly_title = (
        f"Обращения по неделям: {chosen.body}" if chosen.body else "Обращения по неделям и каналам"
    )
    parts = [
        _selector(months, bodies, chosen),
        f"<section><h2>{escape(weekly_title)}</h2>",
        bars(weekly_title, weekly, week_series, lambda v: f"{v:.0f}"),
        _legend(week_series),
        '<p class="muted">○ над столбцом: часть дней недели скрыта (группы из 1–4 обращений), '
        "столбец показывает не меньше, чем было.</p>",
        _week_table(weekly),
        "</section><section><h2>Доля ответов в срок по органам</h2>",
        lines(
            "Доля ответов в срок по органам, по месяцам",
            on_time,
            body_series,
            share,
            "on-time",
            1.0,
        ),
        _legend(body_series),
        _month_table(on_time, share, "on-time"),
        "</section><section><h2>Время до первого ответа по органам (медиана)</h2>",
        lines(
            "Медиана времени до первого ответа по органам",
            first,
            body_series,
            hours,
            "first-response",
        ),
        _legend(body_series),
        _month_table(first, hours, "first-response"),
        "</section>",
    ]
    if month is not None:
        parts.append(_problems(data.problems(files, month), month))
        for level, heading in LEVELS:
            parts.append(f"<section><h2>{heading} за {escape(month)}</h2>")
            for metric, title in METRICS:
                fmt = share if metric == "on_time" else hours
                found = data.rankings(files, month, metric, level)
                parts.append(_ranking(found, title, fmt, metric, level))
            parts.append("</section>")
    return _document("".join(parts))


def _problems(rows: list[data.Row], month: str) -> str:
    if rows:
        items = "".join(
            f'<tr data-problem="{r["rank"]}"><td>{r["rank"]}</td>'
            f"<td>{escape(str(r['category'] or 'без категории'))}</td>"
            f"<td>{escape(str(r['body']))}</td></tr>"
            for r in rows
        )
        week = f"{rows[0]['period_start']} – {rows[0]['period_end']}"
        table = (
            "<div class='scroll' tabindex='0' role='region' aria-label='Острые проблемы'>"
            "<table><thead><tr><th scope='col'>Место</th><th scope='col'>Категория</th>"
            f"<th scope='col'>Орган</th></tr></thead><tbody>{items}</tbody></table></div>"
            f'<p class="muted">Неделя {escape(week)}.</p>'
        )
    else:
        table = (
            '<p class="muted" data-problem="none">В последнюю неделю месяца резкого роста нет.</p>'
        )
    return (
        f"<section><h2>Острые проблемы: {escape(month)}</h2>"
        '<p class="muted">Группы «категория × орган», где обращений за последнюю неделю месяца '
        "стало заметно больше, чем в восемь недель до неё (критерий Пуассона с поправкой "
        "Бонферрони), только группы от 5 обращений; сами числа не публикуются.</p>"
        f"{table}</section>"
    )


def _ranked_month(files: Mapping[str, File], months: list[str]) -> str | None:
    """The latest month in which some body is ranked (else the latest month)."""
    ranked = {str(r["period"]) for r in data.table(files, "rankings") if r["rank"] is not None}
    candidates = [m for m in months if m in ranked] or months
    return candidates[-1] if candidates else None


def _selector(months: list[str], bodies: list[str], chosen: Selection) -> str:
    def options(values: list[str], current: str | None, everything: str) -> str:
        found = [f'<option value=""{"" if current else " selected"}>{everything}</option>']
        found += [
            f'<option value="{escape(v)}"{" selected" if v == current else ""}>{escape(v)}</option>'
            for v in values
        ]
        return "".join(found)

    return (
        '<form method="get" action="/" aria-label="Выбор периода и органа">'
        f'<label>Период<select name="month" id="month">{options(months, chosen.month, "Все месяцы")}'
        f'</select></label><label>Орган<select name="body" id="body">'
        f"{options(bodies, chosen.body, 'Все органы')}</select></label>"
        '<button type="submit">Показать</button></form>'
    )


def _legend(names: list[str]) -> str:
    colour = colours(names)
    items = "".join(
        f'<li><span style="background:{colour[n]}"></span>{escape(n)}</li>' for n in names
    )
    return f'<ul class="legend">{items}</ul>'


def _week_table(points: list[Point]) -> str:
    rows = "".join(
        f'<tr data-label="{escape(p.label)}" data-series="{escape(p.series)}">'
        f"<td>{escape(p.label)}</td><td>{escape(p.series)}</td>"
        f"<td>{'не менее ' if p.partial else ''}{p.value or 0:.0f}</td></tr>"
        for p in points
    )
    return (
        "<details><summary>Таблица (часть дней может быть скрыта: группы из 1–4 обращений не "
        "публикуются)</summary><div class='scroll' tabindex='0' role='region' aria-label='Таблица с прокруткой'><table><thead><tr><th scope='col'>Неделя с</th>"
        "<th scope='col'>Ряд</th><th scope='col'>Обращений</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div></details>"
    )


def _month_table(points: list[Point], fmt: Callable[[float], str], name: str) -> str:
    rows = "".join(
        f'<tr data-table="{name}" data-label="{escape(p.label)}" data-series="{escape(p.series)}" '
        f'data-suppressed="{str(p.suppressed).lower()}"><td>{escape(p.label)}</td>'
        f"<td>{escape(p.series)}</td><td>"
        f"{'скрыто' if p.suppressed else ('—' if p.value is None else escape(fmt(p.value)))}"
        "</td></tr>"
        for p in points
    )
    return (
        "<details><summary>Таблица</summary><div class='scroll' tabindex='0' role='region' aria-label='Таблица с прокруткой'><table><thead><tr>"
        "<th scope='col'>Месяц</th><th scope='col'>Орган</th><th scope='col'>Значение</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></div></details>"
    )


def _ranking(
    rows: list[data.Row], title: str, fmt: Callable[[float], str], metric: str, level: str
) -> str:
    def cell(value: object) -> str:
        return "—" if value is None else escape(fmt(float(str(value))))

    who = "Страница" if level == "source" else "Орган"
    body = "".join(
        f'<tr data-level="{level}" data-metric="{metric}" data-body="{escape(str(r[level]))}" '
        f'data-rank="{r["rank"] or ""}" data-estimate="{r["estimate"] if r["estimate"] is not None else ""}">'
        f"<td>{r['rank'] or '—'}</td><td>{escape(str(r[level]))}</td>"
        + (
            f"<td>{r['n']}</td><td>{cell(r['estimate'])}</td>"
            f"<td>{cell(r['lower'])} – {cell(r['upper']) if r['upper'] is not None else '∞'}</td>"
            if r["rank"]
            else f'<td colspan="3">{WHY.get(str(r["unranked"]), "не ранжируется")}</td>'
        )
        + "</tr>"
        for r in rows
    )
    return (
        f"<h3>{escape(title)}</h3><div class='scroll' tabindex='0' role='region' aria-label='Таблица с прокруткой'><table><thead><tr><th scope='col'>Место</th>"
        f"<th scope='col'>{who}</th><th scope='col'>n</th><th scope='col'>Оценка</th>"
        f"<th scope='col'>95 % интервал</th></tr></thead><tbody>{body}</tbody></table></div>"
    )


def _document(main: str) -> str:
    return (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        "<title>Обращения граждан: открытые данные</title>"
        f"<style>{STYLE}</style></head><body><header><h1>Обращения граждан: как отвечают органы "
        'власти</h1><p class="muted">Только открытые данные: группы из 1–4 обращений и группы, '
        "по которым их можно вычислить, скрыты.</p></header>"
        f"<main>{main}</main><footer><p>Данные: "
        '<a href="/opendata/datapackage.json">/opendata/datapackage.json</a> (CC BY 4.0), '
        '<a href="/open311/v2/services.json">Open311</a>.</p></footer></body></html>'
    )
