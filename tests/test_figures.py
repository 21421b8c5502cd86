"""Figures with their units: speeds, grades and conversions (analyse.figures)."""

from __future__ import annotations

import pytest

from newsbrief.analyse.figures import figures


def found(text: str) -> list[tuple[str, float, str]]:
    return [(f.hedge, round(f.value, 2), f.unit) for f in figures(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The storm was traveling at 12 mph.", [("exact", 19.31, "km/h")]),
        ("Winds reached 185 km/h on Sunday.", [("exact", 185.0, "km/h")]),
        ("It moved at 14 miles per hour.", [("exact", 22.53, "km/h")]),
        ("Gusts of 60 knots hit the coast.", [("exact", 111.12, "km/h")]),
        ("It weakened to a Category 2 storm.", [("exact", 2.0, "category")]),
        ("A 6.1-magnitude quake struck the island.", [("exact", 6.1, "magnitude")]),
        ("A quake of magnitude 5.6 hit Qeshm.", [("exact", 5.6, "magnitude")]),
        ("The town lies 10 miles from the coast.", [("exact", 16.09, "kilometre")]),
    ],
)
def test_speeds_grades_and_lengths_in_one_unit_per_dimension(
    text: str, expected: list[tuple[str, float, str]]
) -> None:
    assert found(text) == expected


def test_a_conversion_in_brackets_is_the_same_figure() -> None:
    assert found("Winds of 115 mph (185 km/h) battered the coast.") == [("exact", 185.07, "km/h")]


def test_two_speeds_outside_brackets_are_two_figures() -> None:
    assert len(figures("Winds rose from 100 mph to 115 mph.")) == 2


def test_offsets_are_of_the_whole_text() -> None:
    (f,) = figures("at 12 mph", offset=100)
    assert (f.start, f.end, f.text) == (103, 109, "12 mph")
