"""Summary harness: how close the brief's prose comes to human summaries, against extractive
baselines on the same sentences, and whether every brief item is grounded in what it cites.

    .venv/bin/python bench/summaries.py [--data DIR] [--floors bench/floors.toml]
        [--sets multinews,allsides,background] [--limit N] [--oracle]

Sets (each read from DIR, skipped with a note when missing):
- multinews/multinews.jsonl: the documents of a cluster (each its own outlet, undated) against
  the human summary;
- allsides/allsides.jsonl: the lead paragraphs of a left, a centre and a right outlet against
  the AllSides editors' neutral roundup;
- background/background.jsonl: for every BACKGROUND_EVERY-th step of each event, the dated
  timeline updates before it (each an article of its date) against the annotators' background
  summaries of that step (the best of the three references counts, rouge-score's
  score_multi). Here the brief's The Story So Far alone is scored, as the issue asks.

Systems, each given the same sentences (newsbrief's sentence split of the same articles) and
the same budget, the first BUDGET_WORDS words of its output:
- newsbrief: Executive Summary, The Story So Far and Why This Matters, in that order;
- lead: the first sentences of each article, round-robin;
- lexrank and textrank: sumy's summarizers, sentences taken in rank order up to the budget and
  given in document order;
- mmr: maximal marginal relevance over MiniLM vectors (newsbrief's encoder): relevance is the
  cosine to the centroid of the story's sentences, MMR_LAMBDA against redundancy;
- oracle (--oracle, slow): greedy extractive upper bound, adding the sentence that most raises
  ROUGE-1 + ROUGE-2 F1 against the reference while any does.
ROUGE-1/2/L F1 × 100 with rouge-score's Porter stemmer, averaged over stories.

Grounding audit, over every item of every section of newsbrief's briefs:
- supported: each piece of the item's text (its quoted parts, and the words between them) is
  found in one of the spans it cites, word for word or as a compression (its words in order,
  some dropped); notes the brief adds ("(sources differ on this; …)") are not text of a
  source. Where Sources Differ items are checked on their quoted versions only, the rest being
  outlet names;
- altered quotes: quoted parts not found verbatim in a cited span (must be 0);
- uncited: items without a citation (must be 0);
- settled: items citing a sentence that Where Sources Differ disputes, without the note that
  sources differ (must be 0).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from rouge_score import rouge_scorer

import floors
from compare import allsides, multinews
from newsbrief import nlp, pipeline
from newsbrief.brief.compose import DISPUTED_NOTE, compose
from newsbrief.errors import InputError
from newsbrief.ingest import prepare
from newsbrief.records import PART_JOIN, Analysis, Article, Brief, BriefItem, RawArticle
from newsbrief.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_FLOORS = Path(__file__).resolve().with_name("floors.toml")
console = Console(highlight=False)

BUDGET_WORDS = 250  # the budget, the usual one on Multi-News
PROSE = ("executive_summary", "story_so_far", "why_it_matters")
# MMR's trade between relevance and novelty; 0.7 is the common default (Carbonell and Goldstein
# 1998 use 0.3-0.7); not tuned here.
MMR_LAMBDA = 0.7
# One background step in this many is scored, each event's steps spread over its timeline (the
# set has 1,091 steps × 3 annotators; every step would take an hour).
BACKGROUND_EVERY = 8
SYSTEMS = ("newsbrief", "lead", "lexrank", "textrank", "mmr")

# What the brief adds to a source's words: notes, not text to find in a citation.
_NOTES = re.compile(r"\s*\((?:sources differ on this|one source)[^)]*\)|\s*_\(one source\)_")
_QUOTED = re.compile(r"[“\"]([^“”\"]+)[”\"]")
_WORD = re.compile(r"[\w’'-]+")


@dataclass(frozen=True, slots=True)
class Story:
    name: str
    articles: list[Article]
    references: list[str]
    sections: tuple[str, ...] = PROSE


def multinews_stories(data: Path) -> list[Story] | None:
    loaded = multinews(data)
    if loaded is None:
        return None
    summaries = {
        f"multinews {c['id'][:8]}": c["summary"]
        for c in map(json.loads, (data / "multinews" / "multinews.jsonl").open(encoding="utf-8"))
    }
    return [Story(name, articles, [summaries[name]]) for name, articles in loaded]


def allsides_stories(data: Path) -> list[Story] | None:
    loaded = allsides(data)
    if loaded is None:
        return None
    roundups = {}
    for line in (data / "allsides" / "allsides.jsonl").open(encoding="utf-8"):
        story = json.loads(line)
        roundups[f"allsides {story['id']}"] = story["target"]
    return [Story(name, articles, [roundups[name]]) for name, articles in loaded if articles]


def background_stories(data: Path) -> list[Story] | None:
    path = data / "background" / "background.jsonl"
    if not path.exists():
        return None
    steps: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
    updates: dict[str, dict[int, tuple[str, str]]] = defaultdict(dict)
    for line in path.open(encoding="utf-8"):
        row = json.loads(line)
        updates[row["event"]][row["step"]] = (row["date"], row["update"])
        if row["background"].strip():
            steps[(row["event"], row["step"])][row["annotator"]] = row["background"]
    stories = []
    for (event, step), backgrounds in sorted(steps.items()):
        if step % BACKGROUND_EVERY or step == 0:
            continue
        articles = []
        for n, (day, text) in sorted(updates[event].items()):
            if n >= step:
                break
            raw = RawArticle(
                origin=f"{event}/{n}",
                title=text.split(". ")[0][:120],
                text=text,
                outlet=f"update {n}",
                published=day,
            )
            try:
                articles.append(prepare(raw))
            except InputError:
                continue  # an update too short to be an article ("only image caption")
        stories.append(
            Story(
                f"background {event} {step}",
                articles,
                list(backgrounds.values()),
                ("story_so_far",),
            )
        )
    return stories


LOADERS: dict[str, Callable[[Path], list[Story] | None]] = {
    "multinews": multinews_stories,
    "allsides": allsides_stories,
    "background": background_stories,
}


# --- systems -------------------------------------------------------------------------------


def budget(texts: Sequence[str], words: int = BUDGET_WORDS) -> str:
    out: list[str] = []
    for text in texts:
        out += text.split()
        if len(out) >= words:
            break
    return " ".join(out[:words])


def brief_text(brief: Brief, sections: Sequence[str]) -> str:
    by_key = {s.key: s for s in brief.sections}
    return budget([_NOTES.sub("", i.text) for key in sections for i in by_key[key].items])


def sentences_of(analyses: Sequence[Analysis]) -> list[list[str]]:
    """Each article's sentences, headings aside."""
    return [[s.text for s in a.sentences if s.role != "heading"] for a in analyses]


def lead(per_article: list[list[str]]) -> str:
    order = [
        doc[i]
        for i in range(max(map(len, per_article), default=0))
        for doc in per_article
        if i < len(doc)
    ]
    return budget(order)


def ranked(per_article: list[list[str]], kind: str) -> str:
    """sumy's LexRank or TextRank over the given sentences: rank order up to the budget, given
    in document order."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    tokenizer = _Words()
    document = ObjectDocumentModel(
        [Paragraph([Sentence(s, tokenizer) for s in doc]) for doc in per_article if doc]
    )
    summarizer = (LexRankSummarizer if kind == "lexrank" else TextRankSummarizer)(
        Stemmer("english")
    )

    def within_budget(infos: list[object]) -> list[object]:
        taken, words = [], 0
        for info in infos:
            if words >= BUDGET_WORDS:
                break
            taken.append(info)
            words += len(str(info.sentence).split())  # type: ignore[attr-defined]
        return taken

    return budget([str(s) for s in summarizer(document, within_budget)])


class _Words:
    """sumy's tokenizer interface over sentences already split (sumy's own needs NLTK data)."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        return [paragraph]

    def to_words(self, sentence: str) -> list[str]:
        return _WORD.findall(sentence)


def mmr(per_article: list[list[str]], encode: Callable[[Sequence[str]], np.ndarray]) -> str:
    sentences = [s for doc in per_article for s in doc if len(s.split()) >= 5]
    if not sentences:
        return ""
    vectors = encode(sentences)
    centroid = vectors.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    relevance = vectors @ centroid
    chosen: list[int] = []
    words = 0
    while words < BUDGET_WORDS and len(chosen) < len(sentences):
        redundancy = (vectors @ vectors[chosen].T).max(axis=1) if chosen else 0.0
        score = MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * redundancy
        score[chosen] = -np.inf
        best = int(np.argmax(score))
        chosen.append(best)
        words += len(sentences[best].split())
    return budget([sentences[i] for i in chosen])


def oracle(
    per_article: list[list[str]], references: list[str], scorer: rouge_scorer.RougeScorer
) -> str:
    sentences = [s for doc in per_article for s in doc]
    chosen: list[int] = []
    best = 0.0
    while True:
        gains = []
        for i, _ in enumerate(sentences):
            if i in chosen:
                continue
            text = budget([sentences[j] for j in [*chosen, i]])
            s = scorer.score_multi(references, text)
            gains.append((s["rouge1"].fmeasure + s["rouge2"].fmeasure, i))
        if not gains:
            break
        score, i = max(gains)
        if score <= best or len(budget([sentences[j] for j in chosen]).split()) >= BUDGET_WORDS:
            break
        best = score
        chosen.append(i)
    return budget([sentences[j] for j in chosen])


# --- grounding -----------------------------------------------------------------------------


@dataclass
class Audit:
    items: int = 0
    supported: int = 0
    quotes: int = 0
    altered: int = 0
    uncited: int = 0
    settled: int = 0  # items stating a disputed sentence with no note that sources differ


def audit(brief: Brief, into: Audit) -> list[str]:
    """Count the brief's items into ``into``; the texts of unsupported items, for --show."""
    unsupported = []
    disputed = {
        (c.article_id, c.start)
        for section in brief.sections
        if section.key == "sources_differ"
        for item in section.items
        for c in item.citations
    }
    for section in brief.sections:
        for item in section.items:
            into.items += 1
            if (
                section.key != "sources_differ"
                and any((c.article_id, c.start) in disputed for c in item.citations)
                and DISPUTED_NOTE not in item.text
            ):
                into.settled += 1
                unsupported.append(f"[{section.key}] disputed, stated as settled: {item.text}")
            if not item.citations:
                into.uncited += 1
                unsupported.append(f"[{section.key}] uncited: {item.text[:160]}")
                continue
            ok, quotes, altered = grounded(item, quotes_only=section.key == "sources_differ")
            into.quotes += quotes
            into.altered += altered
            into.supported += ok
            if not ok:
                unsupported.append(f"[{section.key}] {item.text[:200]}")
    return unsupported


def grounded(item: BriefItem, *, quotes_only: bool) -> tuple[bool, int, int]:
    """(supported, quoted parts, altered quoted parts) of one item (see the module doc)."""
    cited = [_norm(c.text) for c in item.citations]
    text = _NOTES.sub("", item.text)
    quotes = [p for m in _QUOTED.finditer(text) for p in m[1].split(PART_JOIN.strip())]
    quotes = [q.strip(" ,.") for q in quotes if q.strip(" ,.")]
    altered = sum(not any(_norm(q) in c for c in cited) for q in quotes)
    rest = [] if quotes_only else [p for p in _QUOTED.split(text)[::2] if _WORD.search(p)]
    # _QUOTED.split keeps the captured quotes at odd places; the even ones are the words around
    supported = altered == 0 and all(any(_compressed(p, c) for c in cited) for p in rest)
    return supported, len(quotes), altered


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def _compressed(part: str, cited: str) -> bool:
    """Whether the words of ``part`` occur in ``cited`` in order (a compression of it)."""
    words = [w.lower() for w in _WORD.findall(part.replace("’", "'"))]
    source = iter(w.lower() for w in _WORD.findall(cited))
    return all(any(w == s for s in source) for w in words)


# --- main ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS)
    parser.add_argument("--sets", default=",".join(LOADERS), help="Comma-separated set names.")
    parser.add_argument("--limit", type=int, default=0, help="Stories of each set (0: all).")
    parser.add_argument("--oracle", action="store_true", help="Also the greedy oracle (slow).")
    parser.add_argument("--show", type=int, default=0, help="Print N unsupported items.")
    args = parser.parse_args(argv)
    settings = load_settings(env={}, db=":memory:")
    encoder = nlp.load_encoder(settings)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    systems = (*SYSTEMS, "oracle") if args.oracle else SYSTEMS
    table = Table(title=f"ROUGE F1 × 100 of the first {BUDGET_WORDS} words against human summaries")
    for col in ("set", "stories", "system", "R1", "R2", "RL", "s"):
        table.add_column(col, justify="right")
    grounding = Audit()
    unsupported: list[str] = []
    scores: dict[str, float] = {}
    for name in args.sets.split(","):
        stories = LOADERS[name](args.data)
        if stories is None:
            console.print(f"[yellow]skipped {name}: no data under {args.data / name}[/]")
            continue
        stories = stories[: args.limit] if args.limit else stories
        every = [a for story in stories for a in story.articles]
        analysed = iter(pipeline.analyse(every, settings, workers=nlp.processes(settings)))
        totals: dict[str, list[float]] = {s: [0.0, 0.0, 0.0] for s in systems}
        seconds: dict[str, float] = defaultdict(float)
        for story in stories:
            analyses = [next(analysed) for _ in story.articles]
            per_article = sentences_of(analyses)
            for system in systems:
                started = time.perf_counter()
                if system == "newsbrief":
                    brief = compose(analyses, encoder=encoder)
                    text = brief_text(brief, story.sections)
                    unsupported += audit(brief, grounding)
                elif system == "lead":
                    text = lead(per_article)
                elif system in ("lexrank", "textrank"):
                    text = ranked(per_article, system)
                elif system == "mmr":
                    text = mmr(per_article, encoder.encode)
                else:
                    text = oracle(per_article, story.references, scorer)
                seconds[system] += time.perf_counter() - started
                s = scorer.score_multi(story.references, text)
                for k, key in enumerate(("rouge1", "rouge2", "rougeL")):
                    totals[system][k] += 100 * s[key].fmeasure
        for system in systems:
            r1, r2, rl = (t / len(stories) for t in totals[system])
            scores[f"{name}_{system}_r1"] = r1
            table.add_row(
                name, str(len(stories)), system, f"{r1:.1f}", f"{r2:.1f}", f"{rl:.1f}",
                f"{seconds[system]:.0f}",
            )  # fmt: skip
        best_baseline = max(scores[f"{name}_{s}_r1"] for s in SYSTEMS[1:])
        scores[f"{name}_r1_over_baselines"] = scores[f"{name}_newsbrief_r1"] - best_baseline
    console.print(table)
    supported = grounding.supported / grounding.items if grounding.items else 0.0
    console.print(
        f"grounding: {grounding.supported} of {grounding.items} items supported by their"
        f" citations ({supported:.3f}); {grounding.altered} altered of {grounding.quotes} quoted"
        f" parts; {grounding.uncited} items without a citation; {grounding.settled} disputed"
        " items stated as settled"
    )
    for line in unsupported[: args.show]:
        console.print(f"  [dim]{line}[/]")
    scores |= {
        "supported": supported,
        "altered_quotes": grounding.altered,
        "uncited_items": grounding.uncited,
        "settled_disputes": grounding.settled,
    }
    return floors.check("summaries", scores, args.floors, console)


if __name__ == "__main__":
    sys.exit(main())
