"""Who said it: speakers resolved through pronouns and titles (analyse.speakers), only things
that can speak as speakers (analyse.quotes), people kept apart by full name (analyse.actors).
Fixtures of our own, written after the faults issue 16 lists."""

from __future__ import annotations

import pytest

from newsbrief import nlp, pipeline
from newsbrief.analyse import lexicon, speakers
from newsbrief.analyse.actors import resolve_actors
from newsbrief.analyse.speakers import fits_name, is_unattributed, name_words
from newsbrief.ingest import prepare
from newsbrief.records import Actor, Analysis, RawArticle
from newsbrief.settings import Settings, load_settings


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(env={})


def analysed(settings: Settings, *texts: str) -> list[Analysis]:
    articles = [
        prepare(RawArticle(origin=f"a{i}", title="Headline", text=text, outlet=f"Outlet {i}"))
        for i, text in enumerate(texts)
    ]
    return list(pipeline.analyse(articles, settings))


def speakers_of(settings: Settings, text: str) -> dict[str, str | None]:
    """The first words of each statement → its speaker."""
    (analysis,) = analysed(settings, text)
    return {" ".join(q.text.split()[:3]): q.speaker for q in analysis.quotes}


def actor(actors: list[Actor], name: str) -> Actor:
    return next(a for a in actors if a.name == name)


def test_a_pronoun_goes_to_the_person_it_agrees_with_not_the_nearest_name(
    settings: Settings,
) -> None:
    text = (
        "Elizabeth Lauten, a communications director for a Republican congressman, criticised "
        "the president's daughters on Facebook on Friday.\n\n"
        "President Barack Obama pardoned two turkeys, Mac and Cheese, at the White House.\n\n"
        "“I reacted to an article and quickly judged the girls,” she said."
    )
    assert speakers_of(settings, text)["I reacted to"] == "Elizabeth Lauten"


def test_a_quote_run_goes_on_with_its_speaker(settings: Settings) -> None:
    text = (
        "Jim Green, NASA's director of planetary science, was cautious on Monday.\n\n"
        "“We have seen claims like this before,” Green said. “The data will tell.”\n\n"
        "Mike Brown of Caltech disagreed with the agency.\n\n"
        "“It is out there, and we will find it,” he said."
    )
    found = speakers_of(settings, text)
    assert found["We have seen"] == "Green"
    assert found["It is out"] == "Mike Brown"


def test_a_pronoun_with_no_one_clearly_meant_stays_unattributed(settings: Settings) -> None:
    found = speakers_of(settings, "“Prices will fall next year,” he said.")
    assert found["Prices will fall"] == "he"
    assert is_unattributed("he") and is_unattributed("the senator")
    assert is_unattributed("sources") and not is_unattributed("Ukrainian officials")


def test_they_is_never_one_person(settings: Settings) -> None:
    text = (
        "Anna Berg met the union leaders on Tuesday.\n\n"
        "“We will not accept these terms,” they said."
    )
    assert is_unattributed(speakers_of(settings, text)["We will not"])


def test_the_senator_is_the_one_person_the_article_calls_senator(settings: Settings) -> None:
    text = (
        "Sen. Chuck Grassley wrote to the agency on Monday, and Paul Smith, a lobbyist, "
        "answered him.\n\n"
        "“The program has become plagued by fraud,” the senator said."
    )
    assert speakers_of(settings, text)["The program has"] == "Chuck Grassley"


def test_a_name_inside_a_phrase_does_not_speak(settings: Settings) -> None:
    text = (
        "Jim Green of NASA spoke on Monday.\n\n"
        "The Sagan Rule applies, he said, and the claim needs extraordinary evidence."
    )
    actors = resolve_actors(analysed(settings, text))
    assert not any("Sagan" in a.name for a in actors if a.quotes)


def test_places_and_platforms_do_not_speak_and_countries_do(settings: Settings) -> None:
    found = speakers_of(
        settings,
        "“We will respond to any attack,” Russia said.\n\nTwitter said the post broke its rules.",
    )
    assert found["We will respond"] == "Russia"
    assert all(s != "Twitter" for s in found.values())
    # a name the story tags as a place where it names it so is no actor, even where the parse
    # took it for a person ("Alexandria said")
    actors = resolve_actors(
        analysed(
            settings,
            "Protesters gathered in Alexandria, Virginia, and in Richmond, Virginia, on Saturday "
            "near the courthouse in Alexandria.\n\n"
            "“The streets are calm tonight,” Alexandria said on Sunday.",
        )
    )
    assert not any(a.name == "Alexandria" and a.quotes for a in actors)


def test_people_of_one_surname_stay_apart(settings: Settings) -> None:
    actors = resolve_actors(
        analysed(
            settings,
            "Joe Biden said that the economy was strong. Hunter Biden said that he had done "
            "nothing wrong.",
            "Donald Trump said that the deal was done. Melania Trump said that the garden "
            "would open in May. Biden said that he would not comment further.",
        )
    )
    names = {a.name: [q.text for q in a.quotes] for a in actors if a.quotes}
    assert names["Joe Biden"] == ["the economy was strong"]
    assert names["Hunter Biden"] == ["he had done nothing wrong"]
    assert names["Donald Trump"] == ["the deal was done"]
    assert names["Melania Trump"] == ["the garden would open in May"]
    # "Biden" alone fits both men: it joins neither
    assert "Biden" in names


def test_a_short_mention_joins_the_one_full_name_it_fits(settings: Settings) -> None:
    actors = resolve_actors(
        analysed(
            settings,
            "Sasha Obama spoke at the school on Monday. Sasha said that the class was ready.",
            "The Kremlin said that the talks would go on. Kremlin said that nothing changed.",
        )
    )
    sasha = actor(actors, "Sasha Obama")
    assert [q.text for q in sasha.quotes] == ["the class was ready"]
    kremlin = [a for a in actors if a.name.endswith("Kremlin")]
    assert len(kremlin) == 1 and len(kremlin[0].quotes) == 2


def test_a_role_of_someone_of_the_same_surname_is_never_attached(settings: Settings) -> None:
    actors = resolve_actors(
        analysed(
            settings,
            "Former President Bill Clinton spoke in Little Rock. Hillary Rodham Clinton said "
            "that the campaign would go on.",
        )
    )
    hillary = actor(actors, "Hillary Rodham Clinton")
    assert [r.role for r in hillary.roles] == []
    assert [r.role for r in actor(actors, "Bill Clinton").roles] == ["Former President"]


def test_names_are_read_without_titles_initials_or_descriptions() -> None:
    assert name_words("former U.S. President Donald J. Trump's") == ["donald", "trump"]
    assert name_words("Archaeologist Giles Hamm") == ["giles", "hamm"]
    assert name_words("James R. Clapper Jr.") == ["james", "clapper"]
    assert fits_name(["biden"], ["joe", "biden"])
    assert fits_name(["joe", "biden"], ["joseph", "biden"])  # a common short form
    assert not fits_name(["hunter", "biden"], ["joe", "biden"])
    assert fits_name(["alexander", "volkov"], ["cyril", "alexander", "volkov"])  # a middle name


def test_given_names_tell_gender_only_when_most_bearers_share_it() -> None:
    assert lexicon.given_name_gender("Elizabeth") == "female"
    assert lexicon.given_name_gender("Jim") == "male"
    assert lexicon.given_name_gender("Sasha") is None  # 61% women: no gender
    assert lexicon.given_name_gender("Zzyzx") is None


def test_a_title_goes_only_to_a_role_of_the_same_title(settings: Settings) -> None:
    text = (
        "Mike Pompeo, the president's top diplomat, spoke to reporters on Friday.\n\n"
        "“I will name a replacement soon,” the president said."
    )
    assert speakers_of(settings, text)["I will name"] != "Mike Pompeo"


def test_who_speaks_for_the_name_it_follows(settings: Settings) -> None:
    (analysis,) = analysed(
        settings,
        "The crowd cheered Ted Cruz, who said that the government should be shut down over "
        "the budget.",
    )
    (quote,) = analysis.quotes
    assert quote.speaker == "Ted Cruz"
    assert quote.speaker_span is not None
    assert quote.speaker_span.of(analysis.article.text) == "who"  # the mention as written


def test_the_fund_is_the_organisation_the_article_names_so(settings: Settings) -> None:
    text = (
        "The International Monetary Fund cut its forecast for Britain on Tuesday.\n\n"
        "The exit will raise many questions in the coming years, the fund said."
    )
    assert speakers_of(settings, text)["The exit will"] == "The International Monetary Fund"


def test_a_description_with_a_name_in_apposition_is_that_person(settings: Settings) -> None:
    text = (
        "Blake Farenthold resigned from Congress on Friday.\n\n"
        "“He was a good boss and a fair one,” his former communications director, Michael "
        "Rekola, said."
    )
    assert speakers_of(settings, text)["He was a"] == "Michael Rekola"


def test_a_name_tells_its_gender_by_the_text_s_own_pronouns(settings: Settings) -> None:
    # "Lynch" alone has no given name to read: the next sentence's "She" tells; "Brown", whom
    # no pronoun follows, stays of no known gender
    text = (
        "Attorney General Lynch spoke to students at Howard University on Monday. She "
        "recalled her first job in government.\n\n"
        "Later, Brown welcomed the students and thanked the university."
    )
    article = prepare(RawArticle(origin="a", title="Headline", text=text))
    pipe = nlp.pipeline_for(settings)
    ((doc, _),) = nlp.parse(pipe, [(article.text, None)], settings)
    sents = nlp.sentences(doc, article)
    ents = nlp.entities(doc, article, sents)
    people = speakers._Article(doc, article.text, sents, ents, [], []).people
    assert {p.name: p.gender for p in people} == {"Lynch": "female", "Brown": None}


def test_a_description_with_capitals_is_no_name() -> None:
    # indefinite: someone the article does not name; a title at a sentence's start; a party
    assert is_unattributed("A former Republican governor")
    assert is_unattributed("Spokesman")
    assert is_unattributed("the Arizona Republican")
    assert is_unattributed("The Senate Majority Leader")
    # names stay names: a surname that is a title too, an outlet, a party's members as a group
    assert not is_unattributed("King")
    assert not is_unattributed("The Washington Post")
    assert not is_unattributed("Senate Republicans")


def test_a_party_description_goes_to_the_one_person_the_story_calls_so(
    settings: Settings,
) -> None:
    text = (
        "Arizona Republican John McCain spoke to reporters on Tuesday.\n\n"
        "“The general should resign today,” the Arizona Republican said."
    )
    assert speakers_of(settings, text)["The general should"] == "John McCain"


def test_a_capitalised_title_at_a_sentence_start_goes_to_its_holder(settings: Settings) -> None:
    text = (
        "Spokesman Brad Woodhouse said the party was united.\n\n"
        "Spokesman said “we will win this fight in November.”"
    )
    assert speakers_of(settings, text)["we will win"] == "Brad Woodhouse"


def test_an_indefinite_description_is_left_unattributed(settings: Settings) -> None:
    text = (
        "Mike Huckabee spoke in Hope, Arkansas, on Tuesday.\n\n"
        "A former Republican governor said, “I am running because America needs me.”"
    )
    (analysis,) = analysed(settings, text)
    (quote,) = analysis.quotes
    assert is_unattributed(quote.speaker)
    assert not any(a.name.startswith("A ") for a in resolve_actors([analysis]))


def test_a_document_speaks_for_the_organisation_that_made_it(settings: Settings) -> None:
    text = (
        "The Kansas City Police Department report said the officer “acted in self-defense "
        "when he fired his weapon.”"
    )
    (speaker,) = speakers_of(settings, text).values()
    assert speaker == "Kansas City Police Department"


def test_the_campaign_is_the_campaign_the_story_named(settings: Settings) -> None:
    text = (
        "Donald Trump's campaign spent heavily on television in Ohio on Monday.\n\n"
        "The campaign said the ad “will air nationally for the next three weeks.”"
    )
    (speaker,) = speakers_of(settings, text).values()
    assert speaker == "the Donald Trump campaign"


def test_it_speaks_for_the_one_organisation_just_named_or_for_no_one(
    settings: Settings,
) -> None:
    named = (
        "The International Monetary Fund met in Washington on Monday.\n\n"
        "It said that “growth will slow across Europe this year.”"
    )
    assert list(speakers_of(settings, named).values()) == ["The International Monetary Fund"]
    unnamed = "The report shows growth. It says “the economy is strong and getting stronger.”"
    (analysis,) = analysed(settings, unnamed)
    (quote,) = analysis.quotes
    assert is_unattributed(quote.speaker)
    assert [a.name for a in resolve_actors([analysis]) if a.name.casefold() == "it"] == []


def test_an_organisation_name_keeps_its_words() -> None:
    # "on" is a given name in the list, but a lower-case word inside a name is none
    assert name_words("Commission on Presidential Debates") == [
        "commission", "on", "presidential", "debates",
    ]  # fmt: skip
    assert name_words("Archaeologist Giles Hamm") == ["giles", "hamm"]


def test_a_pronoun_subject_of_the_narrative_carries_its_person_forward(
    settings: Settings,
) -> None:
    text = (
        "“These are howls, not whistles,” said Rep. Jim Clyburn, a leader of the caucus.\n\n"
        "Donald Trump has record low support among black voters. He recently pitched himself "
        "to them at a rally in Michigan. He spoke for an hour.\n\n"
        "“What do you have to lose?” he said in August."
    )
    assert speakers_of(settings, text)["What do you"] == "Donald Trump"


def test_the_president_is_not_the_vice_president(settings: Settings) -> None:
    text = (
        "President Barack Obama toured the museum with Vice President Joseph R. Biden Jr. on "
        "Saturday.\n\n"
        "It was, the president said, “a stone where men and women were sold.”"
    )
    assert speakers_of(settings, text)["a stone where"] == "Barack Obama"


def test_an_honorific_tells_which_of_two_people_a_surname_is(settings: Settings) -> None:
    text = (
        "Jennifer Palmieri met Hillary Clinton and Bill Clinton in Iowa on Monday.\n\n"
        "Mrs. Clinton has embraced the plan of the governor. She said “we will meet every goal "
        "we set.”"
    )
    assert speakers_of(settings, text)["we will meet"] == "Hillary Clinton"


def test_a_surname_misspelt_by_a_letter_is_the_person_named_in_full(
    settings: Settings,
) -> None:
    text = (
        "Two voters, Tyresha McClenney and Bryan Anderson, saw the rally in Tampa.\n\n"
        "McLenney said the candidate was not consistent. “It is only when the cameras come,” "
        "she said."
    )
    assert speakers_of(settings, text)["It is only"] == "Tyresha McClenney"


def test_a_document_described_later_speaks_for_its_maker(settings: Settings) -> None:
    text = (
        "A web video by the Republican National Committee attacks Tim Kaine's record.\n\n"
        "The clip says Kaine “has a passion for defending the wrong people.”"
    )
    (speaker,) = speakers_of(settings, text).values()
    assert speaker == "the Republican National Committee"


def test_who_stands_for_the_name_right_before_it(settings: Settings) -> None:
    text = (
        "The ceremony featured celebrities like Oprah Winfrey, Will Smith and Stevie Wonder, "
        "who joked of the museum, “I haven't seen it yet, but I'm going to.”"
    )
    (speaker,) = speakers_of(settings, text).values()
    assert speaker == "Stevie Wonder"


def test_who_after_a_list_with_a_plural_verb_is_a_group(settings: Settings) -> None:
    text = (
        "The plan could offer a retort to both Democrats and Republicans, who have questioned "
        "“Europe's reliance on the United States for its defence.”"
    )
    found = speakers_of(settings, text)
    assert all(is_unattributed(s) for s in found.values())


def test_the_bank_is_the_one_organisation_just_named(settings: Settings) -> None:
    text = (
        "In the Wells Fargo scandal, customers were charged fees they never agreed to.\n\n"
        "The bank said that “it had fired the employees who opened the accounts.”"
    )
    (speaker,) = speakers_of(settings, text).values()
    assert speaker == "Wells Fargo"


def test_a_surname_the_entity_recogniser_missed_is_still_a_mention(
    settings: Settings,
) -> None:
    # the small model tags the second "Trump" an organisation
    text = (
        "Donald Trump spoke in Ohio.\n\n“These are not whistles.”\n"
        "Trump has record low support from black voters, with just 1 percent."
    )
    article = prepare(RawArticle(origin="a", title="Headline", text=text))
    doc = nlp.pipeline_for(settings)(article.text)
    sents = nlp.sentences(doc, article)
    ents = nlp.entities(doc, article, sents)
    assert any(e.text == "Trump" and e.label == "ORG" for e in ents)  # the fixture's premise
    people = speakers._Article(doc, article.text, sents, ents, [], []).people
    (trump,) = [p for p in people if p.name == "Donald Trump"]
    assert [m.subject for m in trump.mentions] == [True, True]


def test_a_description_before_a_name_is_not_part_of_it(settings: Settings) -> None:
    text = (
        "“Dallas is really bummed out about all of it,” says his skateboard buddy McDonald, "
        "who we reached by phone on Thursday."
    )
    (speaker,) = speakers_of(settings, text).values()
    assert speaker == "McDonald"


def test_a_bare_group_noun_is_no_actor_but_a_group_that_says_whose_is(
    settings: Settings,
) -> None:
    text = (
        "“We will not sign the deal this week,” officials said on Monday.\n\n"
        "“The talks are going well,” Ukrainian officials said."
    )
    names = [a.name for a in resolve_actors(analysed(settings, text)) if a.quotes]
    assert names == ["Ukrainian officials"]
