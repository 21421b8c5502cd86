"""Dated events: time expressions resolved against the article's publication date.

Resolved: explicit dates ("October 16", "16 October 2025"; without a year, the latest up to
publication or one just after it),
weekdays ("on Thursday": the last such day on or before publication), today/yesterday/tomorrow,
next/last/this week and month, "earlier this week/month", "N days/weeks/months/years ago", a
month alone ("in August": the month, not a day of it; the latest such month not after
publication, "last September" the one before), years (a bare "2016" of "the 2016 election"
too), seasons ("last summer": the latest one over), weekends (by their Saturday: the nearest,
"last weekend" the one before), "next/last/this Tuesday", "earlier in the day", the year's
end and US Election Day. When the sentence speaks of what is to come before the expression
("will meet on Thursday", "by early June", "would", "as scheduled", "ahead of Saturday's
vote"; words inside its quotation marks do not count) or right after it ("a May 1 deadline",
"the Wednesday hearing would have been"), a weekday, a month, a season or a day without a
year is the next one instead, as is a day "until" or "by" which comes within UNTIL_DAYS. A
weekday inside a name ("Fox News Sunday") is no date. A range ("from March to May", "between
2010 and 2012") is dated by its start. Without a publication
date only expressions that name their year resolve. What tells when but cannot be resolved ("on
Thursday" in an undated article, "recently", "in the coming weeks", "a couple weeks ago")
stays relative and says so; durations ("two and a half hours", "eight months") are no dates at
all. bench/dates.py measures the dates against a reader's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from newsbrief.records import Article, DatedEvent, Entity, Granularity, Quote, Sentence, Span

_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES.split(), 1)}
MONTHS |= {m[:3]: i for m, i in list(MONTHS.items())} | {"sept": 9}
WEEKDAYS = {
    d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())
}
# The words a pattern captures and a table then looks up (months, weekdays, numbers, "next")
# are matched as ASCII, (?a:…): under re.IGNORECASE alone "İ", "ı", "ſ" and the Kelvin sign
# match i, s and k, and "Aprİl" would be no key of MONTHS. Each spelling the patterns accept is
# a key of its table (tests/test_timeline.py draws them from the patterns).
_MONTH = (
    r"(?a:(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sep(?:tember|t)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?))\.?"
)
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    (
        "month_day",
        re.compile(
            _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s?,?\s+(?P<year>\d{4}))?\b", re.I
        ),
    ),
    (
        "day_month",
        re.compile(
            r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
            + _MONTH
            + r"(?:\s?,?\s+(?P<year>\d{4}))?\b",
            re.I,
        ),
    ),
    ("month_year", re.compile(r"\b" + _MONTH + r"\s+(?P<year>\d{4})\b", re.I)),
    (
        "season",
        re.compile(
            r"\b(?:(?a:(?P<which>last|this|next|past|coming))\s+|(?P<year_before>\d{4})\s+"
            r"|(?:in|during|since|by|until|over|through)\s+(?:the\s+)?(?:(?:early|late|mid)-?\s*)?)"
            r"(?a:(?P<season>spring|summer|fall|autumn|winter))"
            r"(?:\s+(?:of\s+)?(?P<year>(?:19|20)\d{2}))?\b",
            re.I,
        ),
    ),
    (
        "weekend",
        re.compile(r"\b(?:(?a:(?P<which>last|this|next|past|coming|the))\s+)weekend\b", re.I),
    ),
    (
        "weekday",
        re.compile(
            r"\b(?:(?a:(?P<which>last|this|next|past|coming))\s+)?"
            r"(?a:(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
            re.I,
        ),
    ),
    (
        "relative_day",
        re.compile(
            r"\b(?a:(?P<rel>today|yesterday|tomorrow|tonight)"
            r"|(?:earlier|later)\s+(?:in\s+the\s+day|today))\b",
            re.I,
        ),
    ),
    ("election_day", re.compile(r"\b[Ee]lection [Dd]ay\b")),
    (
        "year_end",
        re.compile(r"\b(?:year-end|end\s+of\s+(?:the|this)\s+year)\b", re.I),
    ),
    (
        "ago",
        re.compile(
            r"\b(?P<n>\d+|(?a:a|an|one|two|three|four|five|six|seven|eight|nine|ten))\s+"
            r"(?a:(?P<unit>day|week|month|year))s?\s+ago\b",
            re.I,
        ),
    ),
    (
        "relative_week",
        re.compile(
            r"\b(?:(?a:(?P<which>next|last|this))|earlier\s+this|later\s+this"
            r"|(?:throughout|during|over|all|earlier\s+in|later\s+in)\s+the)\s+week\b",
            re.I,
        ),
    ),
    (
        "relative_month",
        re.compile(
            r"\b(?:(?a:(?P<which>next|last|this))|earlier\s+this|later\s+this)\s+month\b",
            re.I,
        ),
    ),
    ("relative_year", re.compile(r"\b(?a:(?P<which>next|last|this))\s+year\b", re.I)),
    (
        "month",
        re.compile(
            r"\b(?a:(?P<which>in|since|during|by|until|from|between|last|next|this|early|mid|late))"
            r"[\s-]+(?:" + _MONTH + r")\b",
            re.I,
        ),
    ),
    (
        "year",
        re.compile(
            r"\b(?:in|since|during|by|until|from|between)\s+(?P<year>(?:19|20)\d{2})\b", re.I
        ),
    ),
]


# A day without a year this close after publication is this year's (SemEval-2015 Task 4 dates:
# taking the nearer of this year's and last year's lowered timeline F1 from 6.71 to 6.37).
SOON_DAYS = 14
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
# A sentence that speaks of what is to come: a month or a weekday without a year or a week is
# then the next one, not the last ("will meet on Thursday", "wants to cut 789 dealers by early
# June").
_FUTURE = re.compile(
    r"\b(?:will|shall|won't|might|going to|plans? to|planned to|expects? to|expected to"
    r"|scheduled to|set to|is to|are to|due to|wants? to|aims? to|intends? to"
    r"|would|upcoming|deadline|slated|(?:scheduled|set)\s+(?:(?:the|a|an|his|her|its|their)\s+\w+\s+)?for"
    r"|as (?:originally )?scheduled"
    r"|by (?:early |mid-?|late )?" + _MONTH.replace("(?P<month>", "(?:") + r")",
    re.I,
)


def is_future(sentence: str) -> bool:
    """Whether words of what is to come are in ``sentence`` outside quotation marks (a quote's
    "will" is the speaker's, not the sentence's: "“the veto will be overridden,” he said
    Tuesday")."""
    return _FUTURE.search(_QUOTED.sub(" ", sentence)) is not None


_QUOTED = re.compile(r"“[^”]*”?|\"[^\"]*\"?")


def resolve(
    expression: str, published: date | None, *, future: bool = False
) -> tuple[date, Granularity] | None:
    """(start, granularity) of a time expression relative to ``published``, or None. A month
    or weekday without a year is the latest one up to publication, or with ``future`` (the
    sentence speaks of what is to come) the next one from it. Without a publication date only
    expressions that name their year resolve."""
    for kind, pattern in _PATTERNS:
        match = pattern.search(expression)
        if match:
            if published is None and not _names_its_year(kind, match):
                return None
            return _resolve(kind, match, published or date.min, future)
    return None


def relative(expression: str) -> bool:
    """Whether a time expression tells when, relative to a date the text may not give: one
    that resolve() reads, or a vague one ("recently", "in the coming weeks")."""
    return _VAGUE.search(expression) is not None or any(
        pattern.search(expression) for _kind, pattern in _PATTERNS
    )


_VAGUE = re.compile(
    r"\b(?:recent(?:ly)?|soon|coming\s+(?:days|weeks|months)"
    r"|(?:a\s+couple(?:\s+of)?|a\s+few|several)\s+(?:days|weeks|months|years)\s+ago"
    r"|(?:days|weeks|months|years)\s+ahead"
    r"|(?:past|last|next)\s+few\s+(?:days|weeks|months))\b",
    re.I,
)


def _names_its_year(kind: str, m: re.Match[str]) -> bool:
    return kind in ("iso", "month_year", "year") or bool(m.groupdict().get("year"))


def _resolve(
    kind: str, m: re.Match[str], published: date, future: bool
) -> tuple[date, Granularity] | None:
    groups = m.groupdict()
    try:
        if kind == "iso":
            return date(int(groups["y"]), int(groups["m"]), int(groups["d"])), "day"
        if kind in ("month_day", "day_month"):
            month, day = MONTHS[groups["month"].lower().rstrip(".")], int(groups["day"])
            if groups.get("year"):
                return date(int(groups["year"]), month, day), "day"
            this_year = date(published.year, month, day)
            if future:
                return (this_year if this_year >= published else _next_year(this_year)), "day"
            # the latest not after publication, unless this year's is at most SOON_DAYS
            # ahead ("the first stop, on November 16", written on 5 November)
            if this_year <= published + timedelta(days=SOON_DAYS):
                return this_year, "day"
            return _last_year(this_year), "day"
        if kind == "month_year":
            return date(
                int(groups["year"]), MONTHS[groups["month"].lower().rstrip(".")], 1
            ), "month"
        if kind == "weekday":
            target = WEEKDAYS[groups["weekday"].lower()]
            which = (groups["which"] or "").lower()
            ahead = (target - published.weekday()) % 7  # days to the coming one (0: today)
            if which in ("next", "coming"):
                return published + timedelta(days=ahead or 7), "day"
            if which in ("last", "past"):
                return published - timedelta(days=(published.weekday() - target) % 7 or 7), "day"
            if which == "this":
                # the one of the week (Sunday to Saturday) of publication, or with ``future``
                # the coming one
                sunday = published - timedelta(days=(published.weekday() + 1) % 7)
                in_week = sunday + timedelta(days=(target + 1) % 7)
                return (published + timedelta(days=ahead) if future else in_week), "day"
            if future:
                return published + timedelta(days=ahead), "day"
            return published - timedelta(days=(published.weekday() - target) % 7), "day"
        if kind == "weekend":
            # a weekend is dated by its Saturday: "this weekend" the nearest one (on a Monday
            # the one just past, on a Thursday the coming one), or with ``future`` the coming
            # one; "last weekend" the latest before publication, "next weekend" the first after
            which = groups["which"].lower()
            before = published - timedelta(days=(published.weekday() - 5) % 7 or 7)
            after = published + timedelta(days=(5 - published.weekday()) % 7 or 7)
            if published.weekday() >= 5:  # written on the weekend itself
                before = after = published - timedelta(days=published.weekday() - 5)
                if which in ("last", "past"):
                    return before - timedelta(days=7), "day"
                if which in ("next", "coming"):
                    return after + timedelta(days=7), "day"
                return before, "day"
            if which in ("last", "past"):
                return before, "day"
            if which in ("next", "coming") or future:
                return after, "day"
            return (before if published - before < after - published else after), "day"
        if kind == "election_day":
            # the US general election: the Tuesday after the first Monday of November, the
            # one of publication's year when it is past (or to come), else the year before's
            election = _election_day(published.year)
            if election <= published or future:
                return election, "day"
            return _election_day(published.year - 1), "day"
        if kind == "year_end":
            return date(published.year, 12, 1), "month"
        if kind == "season":
            return _season(groups, published, future), "season"
        if kind == "ago":
            n = int(groups["n"]) if groups["n"].isdigit() else _NUMBERS[groups["n"].lower()]
            unit = groups["unit"].lower()
            if unit in ("day", "week"):
                back = published - timedelta(days=n * (7 if unit == "week" else 1))
                if unit == "day":
                    return back, "day"
                return back - timedelta(days=back.weekday()), "week"
            if unit == "month":
                months = published.year * 12 + published.month - 1 - n
                return date(months // 12, months % 12 + 1, 1), "month"
            return date(published.year - n, 1, 1), "year"
        if kind == "relative_month":
            shift = {"next": 1, "last": -1}.get((groups["which"] or "this").lower(), 0)
            months = published.year * 12 + published.month - 1 + shift
            return date(months // 12, months % 12 + 1, 1), "month"
        if kind == "relative_day":
            shift = {"yesterday": -1, "tomorrow": 1}.get((groups["rel"] or "").lower(), 0)
            return published + timedelta(days=shift), "day"
        if kind == "relative_week":
            monday = published - timedelta(days=published.weekday())
            shift = {"next": 7, "last": -7}.get((groups["which"] or "this").lower(), 0)
            return monday + timedelta(days=shift), "week"
        if kind == "relative_year":
            shift = {"next": 1, "last": -1, "this": 0}[groups["which"].lower()]
            return date(published.year + shift, 1, 1), "year"
        if kind == "month":
            month = MONTHS[groups["month"].lower().rstrip(".")]
            which = groups["which"].lower()
            year = _year_of(month, published)
            if which == "last" and month >= published.month:
                year = published.year - 1  # "last September", said in September
            elif which == "next" or (future and which != "last"):
                year = published.year if month > published.month else published.year + 1
                if future and which != "next" and month == published.month:
                    year = published.year
            elif which == "this":
                year = published.year
            return date(year, month, 1), "month"
        if kind == "year":
            return date(int(groups["year"]), 1, 1), "year"
    except (ValueError, OverflowError):
        # no such date ("February 30"), or none within datetime's years 1 to 9999 ("next year"
        # written in 9999, "three days ago" on 0001-01-02, "1000000000 days ago"): unresolved,
        # so the expression stays relative
        return None
    return None


def _election_day(year: int) -> date:
    first_monday = date(year, 11, 1) + timedelta(days=(0 - date(year, 11, 1).weekday()) % 7)
    return first_monday + timedelta(days=1)


_SEASON_STARTS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}


def _season(groups: dict[str, str | None], published: date, future: bool) -> date:
    """The first day of the season meant: with its year, that year's; "last summer" the latest
    summer over before publication; "this summer" the one of its year (this winter: the one
    under way or the coming one); "next" or, with ``future``, the coming one; else the latest
    begun by publication."""
    month = _SEASON_STARTS[(groups["season"] or "").lower()]
    year = groups.get("year") or groups.get("year_before")
    if year:
        return date(int(year), month, 1)
    which = (groups.get("which") or "").lower()
    starts = [date(y, month, 1) for y in range(published.year - 2, published.year + 2)]
    if which in ("last", "past"):
        return max(d for d in starts if _months_later(d, 3) <= published)
    if which == "this":
        if month == 12 and published.month <= 2:
            return date(published.year - 1, 12, 1)
        return date(published.year, month, 1)
    if which in ("next", "coming") or future:
        return min(d for d in starts if d > published or _months_later(d, 3) > published)
    return max(d for d in starts if d <= published)


def _months_later(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def _next_year(day: date) -> date:
    return day.replace(year=day.year + 1)


def _last_year(day: date) -> date:
    return day.replace(year=day.year - 1)


def _year_of(month: int, published: date) -> int:
    """A month named without a year is the latest such month not after publication."""
    return published.year if month <= published.month else published.year - 1


def date_of(
    text: str, span: Span, sentence_start: int | None, published: date | None
) -> tuple[date | None, Granularity] | None:
    """What the DATE expression at ``span`` of ``text`` tells: (start, granularity) when it
    resolves, (None, "relative") when it tells when but cannot be resolved, None when it is no
    point in time (a duration, an age)."""
    # the preposition before the entity tells a month ("in August") from a bare word
    context = text[max(0, span.start - 8) : span.end]
    # what is to come, said before the expression: "will meet on Thursday", not "announced on
    # Friday that it intends to …"
    future = sentence_start is not None and is_future(text[sentence_start : span.end])
    said = text[span.start : span.end]
    if _IN_A_NAME.search(text[max(0, span.start - 20) : span.start]) and _WEEKDAY.fullmatch(said):
        return None  # "Fox News Sunday", "Cyber Monday": a name, no day
    year = _BARE_YEAR.fullmatch(said.strip())
    if year:
        return date(int(year["year"]), 1, 1), "year"  # "the 2016 election", "Gore's 2000 ticket"
    if published is not None and _SAME_DAY.search(text[max(0, span.start - 16) : span.end]):
        return published, "day"  # "Earlier in the day"
    future = (
        future
        or _COMING.match(text[span.end : span.end + 16]) is not None
        or _AHEAD.search(text[max(0, span.start - 16) : span.start]) is not None
    )
    found = resolve(context, published, future=future)
    if (
        found is not None
        and not future
        and published is not None
        and _UNTIL.search(text[max(0, span.start - 10) : span.start])
    ):
        # "open until Feb. 15", written on 25 January: a limit soon to come, not last year's
        ahead = resolve(context, published, future=True)
        if ahead is not None and 0 < (ahead[0] - published).days <= UNTIL_DAYS:
            return ahead
    if found is not None:
        return found
    return (None, "relative") if relative(context) else None


# A day or month after "until", "through" or "by" at most this many days ahead is the coming
# one (a limit or a deadline), not last year's.
UNTIL_DAYS = 60
_UNTIL = re.compile(r"\b(?:until|till|through|by)\s+$", re.I)


_WEEKDAY = re.compile(r"(?a:monday|tuesday|wednesday|thursday|friday|saturday|sunday)", re.I)
# A word right before a weekday that makes it part of a name ("Fox News Sunday").
_IN_A_NAME = re.compile(r"\b(?:News|Cyber|Super|Black|Good|Ash|Holy|Easter|Palm)\s+$")
_AHEAD = re.compile(r"\bahead\s+of\s+(?:the\s+)?$", re.I)  # "ahead of Saturday's poll"
_SAME_DAY = re.compile(r"\b(?:earlier|later)\s+in\s+the\s+day\b", re.I)
# Words right after an expression that make it what is to come ("a May 1 deadline", "The
# Wednesday hearing would have been …"; not "on Friday that it will", a later clause's).
_COMING = re.compile(
    r"\W*(?:deadline|target date|due date|(?:[a-z]+\s+)?(?:would|will|is set|is scheduled)\b)",
    re.I,
)
_BARE_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})")


def dated_events(
    article: Article,
    entities: Sequence[Entity],
    quotes: Sequence[Quote] = (),
    sentences: Sequence[Sentence] = (),
) -> list[DatedEvent]:
    """The DATE expressions of an article, one per sentence and date: resolved against its
    publication date, or left relative (see DatedEvent) when they tell when but it cannot be
    resolved ("on Thursday" in an undated article, "recently"). Expressions inside a direct
    quote are skipped: "today" there means the day the words were said, which the publication
    date does not tell. With the ``sentences``, words of what is to come before the expression
    in its sentence make a month or a weekday without a year the next one."""
    published = article.published_date
    quoted = [p for q in quotes if q.direct for p in q.pieces]
    starts = {s.index: s.span.start for s in sentences}
    out: list[DatedEvent] = []
    seen: set[tuple[int, date | str]] = set()
    for ent in entities:
        if ent.label != "DATE" or any(ent.span in q for q in quoted):
            continue
        found = date_of(article.text, ent.span, starts.get(ent.sentence), published)
        if found is None:
            continue  # a duration ("two and a half hours") or an age
        start, granularity = found
        if (ent.sentence, start or ent.text.lower()) in seen:
            continue
        seen.add((ent.sentence, start or ent.text.lower()))
        out.append(
            DatedEvent(
                article_id=article.id,
                sentence=ent.sentence,
                expression=Span(start=ent.span.start, end=ent.span.end),
                start=start,
                granularity=granularity,
                said=ent.text,
            )
        )
    return out
