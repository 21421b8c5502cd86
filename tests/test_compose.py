"""Section composition helpers of newsbrief.brief.compose."""

from __future__ import annotations

import pytest

from newsbrief.brief.compose import compress


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("WASHINGTON (AP) — The Senate voted on Wednesday.", "The Senate voted on Wednesday."),
        ("WASHINGTON/BUDAPEST – A lengthy phone call ended.", "A lengthy phone call ended."),
        ("SAN DIEGO, Calif. — Police arrested a man.", "Police arrested a man."),
        ("Rep. Tim Ryan (Ohio) lost the vote.", "Rep. Tim Ryan lost the vote."),
        ("The man was shot four times, police said.", "The man was shot four times."),
        ("The plant will close, the company said Tuesday.", "The plant will close."),
        ("Trump (pictured) spoke, Peskov told Reuters.", "Trump spoke."),
    ],
)
def test_compress_drops_datelines_asides_and_closing_attributions(
    sentence: str, expected: str
) -> None:
    assert compress(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "He said “no deal,” officials said.",  # quotes and what frames them stay verbatim
        "The shield is 7.5-foot-wide (2.3 m) and thick.",  # a figure in parentheses is content
        "The deal, officials said, is done.",  # only a closing attribution goes
        "A US-led coalition - backed by NATO - struck.",  # no dateline
    ],
)
def test_compress_keeps(sentence: str) -> None:
    assert compress(sentence) == sentence
