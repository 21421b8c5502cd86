"""Actors: people and groups, their mentions across the articles of a story resolved into one.

People are keyed by surname, accents and case folded ("Szijjártó" = "szijjarto"), with typo and
transliteration tolerance ("Zelensky" = "Zelenskyy"); the display name is the fullest spelling a
source uses, capitalised. Groups ("Ukrainian officials", "a Kremlin aide") are keyed by their
words without determiners.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence

from rapidfuzz import fuzz

from newsbrief.records import Actor, Analysis, Quote, Role

# Two surnames are one person at this similarity (rapidfuzz ratio, 0–100). Calibrated on the
# transliteration pairs Zelensky/Zelenskyy (94), Peskov/Peskow (83) and on distinct surnames of
# the seeds: Trump/Putin (20), Vance/Peskov (18) — 85 merges the first and none of the rest.
SAME_SURNAME = 85
_DETERMINERS = frozenset({"a", "an", "the", "some", "many", "several", "other", "two", "three"})
_TITLES = frozenset(
    """president vice-president vice minister foreign prime secretary spokesperson spokesman
    spokeswoman former us u.s. mr mrs ms dr sen rep gov general chancellor king queen""".split()
)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _person_words(name: str) -> list[str]:
    words = [w.strip(".,’'") for w in name.replace("’s", "").replace("'s", "").split()]
    return [w for w in words if w and fold(w) not in _TITLES]


def _display(words: list[str]) -> str:
    return " ".join(w[:1].upper() + w[1:] if w[:1].islower() else w for w in words)


def resolve_actors(analyses: Sequence[Analysis]) -> list[Actor]:
    """Actors of a story, most prominent first (statements weigh more than mentions)."""
    surnames: list[str] = []  # canonical surname keys, in order of first sight
    names: dict[str, Counter[str]] = defaultdict(Counter)
    mentions: Counter[str] = Counter()
    said: dict[str, list[Quote]] = defaultdict(list)
    groups: dict[str, str] = {}

    def person_key(name: str) -> str | None:
        words = _person_words(name)
        if not words or not words[-1][:1].isalpha():
            return None
        surname = fold(words[-1])
        for known in surnames:
            if known == surname or fuzz.ratio(known, surname) >= SAME_SURNAME:
                key = known
                break
        else:
            surnames.append(surname)
            key = surname
        names[key][_display(words)] += 1
        return key

    roles: dict[str, list[Role]] = defaultdict(list)
    for analysis in analyses:
        for ent in analysis.entities:
            if ent.label == "PERSON" and (key := person_key(ent.text)):
                mentions[key] += 1
        for role in analysis.roles:
            if key := person_key(role.person):
                roles[key].append(role)
        for quote in analysis.quotes:
            if not quote.speaker:
                continue
            words = quote.speaker.split()
            if words and fold(words[-1]).rstrip("s") in _GROUP_HEADS:
                key = "group:" + " ".join(
                    w for w in (fold(x) for x in words) if w not in _DETERMINERS
                )
                groups.setdefault(key, " ".join(w for w in words if fold(w) not in _DETERMINERS))
            else:
                key = person_key(quote.speaker) or ""
            if key:
                said[key].append(quote)

    # "a Kremlin aide", "Kremlin officials" speak for "the Kremlin" when it speaks in the story
    for key in list(said):
        org, _, head = key.rpartition(" ")
        if key.startswith("group:") and head.rstrip("s") in _PERSON_HEADS and org in said:
            said[org].extend(said.pop(key))

    actors = []
    for key in set(mentions) | set(said) | set(roles):
        if key.startswith("group:"):
            name, kind = groups[key], "group"
            name = name[:1].upper() + name[1:]
        else:
            # the fullest spelling, then the most frequent, then alphabetical: deterministic
            name = max(names[key].items(), key=lambda kv: (len(kv[0].split()), kv[1], kv[0]))[0]
            kind = "person"
        actors.append(
            Actor(
                key=key,
                name=name,
                kind=kind,  # type: ignore[arg-type]
                mentions=mentions[key],
                quotes=tuple(said[key]),
                roles=tuple(roles.get(key, ())),
            )
        )
    actors.sort(key=lambda a: (-(2 * len(a.quotes) + a.mentions), a.name))
    return actors


_PERSON_HEADS = frozenset(
    "official aide spokesperson spokesman spokeswoman source diplomat".split()
)
_GROUP_HEADS = frozenset(
    """official aide spokesperson spokesman spokeswoman source diplomat analyst expert lawmaker
    minister ministry government kremlin administration""".split()
)
