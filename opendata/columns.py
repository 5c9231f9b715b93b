"""The data dictionary: every column the open data publishes, with its type, unit and meaning."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a Table Schema, described in Russian and in English."""

    name: str
    type: str
    ru: str
    en: str
    unit: str | None = None

    def descriptor(self) -> dict[str, object]:
        """The Table Schema field descriptor (``unit`` and ``description_ru`` are our own)."""
        field: dict[str, object] = {
            "name": self.name,
            "type": self.type,
            "title": self.ru,
            "description": f"{self.ru} / {self.en}",
            "description_ru": self.ru,
            "description_en": self.en,
        }
        if self.unit is not None:
            field["unit"] = self.unit
        return field


MONTH = Column(
    "period",
    "yearmonth",
    "Месяц поступления (местное время)",
    "Month the appeal was received (local time)",
)
DAY = Column(
    "period", "date", "День поступления (местное время)", "Day the appeal was received (local time)"
)
DIMENSIONS = {
    "body": Column(
        "body",
        "string",
        "Орган власти, рассматривающий обращение (после переадресации — получивший его)",
        "Public body handling the appeal (after a forwarding, the receiving one)",
    ),
    "department": Column(
        "department",
        "string",
        "Подразделение органа; пусто — ещё не назначено",
        "Department of the body; empty: not assigned yet",
    ),
    "category": Column(
        "category",
        "string",
        "Категория обращения; пусто — ещё не определена",
        "Category of the appeal; empty: not categorized yet",
    ),
    "channel": Column(
        "channel",
        "string",
        "Канал поступления (vk, ok, telegram, chatbot, pos, email, web, letter)",
        "Channel the appeal came through",
    ),
    "source": Column(
        "source",
        "string",
        "Официальная страница, бот или почтовый ящик, через которые пришло обращение "
        "(канал:идентификатор на платформе, например vk:171000); пусто — не через них",
        "Official page, bot or mailbox the appeal came through (channel:platform id, "
        "for example vk:171000); empty: none of them",
    ),
}
SUPPRESSED = Column(
    "suppressed",
    "boolean",
    "Скрыто: в группе 1–4 обращения или скрытие нужно, чтобы такую группу нельзя было вычислить "
    "вычитанием; все показатели пусты",
    "Withheld: the group has 1-4 appeals, or hiding it keeps such a group from being worked out "
    "by subtraction; every figure is empty",
)
RATING_SUPPRESSED = Column(
    "rating_suppressed",
    "boolean",
    "Оценки скрыты: меньше 5 оценок или дополнительное скрытие",
    "Ratings withheld: fewer than 5 ratings, or complementary suppression",
)
FIGURES = (
    Column("received", "integer", "Поступило обращений", "Appeals received", "appeals"),
    Column(
        "problems",
        "integer",
        "Поступило проблем: обращения без закрытых как дубликат другого обращения (проблема, "
        "о которой написали несколько граждан, считается один раз); received считает обращения",
        "Problems received: appeals less those closed as a duplicate of another (a problem "
        "several citizens wrote about counts once); received counts appeals",
        "problems",
    ),
    Column(
        "answered",
        "integer",
        "Дан окончательный ответ при установленном сроке ответа",
        "Final answer given under an answer due date",
        "appeals",
    ),
    Column(
        "on_time",
        "integer",
        "Из них ответ дан в срок (с учётом продления)",
        "Of those, answered by the due date (extensions counted)",
        "appeals",
    ),
    Column(
        "on_time_share", "number", "Доля ответов в срок", "Share answered on time", "fraction 0-1"
    ),
    Column("closed", "integer", "Закрыто (сейчас)", "Closed now", "appeals"),
    Column(
        "overdue_now",
        "integer",
        "Открытых с просроченным сроком сейчас",
        "Open appeals past a due date now",
        "appeals",
    ),
    Column(
        "first_response_p50",
        "number",
        "Медиана времени до первого ответа (без ещё не отвеченных)",
        "Median time to the first answer (unanswered ones left out)",
        "s",
    ),
    Column(
        "first_response_p90",
        "number",
        "90-й процентиль времени до первого ответа",
        "90th percentile of the time to the first answer",
        "s",
    ),
    Column(
        "resolution_p50",
        "number",
        "Медиана времени до закрытия (по закрытым)",
        "Median time to closing (closed appeals)",
        "s",
    ),
    Column(
        "resolution_p90",
        "number",
        "90-й процентиль времени до закрытия",
        "90th percentile of the time to closing",
        "s",
    ),
)
RATINGS = (
    Column("rated", "integer", "Оценок граждан", "Citizens' ratings", "ratings"),
    Column("average_rating", "number", "Средняя оценка (1–5)", "Average rating (1-5)", "points"),
)
RANKING = (
    Column(
        "level",
        "string",
        "Что ранжируется: body — органы, department — подразделения, source — официальные "
        "страницы, боты и почтовые ящики",
        "What is ranked: body, department, or source (official pages, bots and mailboxes)",
    ),
    Column(
        "metric",
        "string",
        "Показатель: on_time — доля ответов в срок (по нижней границе "
        "интервала Уилсона); first_response, resolution — медиана времени по Каплану–Мейеру, "
        "ещё ожидающие обращения учтены как «не меньше»",
        "on_time: on-time share, ranked by Wilson's lower bound; first_response, resolution: "
        "Kaplan-Meier median time, appeals still waiting counted as at least this long",
    ),
    Column(
        "body",
        "string",
        "Орган власти; пусто в рейтинге источников",
        "Public body; empty when sources are ranked",
    ),
    DIMENSIONS["department"],
    Column(
        "source",
        "string",
        "Источник (канал:идентификатор) в рейтинге источников: все поступившие через него "
        "обращения, куда бы их ни переадресовали",
        "Source (channel:id) when sources are ranked: every appeal that came through it, "
        "wherever it was forwarded",
    ),
    Column(
        "rank",
        "integer",
        "Место (1 — лучшее); пусто — не ранжируется",
        "Place (1 is best); empty: not ranked",
    ),
    Column(
        "unranked",
        "string",
        "Почему не ранжируется: too_few — меньше минимального числа, suppressed — группа скрыта",
        "Why not ranked: too_few (n below the minimum) or suppressed (the group is withheld)",
    ),
    Column(
        "n",
        "integer",
        "Число наблюдений: оценённых ответов или обращений",
        "Observations: answers judged, or appeals timed",
        "appeals",
    ),
    Column(
        "estimate",
        "number",
        "Доля (0–1) или медиана (секунды); пусто — больше половины ещё ждут",
        "Share (0-1) or median (seconds); empty: over half still wait",
    ),
    Column("lower", "number", "Нижняя граница 95 % интервала", "Lower end of the 95 % interval"),
    Column(
        "upper",
        "number",
        "Верхняя граница 95 % интервала; пусто — не ограничена",
        "Upper end of the 95 % interval; empty: unbounded",
    ),
)
PROBLEM = (
    Column(
        "period_start",
        "date",
        "Первый день недели, в которой группа растёт",
        "First day of the week in which the group grows",
    ),
    Column(
        "period_end",
        "date",
        "Последний день этой недели (последний день месяца или сегодня)",
        "Last day of that week (the month's last day, or today)",
    ),
    Column(
        "rank",
        "integer",
        "Место по остроте (1 — самая острая): односторонний критерий Пуассона против восьми "
        "предыдущих недель той же группы, с поправкой Бонферрони; сами числа не публикуются",
        "Place by sharpness (1 is the sharpest): a one-sided Poisson test against the group's "
        "own eight weeks before, Bonferroni-corrected; the figures themselves are not published",
    ),
    Column(
        "category",
        "string",
        "Категория обращений (из справочника); пусто — без категории",
        "Category of the appeals (from the fixed list); empty: uncategorized",
    ),
    Column(
        "body",
        "string",
        "Орган власти, рассматривающий эти обращения",
        "Public body handling these appeals",
    ),
)
