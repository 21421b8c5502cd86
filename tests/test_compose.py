"""Section composition helpers of newsbrief.brief.compose."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

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


def _sections(
    older: Sequence[str], newer: Sequence[str], published: str = "2025-09-10"
) -> dict[str, list[str]]:
    """The items' texts of each section of the brief of two articles, the older one (a month
    older unless ``published`` says otherwise), each of the given paragraphs."""
    raws = [
        RawArticle(origin=origin, title=title, text="\n\n".join(paragraphs), outlet=outlet,
                   published=published)
        for origin, title, paragraphs, outlet, published in (
            ("a", "Talks open", older, "Daily A", published),
            ("b", "Talks end", newer, "Daily B", "2025-10-17"),
        )
    ]  # fmt: skip
    analyses = list(pipeline.analyse(map(prepare, raws), load_settings(env={})))
    brief = compose_module.compose(analyses)
    return {s.key: [i.text for i in s.items] for s in brief.sections}


def test_background_is_relative_to_the_story_s_newest_article() -> None:
    # an article a month older than the story's news tells background, though it tells it in
    # the present tense and with no background words (five news
    # sentences fill the summary)
    by_key = _sections(
        ["Diplomats of the two countries open negotiations in Geneva after months of war."],
        [
            "The ceasefire agreement was signed by both governments on Friday evening.",
            "Prisoners will be exchanged within a week, the mediators announced.",
            "Troops are to leave the border villages by the end of the month.",
            "Aid convoys reached the northern province on Saturday morning.",
            "Both parliaments will vote on the agreement in the coming days.",
        ],
    )
    assert any("open negotiations" in t for t in by_key["story_so_far"])
    assert not any("open negotiations" in t for t in by_key["executive_summary"])


def test_meaning_ranks_what_other_articles_also_say() -> None:
    def unit(article: str) -> SimpleNamespace:
        return SimpleNamespace(sentence=SimpleNamespace(article_id=article))

    units = [unit("a"), unit("a"), unit("b"), unit("b")]
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.96, 0.28], [0.6, 0.8]])
    meaning = compose_module._meaning(units, vectors)  # type: ignore[arg-type]
    # the first sentence is said alike by article b, the second only by itself
    assert meaning[0] > meaning[1]
    assert compose_module._meaning(units, None) == [0.0] * 4  # no encoder, no meaning


@pytest.mark.parametrize(
    ("sentence", "so_far"),
    [
        ("The region has suffered three droughts in a decade.", True),
        ("Both sides have repeatedly violated the truce.", True),
        ("The ministers haven't agreed on a date.", True),
        ("The ministers have a plan.", False),  # possession, not the present perfect
        ("The ministers agreed on a date.", False),
    ],
)
def test_the_present_perfect_tells_the_story_so_far(sentence: str, so_far: bool) -> None:
    assert bool(compose_module._SO_FAR.search(sentence)) is so_far


@pytest.mark.parametrize(
    ("sentence", "matters"),
    [
        ("The ruling could force the plant to close.", True),
        ("The vote means that the budget is frozen until spring.", True),
        ("The plan is expected to cut emissions by a third.", True),
        ("The plant opened in May after two years of work.", False),  # the month
        ("The plant opened after two years of work.", False),
    ],
)
def test_why_it_matters_cues(sentence: str, matters: bool) -> None:
    assert bool(compose_module._MATTERS.search(sentence)) is matters


def test_summary_takes_background_only_to_reach_its_minimum() -> None:
    # three news sentences make the minimum; the month-older article's sentences, however
    # central, are The Story So Far's
    by_key = _sections(
        [
            "Diplomats of the two countries open negotiations in Geneva after months of war.",
            "The negotiations in Geneva cover the border, prisoners and the ceasefire terms.",
            "Geneva hosts the ceasefire negotiations of the two countries for a second month.",
        ],
        [
            "The ceasefire agreement was signed by both governments on Friday evening.",
            "Prisoners will be exchanged within a week, the mediators announced.",
            "Aid convoys reached the northern province on Saturday morning.",
        ],
    )
    assert len(by_key["executive_summary"]) == 3
    assert not any("Geneva" in t for t in by_key["executive_summary"])
    assert any("Geneva" in t for t in by_key["story_so_far"])


def test_the_story_so_far_recaps_the_days_before_the_news() -> None:
    # followed day by day: three days before the newest article is the story so far
    by_key = _sections(
        ["Diplomats of the two countries open negotiations in Geneva after months of war."],
        [
            "The ceasefire agreement was signed by both governments on Friday evening.",
            "Prisoners will be exchanged within a week, the mediators announced.",
            "Troops are to leave the border villages by the end of the month.",
        ],
        published="2025-10-14",
    )
    assert any("open negotiations" in t for t in by_key["story_so_far"])


def test_why_it_matters_prefers_consequences_of_the_summary_s_facts() -> None:
    # two consequences alike in cues and score: the one about what the summary states wins,
    # though the other comes first in the article
    text = "\n\n".join(
        [
            "The city council approved the harbour plan on Tuesday after a long debate.",
            "The weather could turn colder across the region later this month.",
            "The harbour plan could cost the city far more than the mayor has promised.",
        ]
    )
    raw = RawArticle(origin="a", title="Harbour plan approved", text=text, outlet="Daily A")
    (analysis,) = pipeline.analyse([prepare(raw)], load_settings(env={}))
    composer = compose_module._Composer([analysis], {})
    harbour = [i for i, u in enumerate(composer.units) if "harbour" in u.sentence.text]
    composer.vectors = np.array(
        [[1.0, 0.0] if i in harbour else [0.0, 1.0] for i in range(len(composer.units))]
    )
    composer.scores = [1.0] * len(composer.units)
    composer.summary = [harbour[0]]
    composer.used.add(compose_module._key(composer.units[harbour[0]]))
    (first, *_) = composer.why_it_matters()
    assert "cost the city" in first.text


def test_a_story_whose_newest_article_is_of_the_year_1_is_briefed() -> None:
    # its news window (NEWS_DAYS before the newest article) begins before datetime's first
    # day: no article is older than that, and none raised OverflowError
    raws = [
        RawArticle(origin=origin, title="Talks", text=text, outlet=outlet, published="0001-01-01")
        for origin, outlet, text in (
            ("a", "Daily A", "Diplomats of the two countries open negotiations in Geneva."),
            ("b", "Daily B", "The ceasefire agreement was signed by both governments."),
        )
    ]
    analyses = list(pipeline.analyse(map(prepare, raws), load_settings(env={})))
    brief = compose_module.compose(analyses)
    summary = next(s for s in brief.sections if s.key == "executive_summary")
    assert len(summary.items) == 2  # news, both of them


def test_the_timeline_holds_the_news_on_its_own_day() -> None:
    raws = [
        RawArticle(
            origin=origin, title="Shutdown ends", outlet=outlet, published="2019-01-25",
            text="Congress passed a deal to reopen the government after a five-week shutdown.\n\n"
            "The measure keeps agencies open until Feb. 15 while talks on border security go on.",
        )
        for origin, outlet in (("a", "Daily A"), ("b", "Daily B"))
    ]  # fmt: skip
    raws[1] = RawArticle(
        origin="b", title="Deal reached", outlet="Daily B", published="2019-01-25",
        text="Lawmakers approved the agreement that ends the longest shutdown in history.\n\n"
        "Workers will get their back pay within days, officials said.",
    )  # fmt: skip
    analyses = list(pipeline.analyse(map(prepare, raws), load_settings(env={})))
    timeline = next(s for s in compose_module.compose(analyses).sections if s.key == "timeline")
    labels = {i.label: i.text for i in timeline.items}
    # the two leads say the same: one item, either's words
    assert labels["2019-01-25"].startswith(("Congress passed a deal", "Lawmakers approved"))
    assert labels["2019-02-15"].startswith("The measure keeps")  # what is to come, forward
