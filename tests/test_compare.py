"""Where sources differ (newsbrief.compare): figures with their hedges, and actors' titles."""

from __future__ import annotations

import pytest

from newsbrief import pipeline
from newsbrief.compare import (
    Statement,
    align,
    disagreements,
    quantities,
    quantity_disagreements,
    statements,
    title_disagreements,
    year_disagreements,
)
from newsbrief.ingest import prepare
from newsbrief.records import (
    Analysis,
    Article,
    Disagreement,
    Entity,
    RawArticle,
    Sentence,
    Span,
)
from newsbrief.settings import load_settings
from newsbrief.terms import terms


def statement(text: str, outlet: str = "outlet:a") -> Statement:
    sentence = Sentence(
        article_id=outlet, index=0, span=Span(start=0, end=len(text)), text=text, role="body"
    )
    return Statement(sentence=sentence, outlet=outlet, terms=terms(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("They held a nearly two-and-a-half-hour phone call.", ("below", 2.5, "hour")),
        ("The call lasted over two and a half hours.", ("above", 2.5, "hour")),
        ("The meeting took about 30 minutes.", ("about", 30.0, "minute")),
        ("Prices rose more than 5 percent.", ("above", 5.0, "percent")),
        ("The strike lasted 3 days.", ("exact", 3.0, "day")),
    ],
)
def test_quantity_parsing(text: str, expected: tuple[str, float, str]) -> None:
    (found,) = quantities(statement(text))
    assert (found.hedge, found.value, found.unit) == expected
    assert found.text in text


def test_percent_sign_is_a_unit() -> None:
    (found,) = quantities(statement("Prices rose by 5% in May."))
    assert (found.value, found.unit) == (5.0, "percent")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trump requested $5.7 billion for the wall.", ("exact", 5.7e9, "dollar")),
        ("The couple paid $43,885,310 in federal taxes.", ("exact", 43885310.0, "dollar")),
        ("China put tariffs on $60bn of American goods.", ("exact", 6e10, "dollar")),
        ("It received 55,000 pages of emails.", ("exact", 55000.0, "page")),
        ("The indictment names 12 Russian intelligence officers.", ("exact", 12.0, "officer")),
        ("They charged a dozen Russian intelligence officers.", ("exact", 12.0, "officer")),
        ("The quake injured as many as five people.", ("below", 5.0, "people")),
        (
            "The probe will fly within 3.7 million miles of the sun.",
            ("exact", pytest.approx(3.7e6 * 1.609344), "kilometre"),
        ),
    ],
)
def test_sums_counts_and_distances(text: str, expected: tuple[str, float, str]) -> None:
    (found,) = quantities(statement(text))
    assert (found.hedge, found.value, found.unit) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Democrats lost the House in the 2010 elections.",  # a year
        "Families of 9/11 victims may sue.",  # a name
        "Hoyer kept the No. 2 job in the caucus.",
        "One of the senators left early.",  # "one of": no count of a noun
        "They agreed on a second summit in Budapest.",  # an ordinal
        "Call 816-474 extensions for tips.",
    ],
)
def test_numbers_that_are_no_figures(text: str) -> None:
    assert quantities(statement(text)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # characters that re.IGNORECASE takes for i, s and k: "mİllİon" is no scale word, and
        # "fıve" no number (the old code raised KeyError and ValueError on them)
        ("The fund lost $5 mİllİon last year.", [("exact", 5.0, "dollar")]),
        ("The quake injured fıve people.", []),
        ("The probe flew 3 ſeconds early.", []),
        ("Prices rose approxımately 5 percent.", [("exact", 5.0, "percent")]),
    ],
)
def test_look_alike_letters_are_no_number_words(
    text: str, expected: list[tuple[str, float, str]]
) -> None:
    assert [(q.hedge, q.value, q.unit) for q in quantities(statement(text))] == expected


def figures_differ(*units: Statement) -> list[Disagreement]:
    return quantity_disagreements(units, align(units))


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        (
            "Trump and Putin held a nearly two-and-a-half-hour phone call.",
            "The phone call between Trump and Putin lasted over two and a half hours.",
            True,
        ),
        (
            "The phone call between the leaders lasted about 30 minutes.",
            "The leaders spoke in a phone call of 31 minutes.",
            False,
        ),
        ("The port strike lasted 3 days.", "The port strike lasted 10 days.", True),
        ("The port strike lasted 3 days.", "The port strike lasted 3 days.", False),
        # conflicting figures about different things
        ("The port strike lasted 3 days.", "The airline announced 10 days of cuts.", False),
    ],
)
def test_quantity_conflicts(a: str, b: str, conflict: bool) -> None:
    found = figures_differ(statement(a, "outlet:a"), statement(b, "outlet:b"))
    assert bool(found) is conflict
    if conflict:
        (disagreement,) = found
        assert {v.outlets for v in disagreement.versions} == {("outlet:a",), ("outlet:b",)}


def test_one_outlet_never_disagrees_with_itself() -> None:
    a, b = "The port strike lasted 3 days.", "The port strike lasted 10 days."
    assert figures_differ(statement(a), statement(b)) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # a round figure and a hedged one of the same value agree
        (
            "Police arrived at the distribution center five minutes after the shots.",
            "Police arrived at the distribution center just over five minutes after the shots.",
        ),
        # an age is not a duration
        (
            "The 13-year-old lion was killed by rangers in the national park.",
            "Rangers in the national park killed the lion after 3 years of attacks.",
        ),
        # several figures of one unit: which answers which is not known
        (
            "In the poll Romney leads with 21 percent, Trump and Huckabee have 17 percent each.",
            "In the poll Trump has 17 percent and Huckabee has 17 percent too.",
        ),
        # not the same statement
        ("The port strike lasted 3 days.", "Share prices at the port fell for 10 days."),
        # a compound figure, and a range, are no single figures
        (
            "The judge approved a plea deal for Durst to serve 7 years, 1 month in prison.",
            "The judge approved a plea deal for Durst to serve an 85-month prison term.",
        ),
        (
            "Simpson is serving a nine- to 33-year sentence for armed robbery in Nevada.",
            "Simpson is serving a sentence, nearly nine years so far, for armed robbery in Nevada.",
        ),
    ],
    ids=[
        "round-and-hedged",
        "age-and-duration",
        "several-figures",
        "not-aligned",
        "compound",
        "range",
    ],
)
def test_figures_that_do_not_disagree(a: str, b: str) -> None:
    assert figures_differ(statement(a, "outlet:a"), statement(b, "outlet:b")) == []


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        # a round figure for a precise one, also cut short by a scale word
        (
            "The tax returns show the couple paid $43 million in federal taxes since 2007.",
            "The tax returns show the couple paid $43,885,310 in federal taxes since 2007.",
            False,
        ),
        # rounded to the nearest ten thousand, 55,000 is not 50,000
        (
            "The department received 50,000 pages of emails from her personal account.",
            "The department received 55,000 pages of emails from her personal account.",
            True,
        ),
        # an age counts whole years: a child of two and a half is 2
        (
            "A leopard ate a ranger's two and a half year old child at the lodge.",
            "A leopard ate a ranger's 2-year-old child at the lodge.",
            False,
        ),
    ],
    ids=["cut-by-scale", "not-a-rounding", "age-in-whole-years"],
)
def test_roundings(a: str, b: str, conflict: bool) -> None:
    found = figures_differ(statement(a, "outlet:a"), statement(b, "outlet:b"))
    assert bool(found) is conflict


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # several numbers in a sentence: which answers which is not known
        (
            "The army said 97 rockets fired from Gaza hit Israel and 99 more were intercepted.",
            "The army said 300 rockets fired from Gaza hit Israel since the fighting began.",
        ),
        # different periods
        (
            "Militants in Gaza have fired around 300 rockets at Israel since the conflict began.",
            "Militants in Gaza have fired more than 750 rockets at Israel this year.",
        ),
        # what is to come and what was
        (
            "Running back Reggie Bush will miss the final two games of the Saints' season.",
            "Running back Reggie Bush missed four games of the Saints' season with the knee.",
        ),
        # whose: a player's yards and his team's
        (
            "Charles’ 226 yards rushing was the third most in a single game in franchise history.",
            "Kansas City ended the game with 352 yards rushing, a franchise history record.",
        ),
        # a distance from different places
        (
            "The lion was surrounded in the town of Isinya, 20 miles from Nairobi, the capital.",
            "The lion escaped and ended up in the town of Isinya, 12 miles away.",
        ),
        # a time after something is no duration
        (
            "Page died in a Los Angeles hospital a week after suffering a heart attack.",
            "Page had been in a Los Angeles hospital for three weeks with pneumonia.",
        ),
        # a question asserts no figure
        (
            "Herald: Sox make an offer of 8 years to Teixeira?",
            "The Sox made an offer of seven years to Teixeira, the Herald says.",
        ),
    ],
    ids=[
        "several-numbers",
        "periods",
        "future-and-past",
        "owners",
        "from-where",
        "offset",
        "question",
    ],
)
def test_figures_of_different_things(a: str, b: str) -> None:
    assert figures_differ(statement(a, "outlet:a"), statement(b, "outlet:b")) == []


def test_ages_disagree() -> None:
    found = figures_differ(
        statement(
            "A leopard ate a ranger's two and a half year old child at the lodge.", "outlet:a"
        ),
        statement("A leopard ate a ranger's three-year-old child at the lodge.", "outlet:b"),
    )
    assert [d.kind for d in found] == ["quantity"]


def analysis(article_id: str, outlet: str, text: str, person: str = "Donald Trump") -> Analysis:
    """A one-sentence article that names ``person`` once."""
    start = text.index(person)
    article = Article(
        id=article_id, title="Headline", text=text, outlet=outlet, url=None, published=None
    )
    span = Span(start=0, end=len(text))
    return Analysis(
        article=article,
        sentences=(Sentence(article_id=article_id, index=0, span=span, text=text, role="lead"),),
        entities=(
            Entity(
                article_id=article_id,
                sentence=0,
                span=Span(start=start, end=start + len(person)),
                text=person,
                label="PERSON",
            ),
        ),
    )


def titles(*analyses: Analysis) -> list[tuple[str, list[str]]]:
    found = title_disagreements(analyses, statements(analyses))
    return [(d.subject, [v.text for v in d.versions]) for d in found]


def test_former_versus_current_title_across_outlets() -> None:
    found = titles(
        analysis("a1", "Outlet A", "The call with former US President Donald Trump lasted long."),
        analysis("b1", "Outlet B", "US President Donald Trump called Putin."),
    )
    assert found == [
        ("donald trump", ["former US President Donald Trump", "US President Donald Trump"])
    ]


def test_title_inside_quotation_marks_is_not_the_outlets_voice() -> None:
    found = titles(
        analysis("a1", "Outlet A", "The call with former US President Donald Trump lasted long."),
        analysis("b1", "Outlet B", "“US President Donald Trump is wrong,” said Anna Berg."),
    )
    assert found == []


def test_one_outlet_using_both_titles_is_no_disagreement() -> None:
    found = titles(
        analysis("a1", "Outlet A", "The call with former US President Donald Trump lasted long."),
        analysis("a2", "Outlet A", "US President Donald Trump called Putin."),
    )
    assert found == []


def test_sentence_initial_former_is_former() -> None:
    found = titles(
        analysis("a1", "Outlet A", "Former US President Donald Trump called Putin."),
        analysis("b1", "Outlet B", "The call with former US President Donald Trump was long."),
    )
    assert found == []


def _analysed(*texts: tuple[str, str]) -> list[Analysis]:
    """Each (outlet, text) analysed as an article of that outlet, published 2025-10-17."""
    articles = [
        prepare(
            RawArticle(
                origin=outlet, title="Talks", text=text, outlet=outlet, published="2025-10-17"
            )
        )
        for outlet, text in texts
    ]
    return list(pipeline.analyse(articles, load_settings(env={})))


def _kinds(analyses: list[Analysis]) -> list[str]:
    return [d.kind for d in disagreements(analyses, statements(analyses))]


def test_same_words_two_named_speakers() -> None:
    quote = "“We will not sign any deal that gives away our land,”"
    found = _analysed(
        ("Daily A", f"{quote} Andrii Sybiha said on Friday in Kyiv."),
        ("Daily B", f"{quote} Dmitry Peskov said on Friday in Moscow."),
    )
    assert _kinds(found) == ["speaker"]


def test_same_words_one_speaker_named_once() -> None:
    quote = "“We will not sign any deal that gives away our land,”"
    found = _analysed(
        ("Daily A", f"{quote} Andrii Sybiha said on Friday in Kyiv."),
        ("Daily B", f"Dmitry Peskov spoke first. Then Tom Hale arrived. {quote} he said."),
    )
    assert _kinds(found) == []  # a pronoun resolved from afar is not sure enough to flag


def test_calendar_dates_differ_but_weekdays_are_not_compared() -> None:
    found = _analysed(
        ("Daily A", "The two presidents held a long phone call on October 14 about the war."),
        ("Daily B", "The two presidents held a long phone call on October 16 about the war."),
    )
    assert _kinds(found) == ["date"]
    (dates,) = disagreements(found, statements(found))
    # each version is the source's own words, which the brief shows in quotation marks
    assert [v.text for v in dates.versions] == ["October 14", "October 16"]
    found = _analysed(
        ("Daily A", "The two presidents held a long phone call on Tuesday about the war."),
        ("Daily B", "The two presidents held a long phone call on Thursday about the war."),
    )
    assert _kinds(found) == []


def years_differ(a: str, b: str) -> list[Disagreement]:
    units = [statement(a, "outlet:a"), statement(b, "outlet:b")]
    return year_disagreements(units, align(units))


def test_years_of_a_span_disagree() -> None:
    (found,) = years_differ(
        "Pelosi has led House Democrats since 2002.",
        "Pelosi has led House Democrats since 2003, and that is the problem.",
    )
    assert [v.text for v in found.versions] == ["since 2002", "since 2003"]
    assert years_differ(
        "Edward Brooke, a Republican, held the Senate seat from 1967 to 1979.",
        "Edward Brooke, a Republican, held the Senate seat from 1966 to 1978.",
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # "in" a year: on ECB+ always two events
        (
            "Page began modeling in 1950 when she met a police officer and photographer.",
            "Page began modeling in 1947 when she met a police officer who took photographs.",
        ),
        # said of something else in the sentence
        (
            "Pelosi has led House Democrats since 2002.",
            "Pelosi has led House Democrats with Senator Chuck Schumer of New York, 66, who has"
            " held various leadership posts since 2005.",
        ),
        # not of one kind
        (
            "The Clintons have released their tax returns dating back to 1977.",
            "The Clintons have released their tax returns since 2007.",
        ),
    ],
    ids=["in", "another-clause", "kinds"],
)
def test_years_that_do_not_disagree(a: str, b: str) -> None:
    assert years_differ(a, b) == []


def test_a_date_that_names_an_event_is_not_compared() -> None:
    found = _analysed(
        # "is set to" makes an undated day the next one: 2026 here, 2025 in the other outlet
        ("Daily A", "Congress is set to let families of the Sept. 11 attacks sue the Saudi state."),
        ("Daily B", "Congress let families of the Sept. 11 attacks sue the Saudi state."),
    )
    assert _kinds(found) == []


def test_a_caption_or_a_page_timestamp_dates_no_event() -> None:
    found = _analysed(
        ("Daily A", "FILE - In this Aug. 15, 2014 file photo, Robert Durst leaves a courtroom."),
        ("Daily B", "FILE - In this Dec. 10, 2014 file photo, Robert Durst leaves a courtroom."),
    )
    assert _kinds(found) == []
    found = _analysed(
        ("Daily A", "The two presidents held a long phone call on October 14 about the war."),
        ("Daily B", "The two presidents held a long phone call on October 16 about the war."),
    )
    assert _kinds(found) == ["date"]  # the same words outside a caption still disagree
