"""Section composition helpers of newsbrief.brief.compose."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from newsbrief import pipeline
from newsbrief.brief import compose as compose_module
from newsbrief.brief.compose import compress
from newsbrief.ingest import prepare
from newsbrief.records import RawArticle
from newsbrief.settings import load_settings
from newsbrief.terms import terms


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


class CountingEncoder:
    """An encoder that counts the texts it encodes."""

    name = "counting"
    dim = 2

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.encoded += texts
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


def test_sentence_vectors_are_kept_between_briefs(monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = CountingEncoder()
    first = compose_module._memo(encoder)(["a b", "c d e"])
    again = compose_module._memo(encoder)(["c d e", "f"])  # a later brief, one new sentence
    assert encoder.encoded == ["a b", "c d e", "f"]
    assert (first[1] == again[0]).all()
    monkeypatch.setattr(compose_module, "VECTORS_KEPT", 2)
    compose_module._memo(encoder)(["g"])  # the least recently used ("a b") goes
    compose_module._memo(encoder)(["a b"])
    assert encoder.encoded[-1] == "a b"


def test_lexrank_puts_the_sentence_that_shares_most_first() -> None:
    sentences = [
        terms("The ceasefire talks in Geneva resumed on Monday."),
        terms("Negotiators in Geneva said the ceasefire talks went well."),
        terms("The ceasefire talks will go on in Geneva next week."),
        terms("A local bakery won a prize for its bread."),
    ]
    rank = compose_module._lexrank(sentences)
    assert min(rank[:3]) > rank[3]
    assert abs(sum(rank) / len(rank) - 1.0) < 1e-6  # scaled so that the mean is 1


def test_background_is_relative_to_the_story_s_newest_article() -> None:
    # an article a month older than the story's news tells background, though it tells it in
    # the present tense and with no background words (five news
    # sentences fill the summary)
    older = RawArticle(
        origin="a",
        title="Talks open",
        text="Diplomats of the two countries open negotiations in Geneva after months of war.",
        outlet="Daily A",
        published="2025-09-10",
    )
    newer = RawArticle(
        origin="b",
        title="Talks end",
        text=(
            "The ceasefire agreement was signed by both governments on Friday evening.\n\n"
            "Prisoners will be exchanged within a week, the mediators announced.\n\n"
            "Troops are to leave the border villages by the end of the month.\n\n"
            "Aid convoys reached the northern province on Saturday morning.\n\n"
            "Both parliaments will vote on the agreement in the coming days."
        ),
        outlet="Daily B",
        published="2025-10-17",
    )
    analyses = list(pipeline.analyse(map(prepare, (older, newer)), load_settings(env={})))
    brief = compose_module.compose(analyses)
    by_key = {s.key: [i.text for i in s.items] for s in brief.sections}
    assert any("open negotiations" in t for t in by_key["story_so_far"])
    assert not any("open negotiations" in t for t in by_key["executive_summary"])
