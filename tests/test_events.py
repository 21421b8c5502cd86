"""Events (newsbrief.analyse.events) and the corroboration test built on them
(compare.corroborates), on small fixtures of our own."""

from __future__ import annotations

from newsbrief import pipeline
from newsbrief.compare import Statement, corroborates, outlet_keys, statements
from newsbrief.ingest import prepare
from newsbrief.records import Analysis, Event, RawArticle
from newsbrief.settings import Settings


def _analyse(text: str, settings: Settings, outlet: str = "Daily Planet") -> Analysis:
    article = prepare(
        RawArticle(origin=outlet, title="Headline", text=text, outlet=outlet,
                   published="2019-01-25")
    )  # fmt: skip
    return next(pipeline.analyse([article], settings))


def _event(analysis: Analysis, sentence: int = 0) -> Event:
    return next(e for e in analysis.events if e.sentence == sentence)


def test_the_event_is_what_is_reported_not_the_saying(settings: Settings) -> None:
    analysis = _analyse("Police said 89 people were arrested in Palermo on Tuesday.", settings)
    event = _event(analysis)
    assert event.action == "arrest" and not event.negated
    parts = {(a.role, a.text, a.value) for a in event.arguments}
    assert ("place", "Palermo", "palermo") in parts
    assert ("time", "Tuesday", "2019-01-22 day") in parts
    assert ("figure", "89", "exact 89 people") in parts
    text = analysis.article.text
    assert all(a.text == text[a.span.start : a.span.end] for a in event.arguments)


def test_negation_agent_and_figures_in_one_unit(settings: Settings) -> None:
    analysis = _analyse(
        "Gupta has not commented on the matter. The hurricane weakened to a Category 2 storm,"
        " traveling at 12 mph.",
        settings,
    )
    gupta, storm = _event(analysis, 0), _event(analysis, 1)
    assert gupta.negated and [a.value for a in gupta.of("agent")] == ["gupta"]
    assert not storm.negated and storm.action == "weaken"
    assert [a.value for a in storm.of("figure")] == ["exact 2 category", "exact 19.3121 km/h"]


def _pair(a: str, b: str, settings: Settings) -> tuple[Statement, Statement, Event, Event]:
    analyses = [_analyse(a, settings, "Outlet A"), _analyse(b, settings, "Outlet B")]
    units = statements(analyses, outlet_keys(analyses))
    ua, ub = units[0], units[-1]
    return ua, ub, _event(analyses[0]), _event(analyses[1])


def test_the_same_act_told_in_other_words_corroborates(settings: Settings) -> None:
    assert corroborates(*_pair(
        "The council approved the new bridge on Monday after a long debate.",
        "Councillors approved the bridge on Monday, ending the debate.",
        settings,
    ))  # fmt: skip


def test_another_act_of_the_same_people_does_not(settings: Settings) -> None:
    assert not corroborates(*_pair(
        "Hillary Clinton's campaign on Friday released a statement from her doctor.",
        "Hillary Clinton on Friday defended her record on trade in Iowa.",
        settings,
    ))  # fmt: skip


def test_a_negated_act_or_another_figure_does_not(settings: Settings) -> None:
    assert not corroborates(*_pair(
        "The company confirmed the sale of its Ohio plant.",
        "The company did not confirm the sale of its Ohio plant.",
        settings,
    ))  # fmt: skip
    assert not corroborates(*_pair(
        "Police arrested 89 people in Palermo.",
        "Police arrested 99 people in Palermo.",
        settings,
    ))  # fmt: skip


def test_a_verb_of_another_clause_with_a_shared_place_corroborates(settings: Settings) -> None:
    # the seeds' Alaska meeting: "follows an earlier meeting … which … yielded no progress"
    assert corroborates(*_pair(
        "The summit follows an earlier meeting in Anchorage, Alaska, which yielded no progress.",
        "Trump and Putin last met in Alaska in August, a meeting that did not yield progress.",
        settings,
    ))  # fmt: skip
