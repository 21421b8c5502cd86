"""Actors: people, organisations and groups, their mentions across the articles of a story
resolved into one.

People are keyed by full name, accents and case folded ("Péter Szijjártó" = "peter
szijjarto"), titles and initials dropped ("Donald J. Trump" = "Donald Trump"), a given name's
common short form one with it ("Joe" = "Joseph"), a transliterated surname one with the same
given name ("Zelensky" = "Zelenskyy"). A surname or a given name alone joins the one full name
of the story it fits, and stays apart when two fit (Joe and Hunter Biden) — as does its role.
Organisations are keyed by their words without determiners ("the Kremlin" = "Kremlin"); groups
("Ukrainian officials", "a Kremlin aide") likewise, and join their organisation when it speaks.
A statement whose speaker stayed a pronoun (analyse.speakers) belongs to no actor; one whose
speaker stayed a definite title ("the senator") goes to the one person of the story given it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from newsbrief.analyse import lexicon
from newsbrief.analyse.lexicon import fold
from newsbrief.analyse.quotes import is_country
from newsbrief.analyse.speakers import (
    clean_name,
    fits_name,
    is_unattributed,
    name_words,
    same_given,
)
from newsbrief.records import Actor, Analysis, Quote, Role

__all__ = ["fold", "person_keys", "resolve_actors"]

# Two surnames are one person at this similarity (rapidfuzz ratio, 0–100). Calibrated on the
# transliteration pairs Zelensky/Zelenskyy (94), Peskov/Peskow (83) and on distinct surnames of
# the seeds: Trump/Putin (20), Vance/Peskov (18) — 85 merges the first and none of the rest.
SAME_SURNAME = 85
_ORG_LABELS = frozenset({"ORG", "NORP", "GPE"})


@dataclass(slots=True)
class _Person:
    words: list[str]
    spellings: Counter[str] = field(default_factory=Counter)
    mentions: int = 0
    quotes: list[Quote] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)

    @property
    def key(self) -> str:
        return " ".join(self.words)


class _People:
    """The people of a story: full names first, then the short mentions that fit them."""

    def __init__(self, names: Iterable[str]) -> None:
        self.people: list[_Person] = []
        full = [w for w in map(name_words, names) if len(w) > 1 and w[-1][:1].isalpha()]
        for words in sorted(full, key=len, reverse=True):
            if self._same(words) is None:
                self.people.append(_Person(words=words))

    def _same(self, words: list[str]) -> _Person | None:
        for person in self.people:
            known = person.words
            if len(words) > 1 and len(known) > 1:
                if same_given(words[0], known[0]) and (
                    words[-1] == known[-1] or fuzz.ratio(words[-1], known[-1]) >= SAME_SURNAME
                ):
                    return person
            elif words == known or (
                len(words) == len(known) == 1 and fuzz.ratio(words[0], known[0]) >= SAME_SURNAME
            ):
                return person
        return None

    def of(self, name: str) -> _Person | None:
        """The person ``name`` names: the full name it is one with, the one full name a short
        mention fits, else a person of its own (also when two full names fit)."""
        words = name_words(name)
        if not words or not words[-1][:1].isalpha():
            return None
        person = self._same(words)
        if person is None and len(words) == 1:
            fits = [p for p in self.people if len(p.words) > 1 and fits_name(words, p.words)]
            person = fits[0] if len(fits) == 1 else None
        if person is None:
            person = _Person(words=words)
            self.people.append(person)
        person.spellings[clean_name(name)] += 1
        return person

    def fits(self, name: str) -> bool:
        """Whether ``name`` is, or fits, a full name of the story."""
        words = name_words(name)
        return bool(words) and any(
            len(p.words) > 1 and (fits_name(words, p.words) or self._same(words) is p)
            for p in self.people
        )

    def titled(self, title: set[str]) -> _Person | None:
        """The one person of the story given a title holding ``title``'s words."""
        given = {
            id(p): p
            for p in self.people
            for r in p.roles
            if title <= {lexicon.TITLE_ABBREVIATIONS.get(w, w) for w in _plain(r.role)}
        }
        return next(iter(given.values())) if len(given) == 1 else None


def person_keys(analyses: Sequence[Analysis]) -> Callable[[str], str | None]:
    """The actor key of a person's name in a story (as resolve_actors keys people): full name
    or the one full name a short mention fits; None for no name."""
    people = _People(e.text for a in analyses for e in a.entities if e.label == "PERSON")

    def key(name: str) -> str | None:
        person = people.of(name)
        return person.key if person else None

    return key


def _plain(text: str) -> list[str]:
    return [w.strip(".,") for w in fold(text).replace("’s", "").replace("'s", "").split()]


def _group_words(speaker: str) -> list[str]:
    return [w for w in speaker.split() if fold(w) not in lexicon.DETERMINERS]


def resolve_actors(analyses: Sequence[Analysis]) -> list[Actor]:
    """Actors of a story, most prominent first (statements weigh more than mentions)."""
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for analysis in analyses:
        for ent in analysis.entities:
            labels[" ".join(fold(w) for w in _group_words(ent.text))][ent.label] += 1

    known = _People(
        [e.text for a in analyses for e in a.entities if e.label == "PERSON"]
        + [r.person for a in analyses for r in a.roles]
    )

    def kind_of(speaker: str) -> str:
        words = _group_words(speaker)
        if known.fits(speaker):
            return "person"  # "Zelenskyy", which the parse may tag a place: a person's name
        folded = " ".join(fold(w) for w in words)
        seen = labels.get(folded)
        top = seen.most_common(1)[0][0] if seen else None
        if top in lexicon.NOT_SPEAKER_LABELS and not (top == "GPE" and is_country(speaker)):
            return "place"  # "Alexandria", tagged a place where the story names it so
        if seen and top in _ORG_LABELS and "PERSON" not in seen:
            return "org"
        if not words or fold(words[-1]).rstrip("s") in lexicon.GROUP_HEADS:
            return "group"
        if not any(w[:1].isupper() for w in words):
            return "group"  # a description no one was found for: "a spokesman"
        return "person"

    names = [e.text for a in analyses for e in a.entities if e.label == "PERSON"]
    names += [r.person for a in analyses for r in a.roles]
    names += [
        q.speaker
        for a in analyses
        for q in a.quotes
        if q.speaker and not _pronoun(q.speaker) and kind_of(q.speaker) == "person"
    ]
    people = _People(names)
    for analysis in analyses:
        for ent in analysis.entities:
            if ent.label == "PERSON" and (person := people.of(ent.text)):
                person.mentions += 1
        for role in analysis.roles:
            # a role given to a surname two people of the story share is attached to neither
            whole = len(name_words(role.person)) > 1 or _unambiguous(people, role.person)
            if whole and (person := people.of(role.person)):
                person.roles.append(role)

    groups: dict[str, tuple[str, list[Quote]]] = {}
    for analysis in analyses:
        for quote in analysis.quotes:
            if not quote.speaker or _pronoun(quote.speaker):
                continue
            if is_unattributed(quote.speaker) and not _group_head(quote.speaker):
                title = _definite_title(quote.speaker)
                if title and (person := people.titled(title)):
                    person.quotes.append(quote)
                continue  # "the fund", "the senator": no one the story names
            title = _definite_title(quote.speaker)  # "the Senate Minority Leader"
            if title and (person := people.titled(title)):
                person.quotes.append(quote)
                continue
            kind = kind_of(quote.speaker)
            if kind == "place":
                continue
            if kind == "person" and (person := people.of(quote.speaker)):
                person.quotes.append(quote)
                continue
            words = _group_words(quote.speaker)
            if not words:
                continue
            key = f"{kind}:" + " ".join(fold(w) for w in words)
            name = " ".join(words)
            groups.setdefault(key, (name[:1].upper() + name[1:], []))[1].append(quote)

    # "a Kremlin aide", "Kremlin officials" speak for "the Kremlin" when it speaks in the story
    for key in list(groups):
        kind, _, said = key.partition(":")
        org, _, head = said.rpartition(" ")
        if kind == "group" and head.rstrip("s") in lexicon.ORG_VOICES and f"org:{org}" in groups:
            groups[f"org:{org}"][1].extend(groups.pop(key)[1])

    actors = [
        Actor(
            key=person.key,
            name=_display(person.spellings),
            kind="person",
            mentions=person.mentions,
            quotes=tuple(person.quotes),
            roles=tuple(person.roles),
        )
        for person in people.people
        if person.spellings
    ]
    actors += [
        Actor(key=key, name=name, kind="group", mentions=0, quotes=tuple(quotes))
        for key, (name, quotes) in groups.items()
    ]
    actors.sort(key=lambda a: (-(2 * len(a.quotes) + a.mentions), a.name))
    return actors


def _display(spellings: Counter[str]) -> str:
    """The name shown: the fullest spelling, then the most frequent, then the first in
    alphabetical order (deterministic); each word capitalised ("andrii" → "Andrii")."""
    name = max(spellings.items(), key=lambda kv: (len(kv[0].split()), kv[1], kv[0]))[0]
    return " ".join(w[:1].upper() + w[1:] if w[:1].islower() else w for w in name.split())


def _group_head(speaker: str) -> bool:
    """Whether a description names a group that speaks ("Ukrainian officials", "a Kremlin
    aide"): a group noun with a word that says whose; a bare "Spokesman" or "officials" says
    no one."""
    words = _group_words(speaker)
    return len(words) > 1 and fold(words[-1]).rstrip("s") in lexicon.GROUP_HEADS


def _pronoun(speaker: str) -> bool:
    return fold(speaker) in lexicon.PRONOUNS | lexicon.NEUTER_PRONOUNS


def _definite_title(speaker: str) -> set[str]:
    words = _plain(speaker)
    if len(words) < 2 or words[0] != "the" or words[-1] not in lexicon.TITLE_NOUNS:
        return set()
    return {lexicon.TITLE_ABBREVIATIONS.get(w, w) for w in words[1:]}


def _unambiguous(people: _People, name: str) -> bool:
    words = name_words(name)
    return len([p for p in people.people if len(p.words) > 1 and fits_name(words, p.words)]) <= 1
