"""Quotes and attributed statements, with speaker and cue.

Direct quotes are the text between a pair of quotation marks (the glyph's direction is not
trusted, see :func:`newsbrief.nlp.is_opening`); reported speech is the clause a cue verb
introduces ("X said that …", "stating that …"), or a sentence ending in "according to X".
The speaker is the subject of the cue verb nearest to the quote, found in the dependency parse,
or the name right after an inverted cue ("…,” wrote Jane Doe); a pronoun or a description stays as
it is written, for analyse.speakers to resolve; when neither works the speaker stays unknown
rather than guessed. A speaker is someone who can speak: not a place, a work, a platform or a
name inside a phrase ("the Sagan Rule applies").
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsbrief.analyse.lexicon import (
    COUNTRY_ALIASES,
    DESCRIPTION_HEADS,
    NEUTER_PRONOUNS,
    NOT_SPEAKER_LABELS,
    PERSON_NOUNS,
    PLATFORMS,
    PRONOUNS,
    SPEAKING_NOUNS,
    fold,
)
from newsbrief.nlp import quote_marks
from newsbrief.records import Entity, Quote, Sentence, Span, statement_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as DocSpan

CUE_VERBS = """say state write tell add note assert affirm echo suggest claim argue insist warn
    explain announce declare emphasize emphasise stress indicate remark comment reply respond
    acknowledge admit post tweet highlight caution predict vow pledge promise deny confirm believe
    contend maintain urge recall describe ask call shout yell chant scream joke quip boast
    complain concede continue conclude lament observe reiterate retort tout concur counter
    predict recount testify whisper think feel hope fear expect worry doubt agree estimate
    report reveal disclose signal hint allege speculate mention propose recommend demand imply
    find know realize""".split()
# Inflections the regular rules below get wrong (no lemmatizer runs: see nlp.EXCLUDED_PIPES).
_IRREGULAR = {
    "say": ("said",), "tell": ("told",), "write": ("wrote", "written"),
    "think": ("thought",), "feel": ("felt",), "find": ("found",), "know": ("knew", "known"),
    "admit": ("admitted", "admitting"), "concur": ("concurred", "concurring"),
}  # fmt: skip


def _forms(verb: str) -> set[str]:
    """The base, -s, -ed and -ing forms of a regular English verb, plus its irregular forms."""
    stem = verb[:-1] if verb.endswith("e") else verb
    third = (
        verb[:-1] + "ies"
        if verb.endswith("y") and verb[-2] not in "aeiou"
        else (verb + "es" if verb.endswith(("s", "sh", "ch", "x", "z", "o")) else verb + "s")
    )
    past = verb[:-1] + "ied" if third.endswith("ies") else stem + "ed"
    return {verb, third, past, stem + "ing", *_IRREGULAR.get(verb, ())}


# Verbs that state a position in what follows them rather than in a clause: "criticized the
# plan as a giveaway", "vowed to fight on", "called for a ceasefire".
STANCE_VERBS = """call describe criticize criticise praise accuse endorse defend support back
    urge propose condemn slam blast welcome reject dismiss hail applaud denounce blame question
    challenge attack mock want ask announce promise vow pledge threaten demand refer suggest
    recommend
    deny admit acknowledge predict""".split()
STANCE_FORMS = frozenset(form for verb in STANCE_VERBS for form in _forms(verb))
_STANCE_DEPS = frozenset({"dobj", "oprd", "prep", "xcomp", "attr", "dative", "pcomp", "acomp"})
CUE_FORMS = frozenset(form for verb in [*CUE_VERBS, *STANCE_VERBS] for form in _forms(verb))
# Verbs by which "it" speaks for an organisation ("It said …"), where "it shows", "it
# means" are a thing's: only these give a statement a neuter pronoun as its speaker.
_IT_VERBS = "say tell add announce state claim argue write deny confirm insist warn call"
_IT_SAYS = frozenset(form for verb in _IT_VERBS.split() for form in _forms(verb))
MIN_QUOTE_WORDS = 2  # one quoted word is a term or scare quote, not a statement
# "X declined to comment", "has not publicly commented", "did not respond to a request for
# comment", "could not be reached for comment": the statement is the sentence, its cue
# NO_COMMENT, its speaker the subject of the verb.
NO_COMMENT = "no comment"
COLON = ":"  # the cue of "Jane Doe: “…”", the form of headlines and bullets
_NO_COMMENT = re.compile(
    r"\b(?:declined|refused|(?:did|has|have|had|would|could)(?: not|n[’']t))"
    r"(?: \w+ly)?(?: to)? (?:comment|commented|respond|responded|be reached for comment)\b",
    re.IGNORECASE,
)
# Quoted words fewer than this, not ending in . ? ! or ,, are a phrase: on PolNeAR (300
# articles) 84% of such quotes were no attribution of their own (the annotated statement is
# the reported clause around them, when there is one).
FRAGMENT_WORDS = 6
# A quote inside a reported clause with at least this many words of the reporter's own around
# it is part of that clause (a mixed quote: "said the plan would “fail the test” of time").
MIXED_MIN_WORDS = 2
SPLIT_GAP_WORDS = 30  # “…,” said Jane Doe, the city's mayor, “…”: the words between the pieces
CUE_AFTER_CHARS = 40  # “Not now,” the foreign minister said: the cue this close after the quote
INVERTED_MAX_WORDS = 4  # "…,” wrote andrii Sybiha, …": a name right after the cue is this short
# (a lower-case name may be tagged a verb: "andrii Sybiha")
_FUNCTION_WORDS = frozenset({"ADP", "DET", "PRON", "SCONJ", "CCONJ", "NUM", "AUX", "PART"})
_NOT_IN_NAME = frozenset({"ADP", "DET", "VERB", "AUX", "ADV", "PRON", "SCONJ", "CCONJ", "NUM"})


def quote_spans(text: str, start: int, end: int) -> list[Span]:
    """Spans of quoted content (marks excluded) in text[start:end], pairing each opening mark
    with the next closing one."""
    spans: list[Span] = []
    opened: int | None = None
    for i, length, opening in quote_marks(text, start, end):
        if opened is None and opening:
            opened = i + length
        elif opened is not None and not opening:
            spans.append(Span(start=opened, end=i))
            opened = None
    return spans


def _strip(text: str, span: Span) -> Span:
    """The span without surrounding spaces and trailing commas (kept verbatim otherwise)."""
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return Span(start=start, end=end)


class _Speakers:
    """Speaker resolution within one article."""

    def __init__(self, text: str) -> None:
        self.text = text

    def named(self, start: int, end: int) -> tuple[str, Span]:
        return self.text[start:end], Span(start=start, end=end)

    def name(self, token: Token, ents: Sequence[Entity]) -> tuple[str, Span]:
        """The name a subject token stands for: its entity, else the proper-noun run ending at
        it; a title-only or collective subject keeps its modifiers ("Ukrainian officials"),
        unless a person's name stands in apposition ("his former communications director,
        Michael Rekola,")."""
        if token.pos_ == "NOUN":
            for child in token.children:
                if child.dep_ == "appos" and _in_person(child, ents):
                    return self.name(child, ents)
        if token.lower_ in DESCRIPTION_HEADS and not any(
            e.label in ("PERSON", "ORG") and e.span.start <= token.idx < e.span.end for e in ents
        ):
            # a description, capitals or not, keeps its determiner ("the Arizona Republican")
            left = min((t for t in token.subtree if t.i <= token.i), key=lambda t: t.i)
            return self.named(left.idx, token.idx + len(token))
        for ent in ents:
            inside = ent.span.start <= token.idx < ent.span.end
            if (
                inside
                and ent.label in ("PERSON", "ORG", "NORP", "GPE")
                and (ent.label == "PERSON" or token.pos_ != "PROPN" or len(ent.text) > len(token))
            ):
                return ent.text, ent.span
        left = token
        while left.i > 0:
            prev = left.doc[left.i - 1]
            if (
                prev.dep_ in ("compound", "amod")
                and prev.head.i >= left.i
                and (prev.pos_ == "PROPN" or (prev.text.isalpha() and token.pos_ == "PROPN"))
            ):
                left = prev
            else:
                break
        run = token.doc[left.i : token.i + 1]
        if sum(t.text[:1].islower() for t in run) > 1:
            # a description before the name, not a typo of one ("his skateboard buddy
            # McDonald" is McDonald; "andrii Sybiha" keeps its one lower-case word)
            while left.i < token.i and not left.text[:1].isupper():
                left = left.doc[left.i + 1]
        return self.named(left.idx, token.idx + len(token))

    def inverted(self, cue: Token, ents: Sequence[Entity]) -> tuple[str, Span] | None:
        """The speaker named right after the cue: "…,” wrote andrii Sybiha, Ukraine's …". A
        person or organisation entity there wins; else a short run of words ending in a proper
        noun, stopped by punctuation or a function word ("tweeted Jane Doe on Friday")."""
        after = cue.idx + len(cue)
        for ent in ents:
            if ent.label in ("PERSON", "ORG") and 0 < ent.span.start - after <= 2:
                return ent.text, ent.span
        run: list[Token] = []
        for token in cue.doc[cue.i + 1 : cue.i + 1 + INVERTED_MAX_WORDS]:
            if token.is_punct or token.is_space or (run and token.pos_ in _NOT_IN_NAME):
                break
            run.append(token)
        if (
            not run
            or run[-1].pos_ != "PROPN"
            or not run[0].text[:1].isalpha()
            or run[0].pos_ in _FUNCTION_WORDS  # "that Sanders", "in March"
            or run[0].tag_ in ("WRB", "WDT", "WP")  # "when Boyle"
            or (len(run) == 1 and run[0].is_upper)  # a dateline: "said WASHINGTON"
        ):
            return None
        start, end = run[0].idx, run[-1].idx + len(run[-1])
        if any(
            e.label in ("DATE", "TIME", "CARDINAL", "QUANTITY")
            and e.span.start < end
            and start < e.span.end
            for e in ents
        ):
            return None  # "said Saturday", "said in Ohio"
        return self.named(start, end)

    def of(self, cue: Token, ents: Sequence[Entity], content: Span) -> tuple[str, Span] | None:
        """The speaker of ``content`` that ``cue`` introduces; never a name inside the content
        itself ("… said that Sanders had …" is not Sanders speaking)."""
        found = self._of(cue, ents, content)
        if found and found[1].start < content.end and content.start < found[1].end:
            return None
        return found

    def _of(self, cue: Token, ents: Sequence[Entity], content: Span) -> tuple[str, Span] | None:
        if cue.lower_ == "according":
            objects = [t for t in cue.nbor().children if t.dep_ == "pobj"]
            return self.name(objects[0], ents) if objects else None
        # the speaker named after the cue only when the cue follows the statement
        inverted = cue.idx >= content.end
        subject = _subject(cue)
        if subject is None:
            return self.inverted(cue, ents) if inverted else None
        if subject.lower_ in PRONOUNS or (
            subject.lower_ in NEUTER_PRONOUNS and cue.lower_ in _IT_SAYS
        ):  # resolved by analyse.speakers
            return subject.text, Span(start=subject.idx, end=subject.idx + len(subject))
        if subject.tag_ in ("WP", "WDT") and cue.dep_ == "relcl":
            # "Jane Doe, who said …": the noun the clause is about, the mention "who"
            noun = _antecedent(subject, cue)
            antecedent = self._of_subject(noun, cue, ents, inverted=False) if noun else None
            mention = Span(start=subject.idx, end=subject.idx + len(subject))
            return (antecedent[0], mention) if antecedent else None
        return self._of_subject(subject, cue, ents, inverted=inverted)

    def _of_subject(
        self, subject: Token, cue: Token, ents: Sequence[Entity], *, inverted: bool
    ) -> tuple[str, Span] | None:
        if _not_a_speaker(subject, ents):
            return None
        if (
            subject.pos_ == "PROPN"
            or (subject.pos_ == "NOUN" and subject.lower_ in DESCRIPTION_HEADS)
            or any(  # a name the tagger took for a common noun ("Trump proposed …")
                e.label in ("PERSON", "ORG") and e.span.start <= subject.idx < e.span.end
                for e in ents
            )
        ):
            return self.name(subject, ents)
        if subject.lower_ in SPEAKING_NOUNS and [
            c.lower_ for c in subject.children if c.dep_ == "det"
        ] == ["the"]:
            # "the fund said": a description analyse.speakers may find the organisation of
            start = min(t.idx for t in subject.subtree if t.i <= subject.i)
            return self.named(start, subject.idx + len(subject))
        return self.inverted(cue, ents) if inverted else None


def _antecedent(who: Token, cue: Token) -> Token | None:
    """The noun a relative "who" stands for: the one right before it ("Will Smith and Stevie
    Wonder, who joked" is Stevie Wonder), where the parse may hang the clause on the first of
    a list; none when the clause's verb is plural after a list ("Democrats and Republicans,
    who have questioned": a group)."""
    before = who.i - 1
    while before >= 0 and who.doc[before].is_punct:
        before -= 1
    noun = who.doc[before] if before >= 0 else cue.head
    if noun.pos_ not in ("PROPN", "NOUN"):
        noun = cue.head
    listed = noun.dep_ == "conj" or any(c.dep_ == "conj" for c in noun.children)
    plural = cue.tag_ == "VBP" or any(c.dep_ == "aux" and c.tag_ == "VBP" for c in cue.children)
    return None if listed and plural else noun


def _not_a_speaker(subject: Token, ents: Sequence[Entity]) -> bool:
    """What cannot speak, taken by the parse for a subject: a date or a dateline ("Saturday",
    "WASHINGTON"); a place, a work, a product, an event (lexicon.NOT_SPEAKER_LABELS; a country
    speaks for its government); a platform ("Twitter"); a name inside a phrase whose head is
    no speaker ("the Sagan Rule applies")."""
    if any(
        e.span.start <= subject.idx < e.span.end
        and e.label in NOT_SPEAKER_LABELS
        and (e.label != "GPE" or not is_country(e.text))
        for e in ents
    ):
        return True
    if subject.lower_ in PLATFORMS or subject.dep_ == "compound":
        return True
    inside = any(
        e.label in ("PERSON", "ORG", "NORP") and e.span.start <= subject.idx < e.span.end
        for e in ents
    )
    if (
        not inside
        and subject.pos_ == "PROPN"
        and subject.lower_ not in PERSON_NOUNS
        and any(
            c.dep_ == "compound" and c.pos_ == "PROPN" and _in_person(c, ents)
            for c in subject.children
        )
    ):
        return True  # "the Sagan Rule": a person's name in a phrase about something else
    return (
        subject.is_upper
        and len(subject) > 3
        and not any(e.label == "ORG" and e.span.start <= subject.idx < e.span.end for e in ents)
    )


def _in_person(token: Token, ents: Sequence[Entity]) -> bool:
    return any(e.label == "PERSON" and e.span.start <= token.idx < e.span.end for e in ents)


def is_country(name: str) -> bool:
    """Whether a place name is a country's (which speaks for its government: "Russia said")."""
    return fold(name).removeprefix("the ").strip() in _countries()


@functools.cache
def _countries() -> frozenset[str]:
    import pycountry

    names = set(COUNTRY_ALIASES)
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            if value := getattr(country, attr, None):
                names.add(fold(value).removeprefix("the "))
    return frozenset(names)


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _has_subject(cue: Token) -> bool:
    """Whether someone says it, if not someone we can name ("Most believe that …")."""
    return cue.lower_ == "according" or _subject(cue) is not None


def _subject(verb: Token) -> Token | None:
    """The subject of a cue verb, climbing through participles ("…, stating that")."""
    node = verb
    for _ in range(3):
        for child in node.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                return child
        if node.dep_ not in ("advcl", "conj", "xcomp") or node.head is node:
            return None
        node = node.head
    return None


def _cues(sent: DocSpan) -> list[Token]:
    cues = [t for t in sent if t.lower_ in CUE_FORMS and t.pos_ in ("VERB", "AUX")]
    cues += [
        t
        for t in sent
        if t.lower_ == "according" and t.i + 1 < len(t.doc) and t.nbor().lower_ == "to"
    ]
    return cues


@dataclass(slots=True)
class _Parsed:
    """A sentence with its quoted spans and the cues outside them."""

    sentence: Sentence
    direct: list[Span]
    cues: list[Token]

    def lone_cue(self) -> Token | None:
        """The cue of a sentence that quotes nothing itself ("Jane Doe said:", "he added.")."""
        return self.cues[0] if self.cues and not self.direct else None


def _parse(doc: Doc, text: str, sents: Sequence[Sentence]) -> list[_Parsed | None]:
    out: list[_Parsed | None] = []
    for sentence in sents:
        sent = doc.char_span(sentence.span.start, sentence.span.end, alignment_mode="expand")
        if sent is None:
            out.append(None)
            continue
        direct = [
            s
            for s in (
                _strip(text, q) for q in quote_spans(text, sentence.span.start, sentence.span.end)
            )
            if len(text[s.start : s.end].split()) >= MIN_QUOTE_WORDS
        ]
        cues = [c for c in _cues(sent) if not any(q.start <= c.idx < q.end for q in direct)]
        out.append(_Parsed(sentence=sentence, direct=direct, cues=cues))
    return out


def _neighbour_cue(parsed: Sequence[_Parsed | None], i: int, text: str) -> Token | None:
    """The cue of a quote whose own sentence has none: the sentence before when it ends in a
    colon ("Jane Doe said:", also across a paragraph break), else a sentence of the same
    paragraph, before or after, that quotes nothing itself ("Jane Doe was blunt." … "she
    added.")."""
    here = parsed[i]
    assert here is not None
    before = parsed[i - 1] if i > 0 else None
    if before and before.cues and before.sentence.text.rstrip().endswith(":"):
        return before.cues[-1]
    for j in (i - 1, i + 1):
        near = parsed[j] if 0 <= j < len(parsed) else None
        if (
            near is not None
            and _same_block(text, near.sentence, here.sentence)
            and (cue := near.lone_cue()) is not None
        ):
            return cue
    return None


def _same_block(text: str, a: Sentence, b: Sentence) -> bool:
    first, second = (a, b) if a.span.start < b.span.start else (b, a)
    return "\n" not in text[first.span.end : second.span.start]


@dataclass(slots=True)
class _Statement:
    """A statement being built: pieces join it while the same cue or a cue-less run-on quote
    continues it."""

    sentence: Sentence
    pieces: list[Span]
    direct: bool
    speaker: tuple[str, Span] | None
    cue: Token | str | None
    at: int  # the index, in the parsed sentences, of the sentence holding the last piece

    def quote(self, text: str) -> Quote:
        first, last = self.pieces[0], self.pieces[-1]
        pieces = tuple(self.pieces) if len(self.pieces) > 1 else ()
        return Quote(
            article_id=self.sentence.article_id,
            sentence=self.sentence.index,
            content=Span(start=first.start, end=last.end),
            text=statement_text(text, self.pieces),
            direct=self.direct,
            speaker=self.speaker[0] if self.speaker else None,
            speaker_span=self.speaker[1] if self.speaker else None,
            cue=_cue_text(self.cue),
            parts=pieces,
        )


def find_quotes(
    doc: Doc, text: str, sents: Sequence[Sentence], ents: Sequence[Entity]
) -> list[Quote]:
    """Direct quotes and reported statements of one parsed article whose clean text is
    ``text``."""
    by_sentence: dict[int, list[Entity]] = defaultdict(list)
    for ent in ents:
        by_sentence[ent.sentence].append(ent)
    speakers = _Speakers(text)
    out: list[_Statement | Quote] = []
    last: _Statement | None = None  # the direct statement a cue-less quote may run on from
    parsed = _parse(doc, text, sents)
    for i, here in enumerate(parsed):
        if here is None:
            continue
        sentence, direct, cues = here.sentence, here.direct, here.cues
        sent_ents = by_sentence[sentence.index]
        mixed: set[int] = set()  # reported clauses already given for the quotes they hold
        for quote in direct:
            held = _holding(cues, sentence, quote, text, direct)
            if held is not None:
                # quoted words inside reported speech ("called it “a disgrace”", "said the
                # plan would “fail the test” of time"): the statement is the clause
                cue, clause = held
                speaker = speakers.of(cue, sent_ents, clause)
                if clause.start not in mixed and (
                    speaker or not _fragment(text, quote, cues, direct)
                ):
                    mixed.add(clause.start)
                    last = _Statement(sentence, [_strip(text, clause)], False, speaker, cue, i)
                    out.append(last)
                continue
            if not cues and last is not None and _runs_on(parsed, last.at, i, text, quote):
                last.pieces.append(quote)
                last.at = i
                continue
            if (
                _fragment(text, quote, cues, direct)
                or _title(text, quote)
                or (not cues and _short(text, quote))
            ):
                continue  # alone, a few quoted words are a phrase or a title, not a statement
            nearest = min(cues, key=lambda c: _distance(c.idx, quote), default=None)
            if last is not None and nearest is not None and _split(last, nearest, quote, text):
                last.pieces.append(quote)  # “…,” he said, “…”
                continue
            if nearest is None and (named := _colon_speaker(text, sentence, quote, sent_ents)):
                # "Jane Doe: “…”", the form of headlines and bullets
                last = _Statement(sentence, [quote], True, named, COLON, i)
                out.append(last)
                continue
            if nearest is None:
                nearest = _neighbour_cue(parsed, i, text)
            speaker = (
                speakers.of(nearest, by_sentence[_sentence_of(nearest, sents)], quote)
                if nearest
                else None
            )
            last = _Statement(sentence, [quote], True, speaker, nearest, i)
            out.append(last)
        if not direct and (silent := _no_comment(doc, sentence, sent_ents, speakers)):
            out.append(silent)
        elif not direct:
            taken: list[Span] = []
            for cue in cues:
                content = _reported(cue, sentence)
                if content is None or any(_overlaps(content, t) for t in taken):
                    continue
                speaker = speakers.of(cue, sent_ents, content)
                if speaker is not None or _has_subject(cue):
                    taken.append(content)
                    out.append(
                        _Statement(sentence, [_strip(text, content)], False, speaker, cue, i)
                    )
    return [q.quote(text) if isinstance(q, _Statement) else q for q in out]


def _holding(
    cues: Sequence[Token], sentence: Sentence, quote: Span, text: str, quotes: Sequence[Span]
) -> tuple[Token, Span] | None:
    """The cue whose reported clause holds ``quote`` with words of the reporter's own around
    it, and that clause; None when the quote is the whole clause ("said that “…”")."""
    for cue in cues:
        clause = _reported(cue, sentence)
        if clause is None or not clause.start <= quote.start < clause.end:
            continue
        # the parse may leave the closing words of the quote out of the clause
        clause = Span(start=clause.start, end=max(clause.end, quote.end))
        before = _words(text[clause.start : quote.start])
        if before == 0 and cue.idx >= quote.end:
            return None  # “…,” she said: the quote opens the clause its cue follows
        if before + _words(text[quote.end : clause.end]) >= MIXED_MIN_WORDS or _fragment(
            text, quote, cues, quotes
        ):
            return cue, clause
        return None
    return None


def _words(text: str) -> int:
    return sum(any(c.isalnum() for c in w) for w in text.split())


def _split(last: _Statement, cue: Token, quote: Span, text: str) -> bool:
    """Whether ``quote`` is the second piece of the statement ``last`` split around its cue:
    “…,” he said, “…” — the cue between the pieces, a short stretch ending in a comma or colon
    between them."""
    gap = text[last.pieces[-1].end : quote.start]
    return (
        cue is last.cue
        and last.pieces[-1].end <= cue.idx < quote.start
        and _words(gap) <= SPLIT_GAP_WORDS
        and gap.rstrip(" \u00a0\"“”'‘’`").endswith((",", ":", "."))
    )


def _short(text: str, quote: Span) -> bool:
    return len(quote.of(text).split()) < FRAGMENT_WORDS


def _title(text: str, quote: Span) -> bool:
    """Quoted words each capitalised, short ones aside: the title of a work or a name ("Hail,
    Caesar!", "Forward: Notes on the Future of Our Democracy")."""
    words = [w for w in quote.of(text).split() if w[:1].isalpha()]
    return 0 < len(words) <= TITLE_WORDS and all(
        w[:1].isupper() or w in _TITLE_SMALL for w in words
    )


# No title runs longer; a statement in title case is rarer than a long title.
TITLE_WORDS = 12


_TITLE_SMALL = frozenset({"a", "an", "the", "and", "or", "of", "in", "on", "to", "for", "with"})


def _runs_on(parsed: Sequence[_Parsed | None], at: int, i: int, text: str, quote: Span) -> bool:
    """Whether the cue-less quote ``quote`` of sentence ``i`` continues the statement whose
    last piece is in sentence ``at``: the sentence right after it, opening with the quote, in
    the same paragraph or opening the next ("“…,” she said. “…”")."""
    here = parsed[i]
    assert here is not None
    before = parsed[at]
    opening = text[here.sentence.span.start : quote.start]
    return (
        at == i - 1
        and before is not None
        and not before.sentence.text.rstrip().endswith(":")
        and not any(c.isalnum() for c in opening)
    )


def _cue_text(cue: Token | str | None) -> str | None:
    if cue is None or isinstance(cue, str):
        return cue
    return "according to" if cue.lower_ == "according" else cue.text


def _colon_speaker(
    text: str, sentence: Sentence, quote: Span, ents: Sequence[Entity]
) -> tuple[str, Span] | None:
    """The speaker of "Jane Doe: “…”": a person or organisation named right before a colon
    that the quote follows, the name opening its sentence or a segment after a dash."""
    head = text[sentence.span.start : quote.start].rstrip(" \u00a0\"“”'‘`")
    if not head.endswith(":"):
        return None
    colon = sentence.span.start + len(head) - 1
    for ent in ents:
        if ent.label in ("PERSON", "ORG") and 0 <= colon - ent.span.end <= 1:
            before = text[sentence.span.start : ent.span.start].rstrip()
            if not before or before.endswith(_SEGMENT_ENDS):
                return ent.text, ent.span
    # a name the parse did not tag: two to four capitalised words, not all capitals
    match = _COLON_NAME.search(text, sentence.span.start, colon + 1)
    if match and not match.group(1).isupper():
        return match.group(1), Span(start=match.start(1), end=match.end(1))
    return None


_SEGMENT_ENDS = ("-", "—", "–", "•", "*", "|")
_COLON_NAME = re.compile(
    r"(?:^|(?<=[-—–•*|]\s)|(?<=^\s))((?:[A-Z][\w.’'-]*\s){1,3}[A-Z][\w.’'-]*)\s?:$", re.M
)


def _no_comment(
    doc: Doc, sentence: Sentence, ents: Sequence[Entity], speakers: _Speakers
) -> Quote | None:
    """The sentence as a statement that its subject declined to comment, when it says so."""
    match = _NO_COMMENT.search(sentence.text)
    if match is None:
        return None
    at = sentence.span.start + match.start()
    verb = next((t for t in doc if t.idx >= at and t.pos_ in ("VERB", "AUX")), None)
    subject = (
        _subject(verb.head if verb is not None and verb.dep_ == "aux" else verb) if verb else None
    )
    if (
        subject is None
        or subject.lower_ in PRONOUNS
        or subject.pos_ not in ("PROPN", "NOUN")
        or _not_a_speaker(subject, ents)
    ):
        return None
    speaker = speakers.name(subject, ents)
    return Quote(
        article_id=sentence.article_id,
        sentence=sentence.index,
        content=sentence.span,
        text=sentence.text,
        direct=False,
        speaker=speaker[0],
        speaker_span=speaker[1],
        cue=NO_COMMENT,
    )


def _fragment(text: str, quote: Span, cues: Sequence[Token], quotes: Sequence[Span]) -> bool:
    """A few quoted words that do not end a sentence, nor a clause that a cue follows ("“We
    are ready,” she said", but not "a “misalignment,” noting that “…”"): a phrase, not a
    statement."""
    words = quote.of(text)
    # the span is stripped of a trailing comma: look past it
    ends = (
        words.rstrip()[-1:] in ".?!"
        or (
            text[quote.end : quote.end + 1] in (",", ";", ":")
            and any(
                0 <= c.idx - quote.end <= CUE_AFTER_CHARS
                # …, noting that “…”: that cue introduces the next quote, not this one
                and not any(
                    0 <= q.start - c.idx <= CUE_AFTER_CHARS // 2
                    and "," not in text[c.idx : q.start]
                    for q in quotes
                )
                for c in cues
            )
        )
    )
    return len(words.split()) < FRAGMENT_WORDS and not ends


def _sentence_of(token: Token, sents: Sequence[Sentence]) -> int:
    return next((s.index for s in sents if s.span.start <= token.idx < s.span.end), sents[0].index)


def _distance(offset: int, span: Span) -> int:
    return span.start - offset if offset < span.start else offset - span.end


def _reported(cue: Token, sentence: Sentence) -> Span | None:
    """The clause a cue verb reports: its clausal complement, without the leading "that"; for
    "according to X", the sentence without that phrase."""
    if cue.lower_ == "according":
        end = cue.idx
        while end > sentence.span.start and sentence.text[end - sentence.span.start - 1] in " ,;":
            end -= 1
        return Span(start=sentence.span.start, end=end) if end > sentence.span.start else None
    for child in cue.children:
        if child.dep_ == "ccomp":
            tokens = [t for t in child.subtree if not (t.dep_ == "mark" and t.lower_ == "that")]
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
            if end - start > 10 and sentence.span.start <= start and end <= sentence.span.end:
                return Span(start=start, end=end)
    if cue.lower_ in STANCE_FORMS:
        # "criticized the plan as a giveaway", "vowed to fight on": what follows the verb
        right = [c for c in cue.rights if c.dep_ in _STANCE_DEPS]
        if right:
            tokens = [t for c in right for t in c.subtree]
            start = min(t.idx for t in tokens)
            end = max(t.idx + len(t) for t in tokens)
            if len(tokens) >= 2 and sentence.span.start <= start and end <= sentence.span.end:
                return Span(start=start, end=end)
    return None
