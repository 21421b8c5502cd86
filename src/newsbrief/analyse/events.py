"""Events: what each sentence says happened — the action, who did it and to whom, where, when
and how many — with the span of each part, so that comparing sources, the timeline and
clustering can ask whether two sentences tell one event.

One event a sentence: its main clause. A reporting verb is not the event ("Police said 89
people were arrested" is an arrest), nor is a sentence's lead-in ("According to …"). Parts:
- the action: the main verb, as a stem with its particle ("arrest", "hand over"), and whether
  the clause negates it ("has not commented");
- the agent (the verb's subject) and the patient (its object, or the subject of a passive), as
  the entity they hold when they hold one, else their head noun phrase;
- places: the places the sentence names outside quotations (GPE, LOC, FAC entities);
- time: the date the sentence gives, resolved as the timeline resolves it (analyse.timeline);
- figures: the sentence's figures with their units (analyse.figures);
- verbs: the verbs of its other clauses, where a sentence may tell its fact too ("an earlier
  meeting …, which yielded no progress").
The parse errs on long sentences; a part the parse does not give is left out, never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from newsbrief.analyse.figures import figures
from newsbrief.analyse.lexicon import fold
from newsbrief.analyse.quotes import CUE_FORMS
from newsbrief.records import Argument, DatedEvent, Entity, Event, Quote, Sentence, Span
from newsbrief.terms import stem

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_PLACES = frozenset({"GPE", "LOC", "FAC"})
_NAMED = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})
_SUBJECTS = frozenset({"nsubj", "csubj"})
_PASSIVE_SUBJECTS = frozenset({"nsubjpass", "csubjpass"})
_OBJECTS = frozenset({"dobj", "attr", "oprd"})
_NEGATIONS = frozenset({"not", "n't", "never", "no"})
# An argument's text is cut to its head's first words: a clause hanging off it is not the
# participant ("the man who …").
ARGUMENT_WORDS = 8


def find_events(
    doc: Doc,
    text: str,
    sents: Sequence[Sentence],
    ents: Sequence[Entity],
    quotes: Sequence[Quote],
    dated: Sequence[DatedEvent],
) -> list[Event]:
    """The event of each sentence of one parsed article that has a main verb (headings and
    verbless lines have none)."""
    quoted = [p for q in quotes if q.direct for p in q.pieces]
    by_sentence: dict[int, list[Entity]] = {}
    for e in ents:
        by_sentence.setdefault(e.sentence, []).append(e)
    times: dict[int, DatedEvent] = {}
    for day in dated:
        if day.start is not None and day.granularity != "relative":
            times.setdefault(day.sentence, day)  # the first date of a sentence dates its event
    tokens = list(doc)
    out = []
    position = 0
    for s in sents:
        while position < len(tokens) and tokens[position].idx < s.span.start:
            position += 1
        end = position
        while end < len(tokens) and tokens[end].idx < s.span.end:
            end += 1
        words = tokens[position:end]
        verb = _main_verb(words, s.span)
        if verb is None or s.role == "heading":
            continue
        arguments: list[Argument] = []
        for role, head in _participants(verb):
            if s.span.start <= head.idx < s.span.end:
                arguments.append(_argument(role, head, by_sentence.get(s.index, ()), s.span))
        for e in by_sentence.get(s.index, ()):
            if e.label in _PLACES and not any(e.span in p for p in quoted):
                arguments.append(_named("place", e))
        when = times.get(s.index)
        if when is not None and when.start is not None:
            value = f"{when.start.isoformat()} {when.granularity}"
            arguments.append(
                Argument(role="time", span=when.expression, text=when.said, value=value)
            )
        for other in _clause_verbs(words, verb):
            arguments.append(
                Argument(role="verb", span=Span(start=other.idx, end=other.idx + len(other.text)),
                         text=other.text, value=stem(other.text))
            )  # fmt: skip
        for f in figures(s.text, s.span.start):
            value = f"{f.hedge} {f.value:g} {f.unit}"
            arguments.append(
                Argument(role="figure", span=Span(start=f.start, end=f.end), text=f.text,
                         value=value)
            )  # fmt: skip
        out.append(
            Event(
                article_id=s.article_id,
                sentence=s.index,
                action=_action(verb),
                span=Span(start=verb.idx, end=verb.idx + len(verb.text)),
                negated=_negated(verb),
                arguments=tuple(arguments),
            )
        )
    return out


def _main_verb(words: Sequence[Token], span: Span) -> Token | None:
    """The verb of a sentence's main clause, past a reporting verb to what is reported."""
    roots = [t for t in words if t.dep_ == "ROOT" and t.pos_ in ("VERB", "AUX")]
    if not roots:
        return None
    verb = roots[0]
    for _ in range(3):
        if verb.text.lower() not in CUE_FORMS:
            break
        reported = [
            c for c in verb.children if c.dep_ in ("ccomp", "xcomp") and c.pos_ in ("VERB", "AUX")
        ]
        if not reported:
            break
        verb = reported[0]
    if not span.start <= verb.idx < span.end:
        return None
    return verb


_CLAUSES = frozenset({"ROOT", "conj", "ccomp", "relcl", "acl", "advcl", "xcomp", "parataxis"})


def _clause_verbs(words: Sequence[Token], main: Token) -> list[Token]:
    """The verbs of the sentence's other clauses ("an earlier meeting …, which yielded no
    progress"): one sentence may tell its fact in any of them."""
    return [
        t
        for t in words
        if t is not main
        and t.pos_ == "VERB"
        and t.dep_ in _CLAUSES
        and t.text.lower() not in CUE_FORMS
    ]


def _action(verb: Token) -> str:
    particles = [c.text.lower() for c in verb.children if c.dep_ == "prt"]
    return " ".join([stem(verb.text), *particles])


def _negated(verb: Token) -> bool:
    return any(
        c.dep_ == "neg" or c.text.lower() in _NEGATIONS
        for c in verb.children
        if c.dep_ in ("neg", "advmod", "det")
    )


def _participants(verb: Token) -> list[tuple[str, Token]]:
    out = []
    for child in verb.children:
        if child.dep_ in _SUBJECTS:
            out.append(("agent", child))
        elif child.dep_ in _PASSIVE_SUBJECTS or child.dep_ in _OBJECTS:
            out.append(("patient", child))
        elif child.dep_ == "agent":  # "by the police"
            out += [("agent", c) for c in child.children if c.dep_ == "pobj"]
    return out


def _argument(role: str, head: Token, ents: Sequence[Entity], sentence: Span) -> Argument:
    """A participant: the named entity its phrase holds, else its first ARGUMENT_WORDS words
    from the phrase's start to its head."""
    subtree = list(head.subtree)
    for e in ents:
        if e.label in _NAMED and e.span.start <= head.idx < e.span.end:
            return _named(role, e)
    inside = [t for t in subtree if sentence.start <= t.idx < sentence.end]
    first = inside[0]  # the head itself is inside
    last = head if head.i - first.i < ARGUMENT_WORDS else inside[ARGUMENT_WORDS - 1]
    span = Span(start=first.idx, end=last.idx + len(last.text))
    text = first.doc.text[span.start : span.end]
    return Argument(role=role, span=span, text=text, value=stem(head.text))  # type: ignore[arg-type]


def _named(role: str, e: Entity) -> Argument:
    return Argument(role=role, span=e.span, text=e.text, value=fold(e.text))  # type: ignore[arg-type]
