"""Roles (newsbrief.analyse.roles) and how actors carry them, on small fixtures of our own and
on the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbrief import pipeline
from newsbrief.analyse.actors import resolve_actors
from newsbrief.ingest import prepare
from newsbrief.records import Analysis, RawArticle
from newsbrief.settings import Settings


def _analyse(text: str, settings: Settings) -> Analysis:
    article = prepare(RawArticle(origin="test", title="Headline", text=text))
    return next(pipeline.analyse([article], settings))


def _roles(text: str, settings: Settings) -> list[tuple[str, str]]:
    analysis = _analyse(text, settings)
    for role in analysis.roles:  # every role is the words of its sentence, with its person
        sentence = analysis.sentences[role.sentence]
        assert role.span in sentence.span and role.person_span in sentence.span
        assert role.role == role.span.of(analysis.article.text)
    return [(r.person, r.role) for r in analysis.roles]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Kremlin spokesperson Dmitry Peskov spoke on Friday.",
            ("Dmitry Peskov", "Kremlin spokesperson"),
        ),
        (
            "The talks were led by Secretary of State Marco Rubio.",
            ("Marco Rubio", "Secretary of State"),
        ),
        (
            "The call worried former US President Donald Trump.",
            ("Donald Trump", "former US President"),
        ),
        ("US Vice-President JD Vance echoed this on Thursday.", ("JD Vance", "US Vice-President")),
        (
            "Andrii Sybiha, Ukraine’s foreign minister, wrote on X on Friday.",
            ("Andrii Sybiha", "Ukraine’s foreign minister"),
        ),
        ("The plan came from Anna Berg, the city's mayor.", ("Anna Berg", "city's mayor")),
    ],
    ids=["title-before", "of", "former", "hyphen", "appositive", "appositive-at-end"],
)
def test_role_of_a_person(settings: Settings, text: str, expected: tuple[str, str]) -> None:
    assert expected in _roles(text, settings)


@pytest.mark.parametrize(
    "text",
    [
        "Anna Berg, who chairs the council, spoke first.",  # a clause, not a role
        "Anna Berg, Tom Hale and Maria Lopez spoke first.",  # a list of names
        "“Ask President Anna Berg about it,” a voter said.",  # inside a quote
    ],
)
def test_no_role(settings: Settings, text: str) -> None:
    assert _roles(text, settings) == []


def test_actor_carries_its_roles_across_articles(settings: Settings) -> None:
    first = _analyse("Kremlin spokesperson Dmitry Peskov spoke on Friday.", settings)
    second = _analyse("Dmitry Peskov, the Kremlin's spokesman, spoke again on Monday.", settings)
    (peskov,) = [a for a in resolve_actors([first, second]) if a.key == "dmitry peskov"]
    assert [r.role for r in peskov.roles] == ["Kremlin spokesperson", "Kremlin's spokesman"]


def test_an_aide_speaks_for_the_organisation_that_speaks(settings: Settings) -> None:
    analysis = _analyse(
        "The Kremlin said that the talks would continue in Budapest next month. "
        "A Kremlin aide said that Putin praised the plan as a real breakthrough.",
        settings,
    )
    groups = [a for a in resolve_actors([analysis]) if a.kind == "group"]
    assert [(g.name, len(g.quotes)) for g in groups] == [("Kremlin", 2)]


def test_seed_roles(seeds: Path, settings: Settings) -> None:
    found = set()
    for path in sorted(seeds.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        analysis = next(
            pipeline.analyse(
                [prepare(RawArticle(origin=str(path), title=title, text=body))], settings
            )
        )
        found |= {(r.person, r.role) for r in analysis.roles}
    assert {
        ("andrii Sybiha", "Ukraine’s foreign minister"),
        ("Dmitry Peskov", "Kremlin spokesperson"),
        ("Péter Szijjártó", "Hungarian Foreign Minister"),
        ("Donald Trump", "former US President"),  # seed 004's stale title, for comparison
        ("Vladimir Putin", "Russian President"),
    } <= found
