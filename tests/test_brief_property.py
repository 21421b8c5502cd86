"""A brief never raises on a valid store (issue 15): generated stories built from the real
sentences of the fixtures, stored the way an older version would have stored them, briefed and
rendered in every format.

What is generated: articles of paragraphs sampled, cut and permuted from the seeds and the HTML
fixture, sentences repeated, a few sentences naming dates near the ends of datetime's range
added, a few characters replaced by odd ones (look-alike letters, odd spaces); whole articles
copied, near copies with one sentence changed or one word edited, the same text under two
headlines; titles real, empty or odd; outlets none, one or several; publication dates none,
ordinary, at the ends of the range (0001-01-01, 9999-12-31, 1900-01-01) or date-times with
offsets of almost a day. Articles go into a fresh SQLite store
by Store.add, which takes any date (ingest now refuses those out of 1900 .. tomorrow; stores
written before it did hold them).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbrief import pipeline
from newsbrief.brief.render import FORMATS, render
from newsbrief.cluster import HashingEncoder
from newsbrief.errors import InputError
from newsbrief.ingest import InputFile, prepare, read
from newsbrief.ingest.meta import Metadata
from newsbrief.records import Analysis, Article, Brief, RawArticle
from newsbrief.settings import load_settings
from newsbrief.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
SETTINGS = load_settings(env={})  # spaCy is loaded once, by the first analyse
ENCODER = HashingEncoder()  # model-free: the property is about crashes, not about meaning

# Examples per run: the file runs in 20 to 30 s on one core (spaCy parses each new article once;
# a fresh store per example).
EXAMPLES = 150

_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])")


def _paragraphs() -> list[tuple[str, ...]]:
    """The fixtures' paragraphs, each as its sentences."""
    bodies = [p.read_text("utf-8").split("\n", 1)[1] for p in sorted(FIXTURES.glob("seeds/*.txt"))]
    (page,) = read(
        InputFile(FIXTURES / "html" / "article.html"), meta=Metadata(), settings=SETTINGS
    )
    assert isinstance(page, RawArticle), page
    bodies.append(page.text)
    return [
        tuple(_SENTENCE_END.split(line.strip()))
        for body in bodies
        for line in body.splitlines()
        if line.strip()
    ]


PARAGRAPHS = _paragraphs()
SENTENCES = sorted({s for p in PARAGRAPHS for s in p})
TITLES = [p.read_text("utf-8").split("\n", 1)[0] for p in sorted(FIXTURES.glob("seeds/*.txt"))]
ODD_TITLES = ["", "   ", "?", "“”", "—", "A" * 300, "Ünïcödé <b>title</b> & “quotes”", "2025"]
# Made-up sentences whose time expressions land near, or past, the ends of datetime's range
# when resolved against the extreme publication dates.
DATE_SENTENCES = [
    "The ministers met yesterday and will meet again tomorrow to finish the talks.",
    "The talks will resume next week in Geneva, the mediators said on Monday.",
    "A new round of talks is planned for next year, after the elections in December.",
    "The first treaty between the two cities was signed 3000 years ago, historians say.",
    "The archive dates the first meeting of the council to January 1, 0001.",
    "The summit will take place on December 31, 9999, the organisers joked last month.",
    "The bridge opened in 1900 and the city plans to replace it by 2100.",
    "Voters last went to the polls 1000000000 days ago, the opposition claimed on Thursday.",
    "Officials will announce the results on Friday, three weeks ago they said.",
]
# What scraped text may hold and patterns may trip on: letters that re.IGNORECASE takes for
# i, s and k, non-breaking and zero-width spaces, a right-to-left override, digits of other
# scripts, marks of quotation and parentheses. An article may have up to three of its
# characters replaced by these, everywhere.
ODD_CHARACTERS = ["İ", "ı", "ſ", "\u212a", "\xa0", "\u200b", "\u202e", "٣", "²", "½", "“", "”",
                  '"', "—", "(", ")", "$", "%", "\n", ""]  # fmt: skip
REPLACED = "iksaeoIS .,0123456789\"“”'"
OUTLETS = [None, "Daily A", "Daily B", "Daily A"]  # "Daily A" twice: often the same outlet
# Offsets up to a minute short of a day either way: the UTC day differs from the local one.
OFFSETS = [
    UTC,
    timezone(timedelta(hours=23, minutes=59)),
    timezone(-timedelta(hours=23, minutes=59)),
    timezone(timedelta(hours=5, minutes=45)),
    timezone(-timedelta(hours=9, minutes=30)),
]
EXTREME_DATES = ["0001-01-01", "9999-12-31", "1900-01-01", "2100-12-31"]
PUBLISHED = st.one_of(
    st.none(),
    st.sampled_from(EXTREME_DATES),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(date.isoformat),
    st.datetimes(timezones=st.sampled_from(OFFSETS)).map(datetime.isoformat),
)


@st.composite
def article_text(draw: st.DrawFn) -> str:
    """Paragraphs (of the fixtures, or of their sentences), each cut, maybe permuted, a
    sentence maybe repeated and a dated sentence maybe added; a few characters maybe odd."""
    paragraphs = []
    # a paragraph of the fixtures, or sentences drawn from anywhere in them
    paragraph = st.sampled_from(PARAGRAPHS) | st.lists(
        st.sampled_from(SENTENCES), min_size=1, max_size=4
    ).map(tuple)
    for sentences in draw(st.lists(paragraph, min_size=1, max_size=4)):
        if draw(st.booleans()):
            sentences = tuple(draw(st.permutations(sentences)))
        kept = list(sentences[: draw(st.integers(1, min(len(sentences), 6)))])
        if draw(st.booleans()):
            kept.insert(draw(st.integers(0, len(kept))), draw(st.sampled_from(kept)))
        if draw(st.booleans()):
            kept.append(draw(st.sampled_from(DATE_SENTENCES)))
        paragraphs.append(" ".join(kept))
    text = "\n\n".join(paragraphs)
    odd = draw(
        st.dictionaries(st.sampled_from(REPLACED), st.sampled_from(ODD_CHARACTERS), max_size=3)
    )
    return text.translate(str.maketrans(odd))


@st.composite
def near_copy(draw: st.DrawFn, text: str) -> str:
    """The text with one sentence changed: another real sentence in its place, or one word
    edited or dropped."""
    sentences = [s for s in SENTENCES if s in text]
    if not sentences:
        return text
    old = draw(st.sampled_from(sentences))
    words = old.split()
    i = draw(st.integers(0, len(words) - 1))
    new = draw(
        st.sampled_from(
            [
                draw(st.sampled_from(SENTENCES)),
                " ".join([*words[:i], "meaningful", *words[i + 1 :]]),
                " ".join(words[:i] + words[i + 1 :]) or old,
            ]
        )
    )
    return text.replace(old, new, 1)


@st.composite
def story(draw: st.DrawFn) -> list[RawArticle]:
    """One to three articles, each with up to two copies: the same text (under its headline or
    another), or a near copy."""
    raws: list[RawArticle] = []

    def raw(text: str) -> RawArticle:
        return RawArticle(
            origin=f"a{len(raws)}",
            title=draw(st.sampled_from(TITLES + ODD_TITLES)),
            text=text,
            outlet=draw(st.sampled_from(OUTLETS)),
            published=draw(PUBLISHED),
        )

    for text in draw(st.lists(article_text(), min_size=1, max_size=3)):
        original = raw(text)
        raws.append(original)
        for kind in draw(st.lists(st.sampled_from(["same", "headline", "near"]), max_size=2)):
            if kind == "same":  # the same article again, maybe of another outlet or day
                raws.append(replace(raw(text), title=original.title))
            elif kind == "headline":
                raws.append(raw(text))
            else:
                raws.append(raw(draw(near_copy(text))))
    return raws


_analysed: dict[Article, Analysis] = {}


def _analyse(articles: Sequence[Article]) -> list[Analysis]:
    """Each article analysed once per module (hypothesis draws the same ones again)."""
    new = [a for a in dict.fromkeys(articles) if a not in _analysed]
    _analysed.update(zip(new, pipeline.analyse(new, SETTINGS), strict=True))
    return [_analysed[a] for a in articles]


def _articles(raws: Sequence[RawArticle]) -> list[Article]:
    """The clean articles; those that cleaning leaves without text (the fixtures' furniture
    alone) are no articles of a valid store."""
    articles = []
    for raw in raws:
        try:
            articles.append(prepare(raw))
        except InputError:
            continue
    return articles


def _store_and_brief(
    articles: Sequence[Article], db: Path, encoder: HashingEncoder | None
) -> Brief:
    """The articles written by Store.add (as any version did, whatever their dates) into a fresh
    store, and the brief of them all."""
    with Store.open(str(db)) as store:
        for analysis in _analyse(articles):
            store.add(analysis)
        return pipeline.brief(store, [a.id for a in articles], encoder)


def _render_all(brief: Brief) -> None:
    for fmt in FORMATS:
        text = render(brief, fmt)
        assert text
        if fmt == "json":
            json.loads(text)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(raws=story(), encoder=st.sampled_from([None, ENCODER]))
def test_a_brief_of_any_stored_story_never_raises(
    raws: list[RawArticle], encoder: HashingEncoder | None
) -> None:
    articles = _articles(raws)
    if not articles:
        return
    with tempfile.TemporaryDirectory() as folder:
        brief = _store_and_brief(articles, Path(folder) / "t.db", encoder)
    _render_all(brief)


# --- the faults it found, each as a plain test ------------------------------------------------
@pytest.mark.parametrize("published", ["0001-01-01", "9999-12-31"])
def test_a_story_published_at_an_end_of_datetime_s_range_is_briefed(
    tmp_path: Path, published: str
) -> None:
    """Dates resolved past year 1 or 9999 ("yesterday" on 0001-01-01), and the story's news
    window (a day before its newest article) reaching before year 1, raised OverflowError."""
    text = "\n\n".join([" ".join(PARAGRAPHS[0]), *DATE_SENTENCES[:3]])
    raws = [
        RawArticle(origin="a", title=TITLES[0], text=text, outlet="Daily A", published=published),
        RawArticle(origin="b", title=TITLES[1], text=text, outlet="Daily B", published=None),
    ]
    brief = _store_and_brief(_articles(raws), tmp_path / "t.db", ENCODER)
    _render_all(brief)
    timeline = next(s for s in brief.sections if s.key == "timeline")
    assert timeline.items  # the dates in range are told, those past it relative
