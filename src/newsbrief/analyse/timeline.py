"""Dated events: time expressions resolved against the article's publication date.

Resolved: explicit dates ("October 16", "16 October 2025"), weekdays ("on Thursday": the last
such day on or before publication), today/yesterday/tomorrow, next/last week, a month alone
("in August": the month, not a day of it; the latest such month not after publication), and
years. Durations ("two and a half hours", "eight months") and anything else stay unresolved and
out of the timeline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from newsbrief.records import Article, DatedEvent, Entity, Granularity, Quote, Span

_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES.split(), 1)}
MONTHS |= {m[:3]: i for m, i in list(MONTHS.items())} | {"sept": 9}
WEEKDAYS = {
    d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    (
        "month_day",
        re.compile(
            _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?\b", re.I
        ),
    ),
    (
        "day_month",
        re.compile(
            r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
            + _MONTH
            + r"(?:,?\s+(?P<year>\d{4}))?\b",
            re.I,
        ),
    ),
    ("month_year", re.compile(r"\b" + _MONTH + r"\s+(?P<year>\d{4})\b", re.I)),
    (
        "weekday",
        re.compile(
            r"\b(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I
        ),
    ),
    ("relative_day", re.compile(r"\b(?P<rel>today|yesterday|tomorrow|tonight)\b", re.I)),
    ("relative_week", re.compile(r"\b(?P<which>next|last|this)\s+week\b", re.I)),
    ("relative_year", re.compile(r"\b(?P<which>next|last|this)\s+year\b", re.I)),
    (
        "month",
        re.compile(
            r"\b(?:in|since|during|by|until|last|this|early|mid|late)[\s-]+(?:"
            + _MONTH.replace("(?P<month>", "(?P<month>")
            + r")\b",
            re.I,
        ),
    ),
    ("year", re.compile(r"\b(?:in|since|during|by|until)\s+(?P<year>(?:19|20)\d{2})\b", re.I)),
]


def resolve(expression: str, published: date) -> tuple[date, Granularity] | None:
    """(start, granularity) of a time expression relative to ``published``, or None."""
    for kind, pattern in _PATTERNS:
        match = pattern.search(expression)
        if match:
            return _resolve(kind, match, published)
    return None


def _resolve(kind: str, m: re.Match[str], published: date) -> tuple[date, Granularity] | None:
    groups = m.groupdict()
    try:
        if kind == "iso":
            return date(int(groups["y"]), int(groups["m"]), int(groups["d"])), "day"
        if kind in ("month_day", "day_month"):
            month = MONTHS[groups["month"].lower().rstrip(".")]
            year = int(groups["year"]) if groups.get("year") else _year_of(month, published)
            return date(year, month, int(groups["day"])), "day"
        if kind == "month_year":
            return date(
                int(groups["year"]), MONTHS[groups["month"].lower().rstrip(".")], 1
            ), "month"
        if kind == "weekday":
            back = (published.weekday() - WEEKDAYS[groups["weekday"].lower()]) % 7
            return published - timedelta(days=back), "day"
        if kind == "relative_day":
            shift = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[
                groups["rel"].lower()
            ]
            return published + timedelta(days=shift), "day"
        if kind == "relative_week":
            monday = published - timedelta(days=published.weekday())
            shift = {"next": 7, "last": -7, "this": 0}[groups["which"].lower()]
            return monday + timedelta(days=shift), "week"
        if kind == "relative_year":
            shift = {"next": 1, "last": -1, "this": 0}[groups["which"].lower()]
            return date(published.year + shift, 1, 1), "year"
        if kind == "month":
            month = MONTHS[groups["month"].lower().rstrip(".")]
            return date(_year_of(month, published), month, 1), "month"
        if kind == "year":
            return date(int(groups["year"]), 1, 1), "year"
    except (ValueError, KeyError):
        return None
    return None


def _year_of(month: int, published: date) -> int:
    """A month named without a year is the latest such month not after publication."""
    return published.year if month <= published.month else published.year - 1


def dated_events(
    article: Article, entities: Sequence[Entity], quotes: Sequence[Quote] = ()
) -> list[DatedEvent]:
    """The DATE expressions of an article that resolve, one per sentence and date. Expressions
    inside a direct quote are skipped: "today" there means the day the words were said, which
    the publication date does not tell."""
    published = article.published_date
    if published is None:
        return []
    quoted = [q.content for q in quotes if q.direct]
    out: list[DatedEvent] = []
    seen: set[tuple[int, date]] = set()
    for ent in entities:
        if ent.label != "DATE" or any(ent.span in q for q in quoted):
            continue
        # the preposition before the entity tells a month ("in August") from a bare word
        context = article.text[max(0, ent.span.start - 8) : ent.span.end]
        found = resolve(context, published)
        if found is None:
            continue
        start, granularity = found
        if (ent.sentence, start) in seen:
            continue
        seen.add((ent.sentence, start))
        out.append(
            DatedEvent(
                article_id=article.id,
                sentence=ent.sentence,
                expression=Span(start=ent.span.start, end=ent.span.end),
                start=start,
                granularity=granularity,
            )
        )
    return out
