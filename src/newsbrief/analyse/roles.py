"""Roles: the titles and roles a source gives a person, each kept with the sentence that states
it, so that roles can be shown with their source and compared across sources ("former US
President Donald Trump" against "President Donald Trump").

Two forms are read, outside quotation marks:
- a title before the name: "Kremlin spokesperson Dmitry Peskov", "Hungarian Foreign Minister
  Péter Szijjártó", "former US President Donald Trump", "Secretary of State Marco Rubio";
- an appositive after it: "andrii Sybiha, Ukraine’s foreign minister, …", "Dmitry Peskov, the
  Kremlin's spokesman".
A role names a position: it holds one of lexicon.TITLE_NOUNS. A statement whose speaker is a
title alone ("the foreign minister said") is then given to the person the article names with
that title (analyse.speakers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from newsbrief.analyse.lexicon import TITLE_MODIFIERS, TITLE_NOUNS, fold
from newsbrief.records import Entity, Quote, Role, Sentence, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

APPOSITIVE_MAX_WORDS = 10
_DETERMINERS = frozenset({"the", "a", "an"})
_POSSESSIVE = frozenset({"'s", "’s"})


def find_roles(
    doc: Doc,
    text: str,
    sents: Sequence[Sentence],
    ents: Sequence[Entity],
    quotes: Sequence[Quote],
) -> list[Role]:
    """Roles stated in one parsed article, for its people: the persons the parse tags and the
    named speakers of its statements."""
    quoted = [p for q in quotes if q.direct for p in q.pieces]
    mentions = {e.span: e.text for e in ents if e.label == "PERSON"}
    for quote in quotes:  # named speakers the parse did not tag ("andrii Sybiha")
        said = quote.speaker_span.of(text) if quote.speaker_span else ""
        if said.split() and said.split()[-1][:1].isupper() and not title_words(said):
            mentions.setdefault(quote.speaker_span, said)  # type: ignore[arg-type]
    sentence_at = {s.index: s for s in sents}
    out: list[Role] = []
    seen: set[tuple[int, int]] = set()
    for span, name in sorted(mentions.items(), key=lambda kv: kv[0].start):
        if any(p.start <= span.start < p.end for p in quoted):
            continue
        sentence = next((s for s in sents if s.span.start <= span.start < s.span.end), None)
        if sentence is None or sentence.index not in sentence_at:
            continue
        first = doc.char_span(span.start, span.end, alignment_mode="expand")
        if first is None or len(first) == 0:
            continue
        for role in (_before(first[0], sentence), _after(first[-1], sentence, text)):
            if role is None or (role.start, role.end) in seen:
                continue
            seen.add((role.start, role.end))
            out.append(
                Role(
                    article_id=sentence.article_id,
                    sentence=sentence.index,
                    person=name,
                    person_span=span,
                    role=role.of(text),
                    span=role,
                )
            )
    return out


def _is_title(token: Token) -> bool:
    return token.lower_.rstrip(".") in TITLE_NOUNS


def _before(first: Token, sentence: Sentence) -> Span | None:
    """The title right before a name: capitalised words, title words and their modifiers, a
    possessive or "of" between capitalised words ("Secretary of State")."""
    run: list[Token] = []
    token = first
    while token.i > 0:
        prev = token.doc[token.i - 1]
        if prev.idx < sentence.span.start:
            break
        word = prev.lower_
        if (
            _is_title(prev)
            or word in TITLE_MODIFIERS
            or (prev.text[:1].isupper() and prev.pos_ in ("PROPN", "ADJ", "NOUN"))
            or (word in _POSSESSIVE and run)
            or (prev.text == "-" and run and prev.i > 0 and prev.doc[prev.i - 1].is_alpha)
            or (word in ("of", "for") and run and run[0].text[:1].isupper() and prev.i > 0)
        ):
            run.insert(0, prev)
            token = prev
        else:
            break
    while run and run[0].lower_ in ("of", "for", *_POSSESSIVE):
        run.pop(0)
    if not run or not any(_is_title(t) for t in run):
        return None
    return Span(start=run[0].idx, end=run[-1].idx + len(run[-1]))


def _after(last: Token, sentence: Sentence, text: str) -> Span | None:
    """The appositive right after a name: ", Ukraine’s foreign minister," up to the next comma
    or the end of the sentence; it holds a title word and no verb."""
    doc = last.doc
    if last.i + 2 >= len(doc) or doc[last.i + 1].text != ",":
        return None
    words: list[Token] = []
    for token in doc[last.i + 2 : last.i + 2 + APPOSITIVE_MAX_WORDS + 1]:
        if token.idx >= sentence.span.end or (token.is_punct and token.text not in ("-", "'")):
            break
        if token.pos_ in ("VERB", "AUX", "PRON") or token.lower_ in ("who", "which", "that"):
            return None
        words.append(token)
    else:
        return None  # no end in sight: not an appositive
    while words and words[0].lower_ in _DETERMINERS:
        words.pop(0)
    if not words or not any(_is_title(t) for t in words) or len(words) > APPOSITIVE_MAX_WORDS:
        return None
    return Span(start=words[0].idx, end=words[-1].idx + len(words[-1]))


def _words(role: str) -> list[str]:
    return fold(role).replace("’s", "").replace("'s", "").split()


def title_words(speaker: str | None) -> set[str]:
    """The words of a speaker that is a title alone ("foreign minister"), else nothing."""
    if not speaker:
        return set()
    words = [w for w in _words(speaker) if w not in _DETERMINERS]
    return set(words) if words and words[-1].rstrip(".") in TITLE_NOUNS else set()
