"""Speaker resolution: a statement whose speaker is a pronoun ("she said") or a description ("the
senator added") given to the person it refers to, or left as it is when no one is clearly meant.

No English coreference model runs offline here, so this is a small resolver of the kind the
coreference literature started from (Lappin & Leass 1994; Hobbs 1978), scored by salience:

- candidates: the people the article names outside quotation marks (spaCy PERSON entities,
  a surname-only mention joined to the one full name it fits — of two, the one its honorific
  agrees with, else the one named last; a surname misspelt by one letter joined too), and the
  "he" and "she" subjects of the narrative resolved on the way, and a lone surname the entity
  recogniser missed or mislabelled, within WINDOW sentences before
  the statement, in its paragraph or earlier;
- agreement: a candidate whose gender is known and differs from the pronoun's is out (gender
  from the given name via lexicon.given_name_gender, from an honorific, "Mr." or "Ms.", or from
  a gendered title, "spokeswoman"); "they" takes no person;
- salience: recency, having been the subject of a recent sentence, having spoken the statement
  just before (a quote run goes on with "he added", until another person who agrees is named),
  mentions in the paragraph;
- decision: the best candidate when its score reaches MIN_SCORE and beats the second by MARGIN;
  else the speaker stays the pronoun (an unattributed statement: never the nearest name).

A definite description ("the senator", "the foreign minister", "the Arizona Republican", or a
title with capitals at a sentence's start, "Spokesman") goes to the person the article gives that
title (analyse.roles): the nearest such role before the statement, else the one person it is
given to. An indefinite one ("a former Republican governor") names no one. An organisation's
description ("the fund", "the campaign") goes to the latest organisation named with that noun
("the International Monetary Fund", "Donald Trump's campaign"); "it said" to the one
organisation named in the sentence before; a document or an ad ("the Kansas City Police
Department report said") to whoever made it.

The weights were fit on the calibration half of bench/speaker_labels.tsv (PolNeAR dev
attributions whose source is a pronoun or a description, labelled by reading with the person
meant); bench/quotes.py reports both halves. Anything implementing SpeakerResolver can take this
one's place (a neural resolver where one can run).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from rapidfuzz.distance import Levenshtein

from newsbrief.analyse import lexicon
from newsbrief.analyse.lexicon import fold
from newsbrief.records import Entity, Quote, Role, Sentence, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


class SpeakerResolver(Protocol):
    """Gives each statement of one parsed article the person its speaker mention refers to."""

    def __call__(
        self,
        doc: Doc,
        text: str,
        sents: Sequence[Sentence],
        ents: Sequence[Entity],
        quotes: Sequence[Quote],
        roles: Sequence[Role],
    ) -> list[Quote]: ...


@dataclass(frozen=True, slots=True)
class Weights:
    """The salience weights (see the module docstring). The defaults were fit by
    bench/fit_speakers.py on the calibration half of bench/speaker_labels.tsv (coordinate
    search, two rounds; objective: right answers minus half the wrong names, per labelled
    statement). Refit after resolved pronouns, missed surnames and the quote run's end became
    features, the search moves to recent 2, subject 0.5, spoke 0.5, paragraph 0, gender 1,
    margin 0.1 for 0.009 more of the objective (about two statements of 238: within noise,
    the rule applied to each refit here), so these stay: calibration accuracy 0.878 with the
    new features (bench/quotes.py reports both halves)."""

    recent: float = 2.0  # / (1 + sentences since the last mention)
    subject: float = 1.0  # the subject of a sentence within the last two
    spoke: float = 1.5  # the speaker of the quote run the statement goes on with
    paragraph: float = 2.0  # share of the paragraph's person mentions so far
    prominence: float = 1.0  # share of the article's person mentions so far
    gender: float = 0.5  # gender known and agreeing
    min_score: float = 1.5  # below it, no one is clearly meant: unattributed
    margin: float = 0.0  # over the second candidate
    window: int = 15  # sentences back
    chain: float = 1.0  # 1: a resolved pronoun is a mention of its person; 0: it is not


@dataclass(slots=True)
class _Person:
    name: str  # the fullest spelling the article uses so far
    words: list[str]  # folded name words, prefixes dropped
    gender: lexicon.Gender | None = None
    mentions: list[_Mention] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Mention:
    at: int  # the sentence's position in the article
    start: int  # offset in the text
    subject: bool  # the subject of its sentence
    paragraph: int


def is_unattributed(speaker: str | None) -> bool:
    """Whether a speaker is a pronoun or a description no one was found for ("she", "the
    senator", "sources", "his advisers"), not a name."""
    if not speaker:
        return True
    words = [w for w in speaker.split() if fold(w) not in _NOT_NAMES]
    return (
        fold(speaker) in lexicon.PRONOUNS | lexicon.NEUTER_PRONOUNS
        or not any(w[:1].isupper() for w in words)
        or is_description(speaker)
    )


def is_description(speaker: str) -> bool:
    """Whether a speaker describes a person rather than names one, capitals or not: "a former
    Republican governor" (indefinite: someone the article does not name), "the Arizona
    Republican", "The Senate Majority Leader", "Spokesman" at a sentence's start. A lone title
    that is a common surname too ("King", "Dean") is read as the name."""
    words = [w.strip(".,") for w in fold(speaker).replace("’s", "").replace("'s", "").split()]
    words = [w for w in words if w]
    if not words:
        return False
    if words[0] in ("a", "an"):
        return True
    if words[-1] not in lexicon.DESCRIPTION_HEADS:
        return False
    if words[0] == "the" or words[0] in lexicon.POSSESSIVES:
        return True
    if len(words) == 1:
        return words[0] not in _SURNAMES_TOO
    return all(w in _DESCRIPTION_WORDS for w in words)


_NOT_NAMES = lexicon.DETERMINERS | lexicon.POSSESSIVES
_DESCRIPTION_WORDS = lexicon.DESCRIPTION_HEADS | lexicon.TITLE_MODIFIERS
# Titles that are common surnames as well: alone and capitalised, a name.
_SURNAMES_TOO = frozenset(
    "king queen prince judge justice dean chief head chair chancellor counsel director".split()
)


class SalienceResolver:
    """The rule-based resolver of this module, with its weights."""

    def __init__(self, weights: Weights | None = None) -> None:
        self.weights = weights or Weights()

    def __call__(
        self,
        doc: Doc,
        text: str,
        sents: Sequence[Sentence],
        ents: Sequence[Entity],
        quotes: Sequence[Quote],
        roles: Sequence[Role],
    ) -> list[Quote]:
        article = _Article(doc, text, sents, ents, quotes, roles)
        out: list[Quote] = []
        spoke: tuple[int, _Person] | None = None  # the last named speaker and where
        ordered = sorted(quotes, key=lambda q: (q.sentence, q.content.start))
        # "he" and "she" as subjects of the narrative between statements, read in text order:
        # each resolved one is a mention of its person ("Trump has low support. He recently
        # pitched himself … ‘Look at …,’ he said.")
        speakers = {q.speaker_span.start for q in quotes if q.speaker_span}
        narrative = [
            (at, start, pronoun)
            for at, start, pronoun in article.pronoun_subjects
            if start not in speakers and self.weights.chain
        ]
        for quote in ordered:
            here = article.position[quote.sentence]
            while narrative and narrative[0][0] < here:
                at, start, pronoun = narrative.pop(0)
                person = self._pronoun(article, at, start, pronoun, spoke)
                if person is not None:
                    article.mention(person, at, start)
            resolved = quote
            said = quote.speaker_span.of(text) if quote.speaker_span else ""
            if quote.speaker and fold(said) in lexicon.PRONOUNS:
                at = quote.speaker_span.start if quote.speaker_span else quote.content.start
                person = self._pronoun(article, here, at, fold(said), spoke)
                resolved = replace(quote, speaker=person.name if person else said)
                if person is not None and self.weights.chain:
                    article.mention(person, here, at)
            elif quote.speaker and fold(said) in lexicon.NEUTER_PRONOUNS:
                named = _it(article, quote)
                resolved = replace(quote, speaker=named) if named else quote
            elif quote.speaker and _title_words(quote.speaker):
                named = _titled(quote, roles, ents, text)
                resolved = replace(quote, speaker=named) if named else quote
            elif quote.speaker and (producer := _producer(quote.speaker, ents, quote)):
                resolved = replace(quote, speaker=producer)
            elif quote.speaker and (head := _definite_head(quote.speaker)):
                named = _organisation(article, quote, head, self.weights.window)
                resolved = replace(quote, speaker=named) if named else quote
            person = article.person(resolved.speaker) if resolved.speaker else None
            if person is not None:
                spoke = (article.position[quote.sentence], person)
            out.append(resolved)
        order = {id(q): i for i, q in enumerate(quotes)}
        originals = sorted(quotes, key=lambda q: (q.sentence, q.content.start))
        return [q for _, q in sorted(zip((order[id(o)] for o in originals), out, strict=True))]

    def _pronoun(
        self,
        article: _Article,
        here: int,
        at: int,
        pronoun: str,
        spoke: tuple[int, _Person] | None,
    ) -> _Person | None:
        """The person a pronoun at offset ``at`` of the article's sentence ``here`` (its
        position) refers to, or None."""
        if pronoun in lexicon.PLURAL_PRONOUNS:
            return None  # "they": a group, never one person
        w = self.weights
        gender = lexicon.PRONOUN_GENDER.get(pronoun)
        paragraph = article.paragraph[here]
        scores: list[tuple[float, str, _Person]] = []
        earlier = [
            m
            for p in article.people
            for m in p.mentions
            if m.at < here or (m.at == here and m.start < at)
        ]
        in_paragraph = [m for m in earlier if m.paragraph == paragraph]
        agreeing = [
            p for p in article.people if p.gender is None or gender is None or p.gender == gender
        ]
        # a quote run goes on until another person who agrees is named after it
        run_on = spoke is not None and not any(
            spoke[0] < m.at and (m.at < here or m.start < at)
            for p in agreeing
            if p is not spoke[1]
            for m in p.mentions
        )
        for person in agreeing:
            mine = [m for m in person.mentions if m.at < here or (m.at == here and m.start < at)]
            if not mine or here - max(m.at for m in mine) > w.window:
                continue
            score = w.recent / (1 + here - max(m.at for m in mine))
            score += w.subject * any(m.subject and here - m.at <= 2 for m in mine)
            if run_on and spoke is not None and spoke[1] is person and here - spoke[0] <= w.window:
                score += w.spoke
            if in_paragraph:
                score += w.paragraph * sum(m in in_paragraph for m in mine) / len(in_paragraph)
            score += w.prominence * len(mine) / len(earlier)
            score += w.gender * (person.gender is not None and person.gender == gender)
            scores.append((score, person.name, person))
        if not scores:
            return None
        scores.sort(key=lambda s: (-s[0], s[1]))
        best = scores[0]
        second = scores[1][0] if len(scores) > 1 else 0.0
        if best[0] < w.min_score or best[0] - second < w.margin:
            return None
        return best[2]


class _Article:
    """The people of one article and where each is mentioned, outside quotation marks."""

    def __init__(
        self,
        doc: Doc,
        text: str,
        sents: Sequence[Sentence],
        ents: Sequence[Entity],
        quotes: Sequence[Quote],
        roles: Sequence[Role],
    ) -> None:
        self.position = {s.index: i for i, s in enumerate(sents)}
        self.paragraph: list[int] = []
        para = 0
        for i, s in enumerate(sents):
            if i and "\n" in text[sents[i - 1].span.end : s.span.start]:
                para += 1
            self.paragraph.append(para)
        quoted = [p for q in quotes if q.direct for p in q.pieces]
        self.people: list[_Person] = []
        gender_of_role = {
            fold(r.person): g for r in roles if (g := _role_gender(r.role)) is not None
        }
        for ent in ents:
            if ent.label != "PERSON" or ent.sentence not in self.position:
                continue
            if any(p.start <= ent.span.start < p.end for p in quoted):
                continue
            person = self.person(ent.text, create=True, gender=_honorific_gender(text, ent.span))
            if person is None:
                continue
            i = self.position[ent.sentence]
            subject = _is_subject(doc, ent.span)
            person.mentions.append(_Mention(i, ent.span.start, subject, self.paragraph[i]))
            if person.gender is None:
                person.gender = _honorific_gender(text, ent.span) or gender_of_role.get(
                    fold(ent.text)
                )
        starts = [s.span.start for s in sents]
        self._missed_surnames(doc, ents, starts, quoted)
        self._pronoun_genders(doc, text, sents, quoted)
        self.pronoun_subjects = [
            (at, t.idx, t.lower_)
            for t in doc
            if t.lower_ in lexicon.PRONOUN_GENDER
            and t.dep_ in ("nsubj", "nsubjpass")
            and not any(p.start <= t.idx < p.end for p in quoted)
            and (at := bisect.bisect_right(starts, t.idx) - 1) >= 0
        ]
        self.organisations = [
            (self.position[e.sentence], e.span.start, e.text)
            for e in ents
            if e.label == "ORG"
            and e.sentence in self.position
            and not any(p.start <= e.span.start < p.end for p in quoted)
        ]
        self.organisations += self._described(doc, text, sents, ents, quoted)
        self.organisations.sort()
        self.documents = self._credited(doc, sents, ents, quoted)

    def _credited(
        self, doc: Doc, sents: Sequence[Sentence], ents: Sequence[Entity], quoted: Sequence[Span]
    ) -> list[tuple[int, int, str]]:
        """Documents and ads the article credits to their maker, as (sentence, offset, maker):
        "A Bloomberg poll", "a recent Reuters survey", "a web video by the Republican National
        Committee", "A new ad from Donald Trump's presidential campaign"."""
        starts = [s.span.start for s in sents]
        described = {start: name for _, start, name in self.organisations}
        out = []
        for token in doc:
            if (
                token.pos_ != "NOUN"
                or token.lower_ not in lexicon.DOCUMENT_NOUNS
                or any(p.start <= token.idx < p.end for p in quoted)
            ):
                continue
            makers = [c for c in token.lefts if c.dep_ in ("compound", "poss")]
            makers += [
                o
                for c in token.rights
                if c.dep_ == "prep" and c.lower_ in ("by", "from")
                for o in c.children
                if o.dep_ == "pobj"
            ]
            for maker in makers:
                name = _maker_name(maker, ents, described)
                at = bisect.bisect_right(starts, token.idx) - 1
                if name and at >= 0:
                    out.append((at, token.idx, name))
                    break
        return out

    @staticmethod
    def _described(
        doc: Doc,
        text: str,
        sents: Sequence[Sentence],
        ents: Sequence[Entity],
        quoted: Sequence[Span],
    ) -> list[tuple[int, int, str]]:
        """Organisations the article describes by a name and a noun rather than names ("the
        Trump campaign", "Clinton's campaign", "Charlotte-Mecklenburg police"): each as "the"
        and the words, where it stands."""
        starts = [s.span.start for s in sents]
        named = [e.span for e in ents if e.label in ("PERSON", "ORG", "GPE", "NORP")]
        out = []
        for token in doc:
            if (
                token.pos_ != "NOUN"
                or token.lower_ not in _ORGANISATION_NOUNS
                or any(p.start <= token.idx < p.end for p in quoted)
            ):
                continue
            names = [
                c
                for c in token.lefts
                if c.dep_ in ("compound", "poss")
                and (c.pos_ == "PROPN" or any(n.start <= c.idx < n.end for n in named))
            ]
            if not names:
                continue
            start = min(t.idx for c in names for t in c.subtree)
            words = text[start : token.idx + len(token)].replace("’s", "").replace("'s", "")
            at = bisect.bisect_right(starts, token.idx) - 1
            if at >= 0 and words[:1].isupper():
                out.append((at, start, f"the {' '.join(words.split())}"))
        return out

    def _pronoun_genders(
        self, doc: Doc, text: str, sents: Sequence[Sentence], quoted: Sequence[Span]
    ) -> None:
        """The gender of a person whose name tells none, from the text's own pronouns: a
        sentence that names one person only, and the subject pronouns of the next sentence of
        its paragraph that no quotation holds ("Lynch spoke. She said …"), counted."""
        only: dict[int, _Person] = {}
        for person in self.people:
            for m in person.mentions:
                only[m.at] = person if m.at not in only or only[m.at] is person else None  # type: ignore[assignment]
        votes: dict[int, Counter[lexicon.Gender]] = defaultdict(Counter)
        for at, person in only.items():
            if person is None or person.gender is not None or at + 1 >= len(sents):
                continue
            if self.paragraph[at + 1] != self.paragraph[at]:
                continue
            nxt = sents[at + 1].span
            span = doc.char_span(nxt.start, nxt.end, alignment_mode="expand")
            for token in span or ():
                gender = lexicon.PRONOUN_GENDER.get(token.lower_)
                if (
                    gender
                    and token.dep_ in ("nsubj", "nsubjpass")
                    and not any(q.start <= token.idx < q.end for q in quoted)
                ):
                    votes[id(person)][gender] += 1
        for person in self.people:
            if person.gender is None and (counted := votes.get(id(person))):
                (voted, n), *rest = counted.most_common()
                if not rest or rest[0][1] < n:
                    person.gender = voted

    def _missed_surnames(
        self, doc: Doc, ents: Sequence[Entity], starts: list[int], quoted: Sequence[Span]
    ) -> None:
        """Mentions the entity recogniser missed: a proper noun, alone, that is the surname of
        one person the article names in full ("Trump has record low support …", where the
        parse tagged an organisation)."""
        surnames: dict[str, list[_Person]] = defaultdict(list)
        for person in self.people:
            if len(person.words) > 1:
                surnames[person.words[-1]].append(person)
        # a one-word entity of another label may be the surname ("Trump" tagged ORG)
        named = [e.span for e in ents if e.label == "PERSON" or " " in e.text.strip()]
        for token in doc:
            fits = surnames.get(fold(token.text))
            if (
                not fits
                or len(fits) > 1
                or token.pos_ != "PROPN"
                or token.dep_ == "compound"  # "Trump Tower"
                or (token.i > 0 and token.doc[token.i - 1].pos_ == "PROPN")
                or any(n.start <= token.idx < n.end for n in named)
                or any(p.start <= token.idx < p.end for p in quoted)
            ):
                continue
            at = bisect.bisect_right(starts, token.idx) - 1
            if at >= 0:
                subject = token.dep_ in ("nsubj", "nsubjpass")
                fits[0].mentions.append(_Mention(at, token.idx, subject, self.paragraph[at]))
        for person in self.people:
            person.mentions.sort(key=lambda m: m.start)

    def mention(self, person: _Person, at: int, start: int) -> None:
        """A pronoun resolved to ``person``, as the subject of sentence ``at``."""
        person.mentions.append(_Mention(at, start, True, self.paragraph[at]))

    def person(
        self, name: str | None, *, create: bool = False, gender: lexicon.Gender | None = None
    ) -> _Person | None:
        """The person ``name`` is: the one whose full name it is or fits (a surname or given
        name alone fits one full name; where two do, the one of the mention's ``gender``, else
        the one named last: "Mrs. Clinton" is Hillary where Bill is named too); else the one
        whose surname it misspells by a letter ("McLenney" for Tyresha McClenney); created when
        new and ``create``."""
        words = name_words(name or "")
        if not words or not words[-1][:1].isalpha():
            return None
        fits = [p for p in self.people if fits_name(words, p.words)]
        if len(fits) > 1 and len(words) == 1:
            fits = [p for p in fits if gender is None or p.gender in (gender, None)] or fits
            fits = [max(fits, key=lambda p: max((m.start for m in p.mentions), default=-1))]
        if not fits and len(words[-1]) >= _MISSPELT_MIN:
            fits = [
                p
                for p in self.people
                if len(p.words) > 1
                and len(p.words[-1]) >= _MISSPELT_MIN
                and Levenshtein.distance(words[-1], p.words[-1]) == 1
                and (len(words) == 1 or same_given(words[0], p.words[0]))
            ]
        if len(fits) == 1:
            person = fits[0]
            if len(words) > len(person.words):
                person.name, person.words = clean_name(name or ""), words
            if person.gender is None and len(words) > 1:
                person.gender = lexicon.given_name_gender(words[0])
            return person
        if fits or not create:
            return None
        gender = lexicon.given_name_gender(words[0]) if len(words) > 1 else None
        person = _Person(name=clean_name(name or ""), words=words, gender=gender)
        self.people.append(person)
        return person


def name_words(name: str) -> list[str]:
    """The folded words of a person's name without titles, honorifics, initials or a
    possessive: "former U.S. President Donald J. Trump's" → ["donald", "trump"]."""
    words = [w.strip(".,’'\"“”") for w in name.replace("’s", "").replace("'s", "").split()]
    kept = [w for w in words if w and fold(w).rstrip(".") not in lexicon.NAME_PREFIXES]
    while len(kept) > 1 and fold(kept[-1]).rstrip(".") in lexicon.NAME_SUFFIXES:
        kept.pop()
    kept = [w for w in kept if len(w.rstrip(".")) > 1 or w == kept[-1]] if kept else []
    out = [fold(w) for w in kept]
    # a description the parse took into the name: "Archaeologist Giles Hamm" → "giles hamm"
    # (a capitalised given name; "on" of "Commission on Presidential Debates" is none)
    given = [i for i, w in enumerate(kept[:-1]) if w[:1].isupper() and lexicon.is_given_name(w)]
    return out[given[0] :] if given and not lexicon.is_given_name(out[0]) else out


def clean_name(name: str) -> str:
    """The name as written without the titles before it ("Sen. Chuck Grassley" → "Chuck
    Grassley")."""
    words = name.replace("’s", "").replace("'s", "").split()
    while len(words) > 1 and fold(words[0]).strip(".,") in lexicon.NAME_PREFIXES:
        words.pop(0)
    given = [i for i, w in enumerate(words[:-1]) if w[:1].isupper() and lexicon.is_given_name(w)]
    if given and not lexicon.is_given_name(words[0]):
        words = words[given[0] :]
    return " ".join(words).strip(".,")


def fits_name(short: list[str], full: list[str]) -> bool:
    """Whether the name words ``short`` may be the person named ``full``: the same words, a
    surname alone, or a given name alone; with the same surname, given names that are one
    (the same, or a common short form)."""
    if not short or not full:
        return False
    if short == full:
        return True
    if len(short) == 1 and len(full) > 1:
        return short[0] in (full[-1], full[0])
    if len(full) == 1 and len(short) > 1:
        return full[0] in (short[-1], short[0])
    if short[-1] != full[-1]:
        return False
    # the same given name, or a middle name the shorter goes by ("Alexander Volkov" for "Cyril
    # Alexander Volkov")
    return same_given(short[0], full[0]) or (len(short) == 2 and short[0] in full[1:-1])


def same_given(a: str, b: str) -> bool:
    return a == b or lexicon.SHORT_FORMS.get(a) == b or lexicon.SHORT_FORMS.get(b) == a


def _is_subject(doc: Doc, span: Span) -> bool:
    ent = doc.char_span(span.start, span.end, alignment_mode="expand")
    return ent is not None and any(t.dep_ in ("nsubj", "nsubjpass") for t in ent)


def _honorific_gender(text: str, span: Span) -> lexicon.Gender | None:
    before = fold(text[max(0, span.start - 6) : span.start]).split()
    word = before[-1].rstrip(".") if before else ""
    if word in lexicon.FEMALE_HONORIFICS:
        return "female"
    return "male" if word in lexicon.MALE_HONORIFICS else None


def _role_gender(role: str) -> lexicon.Gender | None:
    words = set(fold(role).split())
    if words & lexicon.FEMALE_TITLES:
        return "female"
    return "male" if words & lexicon.MALE_TITLES else None


def _words(role: str) -> list[str]:
    words = fold(role).replace("’s", "").replace("'s", "").split()
    return [lexicon.TITLE_ABBREVIATIONS.get(w.rstrip("."), w) for w in words]


def _title_words(speaker: str | None) -> set[str]:
    """The words of a speaker that is a definite title alone ("the foreign minister", "The
    Senate Minority Leader", a lower-case "senator" the parse took for a name), else nothing;
    an indefinite one ("a spokesman") introduces someone new."""
    words = _words(speaker or "")
    if not words or words[0] in ("a", "an"):
        return set()
    if words[0] == "the":
        words = words[1:]
    elif any(w[:1].isupper() for w in (speaker or "").split()) and not is_description(
        speaker or ""
    ):
        return set()
    return set(words) if words and words[-1].rstrip(".") in _TITLE_HEADS else set()


def _titled(quote: Quote, roles: Sequence[Role], ents: Sequence[Entity], text: str) -> str | None:
    """The person the article gives the title a statement's speaker is ("the foreign minister
    said"): the nearest such role before the statement, else the one person given it. A role
    is one analyse.roles found, or a title written right before a name ("Sen. Bernie
    Sanders", "Judge Frank Nervo")."""
    words = _title_words(quote.speaker)
    head = _title_head(_words(quote.speaker or ""))
    # the same title noun heads both: "the president" is not "the president's top diplomat"
    # ... nor is it "the vice president" or "the former president": a rank the description
    # lacks makes another office
    given = [
        (r.span.start, r.person)
        for r in roles
        if words <= set(_words(r.role))
        and _title_head(_words(r.role)) == head
        and not (_RANKS & set(_words(r.role))) - words
    ]
    for ent in ents:
        if ent.label == "PERSON":
            before = _words(text[max(0, ent.span.start - 40) : ent.span.start])[-3:]
            if (words <= set(before) or (len(words) == 1 and before[-1:] == list(words))) and not (
                _RANKS & set(before)
            ) - words:
                given.append((ent.span.start, ent.text))
    given.sort()
    earlier = [g for g in given if g[0] < quote.content.start]
    people = {fold(clean_name(name)) for _, name in given}
    named = earlier[-1][1] if earlier else (given[0][1] if len(people) == 1 else None)
    return clean_name(named) if named else None


def _title_head(words: list[str]) -> str | None:
    """The last title noun of a role's words ("secretary" of "secretary of state")."""
    return next((w for w in reversed(words) if w.rstrip(".") in _TITLE_HEADS), None)


_TITLE_HEADS = lexicon.TITLE_NOUNS | lexicon.PARTY_MEMBERS
_RANKS = frozenset("vice deputy assistant associate former acting interim".split())
_MISSPELT_MIN = 7  # letters of a surname a one-letter slip may be read in ("McLenney")
_ORGANISATION_NOUNS = lexicon.SPEAKING_NOUNS - lexicon.DOCUMENT_NOUNS


def _definite_head(speaker: str) -> str | None:
    """The head noun of a definite description that may name an organisation ("the fund",
    "The campaign"): "the" and one lower-case noun."""
    words = speaker.split()
    if len(words) == 2 and fold(words[0]) == "the" and words[1].isalpha() and words[1].islower():
        return words[1]
    return None


def _organisation(article: _Article, quote: Quote, head: str, window: int) -> str | None:
    """The organisation a definite description names: the latest one named within ``window``
    sentences before the statement whose name holds the description's noun ("the fund" → the
    International Monetary Fund)."""
    here = article.position[quote.sentence]
    if head in lexicon.DOCUMENT_NOUNS:
        # "the poll", "the clip": who made the latest document the story credits ("A
        # Bloomberg poll", "a web video by the Republican National Committee")
        made = [
            (at, start, name)
            for at, start, name in article.documents
            if (at < here or (at == here and start < quote.content.start)) and here - at <= window
        ]
        return max(made)[2] if made else None
    found = [
        (at, start, name)
        for at, start, name in article.organisations
        if (at < here or (at == here and start < quote.content.start))
        and here - at <= window
        and head in (words := fold(name).removeprefix("the ").split())
        and words != [head]  # "Bank" alone names no bank
    ]
    if found:
        return max(found)[2]
    # else the one organisation named in the sentence before or earlier in this one ("In the
    # Wells Fargo scandal, … The bank said": Wells Fargo)
    near = {
        fold(name).removeprefix("the "): name
        for at, start, name in article.organisations
        if (at == here and start < quote.content.start) or at == here - 1
    }
    return next(iter(near.values())) if len(near) == 1 and head in _NAMELESS_HEADS else None


# Nouns an organisation's own name may lack ("the bank" for Wells Fargo, "the union" for the
# Association of Flight Attendants).
_NAMELESS_HEADS = frozenset("bank union agency company firm group".split())


def _maker_name(token: Token, ents: Sequence[Entity], described: dict[int, str]) -> str | None:
    """The name a document's maker goes by: its person or organisation entity, or the
    organisation the article describes by name and noun ("Donald Trump's presidential
    campaign")."""
    for ent in ents:
        if ent.label in ("PERSON", "ORG") and ent.span.start <= token.idx < ent.span.end:
            return ent.text
    start = min(t.idx for t in token.subtree)
    return described.get(start)


def _it(article: _Article, quote: Quote) -> str | None:
    """The organisation "it" speaks for: the one organisation named in the sentence before
    (news paragraphs are short: the paragraph before too) or earlier in the same sentence,
    else no one ("Donald Trump's campaign
    is defending the tweets. It's denouncing …" → the Donald Trump campaign)."""
    here = article.position[quote.sentence]
    at = quote.speaker_span.start if quote.speaker_span else quote.content.start
    named = {
        fold(name).removeprefix("the "): name
        for sentence, start, name in article.organisations
        if (sentence == here and start < at) or sentence == here - 1
    }
    return next(iter(named.values())) if len(named) == 1 else None


def _producer(speaker: str, ents: Sequence[Entity], quote: Quote) -> str | None:
    """Who speaks through a document or an ad the speaker is ("The Kansas City Police
    Department report said" → "Kansas City Police Department"; "the Trump campaign ad" → "the
    Trump campaign"): the named words before the document's noun, else no one."""
    words = speaker.replace("’s", "").replace("'s", "").split()
    if len(words) < 2 or fold(words[-1]) not in lexicon.DOCUMENT_NOUNS:
        return None
    rest = words[:-1]
    if fold(rest[0]) in ("the", "a", "an"):
        rest = rest[1:]
    if not rest or not any(w[:1].isupper() for w in rest):
        return None
    named = " ".join(rest)
    span = quote.speaker_span
    for ent in ents:
        if (
            ent.label in ("PERSON", "ORG")
            and span is not None
            and span.start <= ent.span.start < span.end
            and fold(ent.text) == fold(named)
        ):
            return ent.text
    return named if all(w[:1].isupper() for w in rest) else f"the {named}"


RESOLVER: SpeakerResolver = SalienceResolver()
