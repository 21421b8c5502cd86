"""Time expressions resolved against a publication date (newsbrief.analyse.timeline)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbrief import pipeline
from newsbrief.analyse import timeline
from newsbrief.analyse.timeline import dated_events, is_future, resolve
from newsbrief.brief.compose import compose
from newsbrief.ingest import prepare
from newsbrief.records import RawArticle
from newsbrief.settings import load_settings

PUBLISHED = date(2025, 10, 17)  # a Friday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("on Thursday", (date(2025, 10, 16), "day")),
        ("on Friday", (date(2025, 10, 17), "day")),  # the day of publication itself
        ("in August", (date(2025, 8, 1), "month")),  # the month, not a day of it
        ("October 16", (date(2025, 10, 16), "day")),
        ("16 October 2025", (date(2025, 10, 16), "day")),
        ("Oct. 16, 2024", (date(2024, 10, 16), "day")),
        ("next week", (date(2025, 10, 20), "week")),  # starts on Monday
        ("last week", (date(2025, 10, 6), "week")),
        ("last year", (date(2024, 1, 1), "year")),
        ("today", (date(2025, 10, 17), "day")),
        ("yesterday", (date(2025, 10, 16), "day")),
        ("in March 2024", (date(2024, 3, 1), "month")),
        ("since 2019", (date(2019, 1, 1), "year")),
        ("since July 24 , 2003", (date(2003, 7, 24), "day")),  # tokenised text
        # a month after the publication month, without a year or a day, is last year’s
        ("in November", (date(2024, 11, 1), "month")),
        ("December 3", (date(2024, 12, 3), "day")),
        ("October 25", (date(2025, 10, 25), "day")),  # a day just ahead is this year’s
        ("May 3", (date(2025, 5, 3), "day")),
    ],
)
def test_resolves(expression: str, expected: tuple[date, str]) -> None:
    assert resolve(expression, PUBLISHED) == expected


@pytest.mark.parametrize(
    "expression",
    ["two and a half hours", "eight months", "the past eight months", "March", "February 30"],
)
def test_durations_and_bare_or_impossible_dates_stay_unresolved(expression: str) -> None:
    assert resolve(expression, PUBLISHED) is None


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("last September", (date(2025, 9, 1), "month")),  # the one just past
        ("last October", (date(2024, 10, 1), "month")),  # said in October: a year back
        ("next March", (date(2026, 3, 1), "month")),
        ("earlier this month", (date(2025, 10, 1), "month")),
        ("last month", (date(2025, 9, 1), "month")),
        ("next month", (date(2025, 11, 1), "month")),
        ("earlier this week", (date(2025, 10, 13), "week")),
        ("three days ago", (date(2025, 10, 14), "day")),
        ("two weeks ago", (date(2025, 9, 29), "week")),
        ("six months ago", (date(2025, 4, 1), "month")),
        ("a year ago", (date(2024, 1, 1), "year")),
        # a range starts where it starts
        ("from March to May", (date(2025, 3, 1), "month")),
        ("between 2010 and 2012", (date(2010, 1, 1), "year")),
    ],
)
def test_resolves_relative_months_and_ago(expression: str, expected: tuple[date, str]) -> None:
    assert resolve(expression, PUBLISHED) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("on Thursday", (date(2025, 10, 23), "day")),  # "will meet on Thursday"
        ("by early June", (date(2026, 6, 1), "month")),
        ("in November", (date(2025, 11, 1), "month")),
        ("December 3", (date(2025, 12, 3), "day")),
    ],
)
def test_a_sentence_about_what_is_to_come_takes_the_next_date(
    expression: str, expected: tuple[date, str]
) -> None:
    assert resolve(expression, PUBLISHED, future=True) == expected


@pytest.mark.parametrize(
    ("sentence", "future"),
    [
        ("The leaders will meet on Thursday.", True),
        ("Chrysler wants to eliminate 789 dealers by early June.", True),
        ("The talks are scheduled to start in November.", True),
        ("The call took place on Thursday, ahead of a scheduled meeting.", False),
    ],
)
def test_future_sentences(sentence: str, future: bool) -> None:
    assert is_future(sentence) is future


def _events(text: str, published: str | None = None) -> list[tuple[str, str]]:
    """(label, expression) of the dated events of a one-article text."""
    article = prepare(RawArticle(origin="t", title="Talks", text=text, published=published))
    (analysis,) = pipeline.analyse([article], load_settings(env={}))
    events = dated_events(analysis.article, analysis.entities, analysis.quotes, analysis.sentences)
    return [(e.label, e.said) for e in events]


def test_without_a_publication_date_relative_expressions_stay_relative() -> None:
    found = _events(
        "The foreign ministers met in Geneva on Thursday to discuss the ceasefire. "
        "The treaty was signed on October 16, 2025, after months of talks."
    )
    assert found == [
        ("date unknown: “Thursday”", "Thursday"),
        ("2025-10-16", "October 16, 2025"),
    ]


def test_vague_expressions_stay_relative_and_durations_are_no_dates() -> None:
    found = _events(
        "The two sides held talks in recent weeks in Geneva. Talks will resume in the coming"
        " weeks. The call lasted two and a half hours. They first met last month.",
        published="2025-10-17",
    )
    assert [label for label, _ in found] == [
        "date unknown: “recent weeks”",
        "date unknown: “the coming weeks”",
        "2025-09",
    ]


def test_the_brief_timeline_lists_what_is_dated_only_relatively_last() -> None:
    text = (
        "The foreign ministers met in Geneva on Thursday to discuss the ceasefire plan.\n\n"
        "Negotiators expect a new round of the Geneva talks in the coming weeks.\n\n"
        "The treaty was signed on October 16, 2025, after months of talks between them."
    )
    article = prepare(RawArticle(origin="a", title="Talks", text=text, outlet="Daily A"))
    brief = compose(list(pipeline.analyse([article], load_settings(env={}))))
    timeline = next(s for s in brief.sections if s.key == "timeline")
    # the relative ones in the order the story tells them
    assert [i.label for i in timeline.items] == [
        "2025-10-16",
        "date unknown: “Thursday”",
        "date unknown: “the coming weeks”",
    ]


# --- dates at the ends of datetime's range (issue 15): unresolved, never an exception ---------
# Stores written before ingest bounded publication dates hold 0001-01-01 and 9999-12-31; each
# expression here takes the date past year 1 or 9999 (the old code raised OverflowError).
@pytest.mark.parametrize(
    ("expression", "published", "future"),
    [
        ("tomorrow", date.max, False),
        ("next week", date.max, False),
        ("on Monday", date.max, True),  # the next Monday
        ("yesterday", date.min, False),
        ("on Thursday", date.min, False),  # the last Thursday
        ("last week", date.min, False),
        ("three days ago", date.min, False),
        ("two weeks ago", date.min, False),
        ("1000000000 days ago", PUBLISHED, False),  # past timedelta's range itself
    ],
)
def test_a_date_past_datetime_s_range_stays_unresolved(
    expression: str, published: date, future: bool
) -> None:
    assert resolve(expression, published, future=future) is None


@pytest.mark.parametrize(
    ("expression", "published", "expected"),
    [
        ("next year", date(9998, 6, 1), (date(9999, 1, 1), "year")),
        ("yesterday", date(1, 1, 2), (date(1, 1, 1), "day")),
        ("in 1900", date(1900, 1, 1), (date(1900, 1, 1), "year")),
        ("next year", date(2099, 12, 31), (date(2100, 1, 1), "year")),
    ],
)
def test_dates_at_the_ends_of_the_range_still_resolve(
    expression: str, published: date, expected: tuple[date, str]
) -> None:
    assert resolve(expression, published) == expected


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("9999-12-31", ["9999-12-30", "date unknown: “tomorrow”", "date unknown: “next week”"]),
        # its own day, whatever the offset says the day is in UTC
        (
            "9999-12-31T23:30:00-23:59",
            ["9999-12-30", "date unknown: “tomorrow”", "date unknown: “next week”"],
        ),
        ("0001-01-01", ["date unknown: “yesterday”", "0001-01-02", "week of 0001-01-08"]),
    ],
)
def test_an_article_at_the_end_of_the_range_keeps_its_dates_past_it_relative(
    published: str, expected: list[str]
) -> None:
    found = _events(
        "The ministers met yesterday and will meet again tomorrow. The talks resume next week.",
        published=published,
    )
    assert [label for label, _ in found] == expected


# Every spelling of a month, a weekday or a number word that the patterns accept is a key of
# the table it is looked up in ("Sepember" matched `sept?(?:ember)?` and was none of MONTHS).
@pytest.mark.parametrize(
    "expression",
    ["Sepember 5", "Aprİl 5", "on frıday", "ſeptember 5", "fıve days ago", "thıs year", "tonıght"],
)
def test_look_alike_spellings_are_not_dates(expression: str) -> None:
    assert resolve(expression, PUBLISHED) is None


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.sampled_from([p for _kind, p in timeline._PATTERNS]),
    data=st.data(),
    published=st.none() | st.sampled_from([date.min, date.max]) | st.dates(),
    future=st.booleans(),
)
def test_every_expression_resolves_or_not_against_any_date(
    pattern: re.Pattern[str], data: st.DataObject, published: date | None, future: bool
) -> None:
    """Whatever the patterns accept, against any publication date datetime knows: a date in
    range, or None."""
    expression = data.draw(st.from_regex(pattern, fullmatch=True))
    found = resolve(expression, published, future=future)
    assert found is None or date.min <= found[0] <= date.max


def _date_of(sentence: str, expression: str, published: date) -> tuple[date | None, str] | None:
    start = sentence.index(expression)
    span = timeline.Span(start=start, end=start + len(expression))
    return timeline.date_of(sentence, span, 0, published)


TUESDAY = date(2018, 10, 30)  # a Tuesday


@pytest.mark.parametrize(
    ("sentence", "expression", "expected"),
    [
        # weekdays with "next", "last", "this"
        ("The vote is next Tuesday.", "next Tuesday", (date(2018, 11, 6), "day")),
        ("He spoke last Tuesday.", "last Tuesday", (date(2018, 10, 23), "day")),
        ("It was this Monday.", "this Monday", (date(2018, 10, 29), "day")),
        ("It would not be held this Thursday, as scheduled.", "this Thursday",
         (date(2018, 11, 1), "day")),
        # what is to come: a deadline, "would", "as originally scheduled"
        ("He set a Nov. 20 deadline for the answers.", "Nov. 20", (date(2018, 11, 20), "day")),
        ("The Wednesday hearing would have been his first.", "Wednesday",
         (date(2018, 10, 31), "day")),
        # weekends, the day itself, the year's end
        # on a Tuesday the nearest weekend is the one just past
        ("He spent the weekend in Iowa.", "the weekend", (date(2018, 10, 27), "day")),
        ("He campaigns ahead of Saturday's straw poll.", "Saturday", (date(2018, 11, 3), "day")),
        ("“The veto will be overridden,” he said Tuesday.", "Tuesday", (TUESDAY, "day")),
        ("He won on Election Day.", "Election Day", (date(2017, 11, 7), "day")),
        ("They met last weekend.", "last weekend", (date(2018, 10, 27), "day")),
        ("Earlier in the day, aides said so.", "the day", (TUESDAY, "day")),
        ("Rates expire at the end of the year.", "the end of the year",
         (date(2018, 12, 1), "month")),
        # a bare year is that year; a weekday in a name is no day
        ("He ran on Al Gore's 2000 ticket.", "2000", (date(2000, 1, 1), "year")),
        ("He said on Fox News Sunday that he would run.", "Sunday", None),
        # seasons: the one over, this year's, the coming one
        ("It began last summer.", "last summer", (date(2018, 6, 1), "season")),
        ("It will open next spring.", "next spring", (date(2019, 3, 1), "season")),
        ("In the summer of 2012 it rained.", "summer of 2012", (date(2012, 6, 1), "season")),
        # a couple of weeks ago tells when, but not which day
        ("He spoke a couple weeks ago.", "a couple weeks ago", (None, "relative")),
    ],
)  # fmt: skip
def test_dates_told_by_what_comes_around_them(
    sentence: str, expression: str, expected: tuple[date | None, str] | None
) -> None:
    assert _date_of(sentence, expression, TUESDAY) == expected


def test_on_a_thursday_the_weekend_is_the_coming_one() -> None:
    assert _date_of("Boehner heads home for the weekend.", "the weekend", date(2012, 12, 13)) == (
        date(2012, 12, 15),
        "day",
    )


def test_last_summer_said_in_summer_is_the_year_before() -> None:
    assert _date_of("It began last summer.", "last summer", date(2018, 7, 15)) == (
        date(2017, 6, 1),
        "season",
    )


def test_a_season_is_labelled_by_its_name() -> None:
    from newsbrief.records import DatedEvent

    event = DatedEvent(
        article_id="a", sentence=0, expression=timeline.Span(start=0, end=1),
        start=date(2018, 6, 1), granularity="season", said="last summer",
    )  # fmt: skip
    assert event.label == "summer 2018"


@pytest.mark.parametrize(
    ("sentence", "future"),
    [
        ("The judge set the sentencing for June 28", True),
        ("Sentencing has been set for June 28", True),
        ("He set out for Paris on May 3", False),
    ],
)
def test_what_is_set_for_a_day_is_to_come(sentence: str, future: bool) -> None:
    assert is_future(sentence) is future
