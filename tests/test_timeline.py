"""Time expressions resolved against a publication date (newsbrief.analyse.timeline)."""

from __future__ import annotations

from datetime import date

import pytest

from newsbrief.analyse.timeline import resolve

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
        # a month after the publication month, without a year, is last year's
        ("in November", (date(2024, 11, 1), "month")),
        ("December 3", (date(2024, 12, 3), "day")),
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
