"""Timeline harness: entity timelines on SemEval-2015 Task 4 (TimeLine, Track A: raw text),
and the dates our time expressions resolve to.

    .venv/bin/python bench/timeline.py [--data DIR] [--floors bench/floors.toml] [--show N]

DIR/timeline/docs.jsonl holds Wikinews documents (one sentence a line, the document creation
date as publication date) and DIR/timeline/gold_timelines.jsonl the gold timeline of each
target entity: its events ("docid-sentence-word"), each with a date (YYYY-MM-DD, YYYY-MM-XX,
YYYY-XX-XX or XXXX-XX-XX) and a position.

Our timeline of an entity: every sentence that names it (its full name, or a person's
surname); the event is the verb that governs the mention; its date is the time expression of
the sentence resolved by newsbrief.analyse.timeline (the one the brief's Timeline uses), else the
publication date for a verb in the past tense, else none. Events are ordered by date; events of
one date are simultaneous; undated events are left out of the order, as the gold's position-0
events are.

Score: the task's temporal awareness (UzZaman & Allen 2011) over each timeline turned into a
graph: events of one position (with their date as a node) are simultaneous, positions in order
are before one another. Precision is the share of our relations implied by the gold graph,
recall the share of gold relations implied by ours; relations are those between neighbouring
positions and within one position (the official scorer, not part of the data copy, reduces the
graphs with its own closure tool: the figure is comparable to the published ones, not equal).
Published best on raw text: F1 7.85 (Minard et al. 2015).

Date accuracy: over gold events we also place, with a gold date, the share whose date we give
equals it at the gold's granularity. ``--show N`` prints N resolved expressions with their
sentence and publication date, for a hand check.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

import floors
from newsbrief import nlp
from newsbrief.analyse.timeline import dated_events
from newsbrief.records import Article, Block, DatedEvent, Entity, Granularity, Span, content_id
from newsbrief.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_FLOORS = Path(__file__).resolve().with_name("floors.toml")
console = Console(highlight=False)

Timeline = list[tuple[str, list[str]]]  # (date, event ids) in order


def article_of(doc: dict[str, object]) -> tuple[Article, list[Span]]:
    """The document as one article, a block a sentence, and the span of each sentence."""
    lines = [str(s) for s in doc["sentences"]]  # type: ignore[attr-defined]
    spans, start = [], 0
    for line in lines:
        spans.append(Span(start=start, end=start + len(line)))
        start += len(line) + 1
    text = "\n".join(lines)
    article = Article(
        id=content_id(str(doc["doc_id"]), text),
        title=str(doc["title"]),
        text=text,
        outlet=None,
        url=None,
        published=dct(str(doc["dct"])),
        origin=str(doc["doc_id"]),
        blocks=tuple(Block(span=s, kind="paragraph") for s in spans if s.end > s.start),
    )
    return article, spans


def dct(value: str) -> str:
    """The creation date as ISO: one document writes it DD-MM-YYYY (its date line says
    "February 03 , 2009" for 03-02-2009)."""
    if value[:4].isdigit():
        return value
    day, month, year = value.split("-")
    return f"{year}-{month}-{day}"


def date_string(start: date, granularity: str) -> str:
    if granularity == "day":
        return start.isoformat()
    if granularity in ("month", "week"):
        return f"{start.year:04d}-{start.month:02d}-XX"
    return f"{start.year:04d}-XX-XX"


def names_of(entity: str) -> list[str]:
    """How a text names a target entity: its name, and a person's surname."""
    words = entity.split()
    out = [entity.lower()]
    if len(words) == 2 and all(w[:1].isupper() and w.isalpha() for w in words):
        out.append(words[-1].lower())
    return out


def relations(timeline: Timeline) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    """(neighbouring relations, every relation implied) of an ordered timeline whose dates
    are nodes of their own."""
    groups = [
        sorted({*events, f"T:{d}"} if "X" not in d[:4] else set(events)) for d, events in timeline
    ]
    near: set[tuple[str, str, str]] = set()
    implied: set[tuple[str, str, str]] = set()
    for i, group in enumerate(groups):
        same = {(a, b, "=") for a in group for b in group if a < b}
        near |= same
        implied |= same
        for j, later in enumerate(groups[i + 1 :], i + 1):
            pairs = {(a, b, "<") for a in group for b in later if a != b}
            implied |= pairs
            if j == i + 1:
                near |= pairs
    return near, implied


def gold_timeline(entry: dict[str, object]) -> tuple[Timeline, dict[str, str]]:
    by_order: dict[int, list[tuple[str, list[str]]]] = defaultdict(list)
    dates: dict[str, str] = {}
    for slot in entry["timeline"]:  # type: ignore[attr-defined]
        for event in slot["events"]:
            dates[event] = slot["date"]
        if slot["order"] > 0:
            by_order[slot["order"]].append((slot["date"], slot["events"]))
    timeline = [
        (slots[0][0], [e for _, events in slots for e in events])
        for _, slots in sorted(by_order.items())
    ]
    return timeline, dates


def our_timeline(
    entity: str,
    parsed: Sequence[tuple[dict[str, object], Article, list[Span], object, list[DatedEvent]]],
) -> tuple[Timeline, dict[str, str]]:
    names = names_of(entity)
    dated: dict[str, tuple[date, str]] = {}
    for doc, article, spans, parse, events in parsed:
        published = article.published_date
        assert published is not None
        by_line: dict[int, tuple[date, Granularity]] = {}
        for event in events:
            if event.start is None:
                continue  # relative: it gives no date
            line = next(i for i, s in enumerate(spans) if s.start <= event.expression.start < s.end)
            by_line.setdefault(line, (event.start, event.granularity))
        for i, span in enumerate(spans):
            said = article.text[span.start : span.end].lower()
            if i < 2 or not any(f" {n} " in f" {said} " for n in names):
                continue  # the title and the date line are no events
            sent = parse.char_span(span.start, span.end, alignment_mode="expand")  # type: ignore[attr-defined]
            if sent is None:
                continue
            for token in sent:
                if not any(token.text.lower() == n.split()[0] for n in names):
                    continue
                verb = token
                while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
                    verb = verb.head
                if verb.pos_ not in ("VERB", "AUX"):
                    continue
                event_id = f"{doc['doc_id']}-{i}-{verb.text}"
                if i in by_line:
                    start, granularity = by_line[i]
                    dated[event_id] = (start, date_string(start, granularity))
                elif verb.tag_ in ("VBD", "VBN"):
                    dated[event_id] = (published, published.isoformat())
                else:
                    dated.setdefault(event_id, (date.min, "XXXX-XX-XX"))
    by_date: dict[tuple[date, str], list[str]] = defaultdict(list)
    for event_id, (start, label) in dated.items():
        if label != "XXXX-XX-XX":
            by_date[(start, label)].append(event_id)
    timeline = [(label, sorted(ids)) for (_, label), ids in sorted(by_date.items())]
    return timeline, {e: label for e, (_, label) in dated.items()}


def same_date(ours: str, gold: str) -> bool:
    """Equal at the gold's granularity (a gold YYYY-MM-XX needs our year and month)."""
    return all(g == "X" or o == g for o, g in zip(ours, gold, strict=True))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS)
    parser.add_argument("--show", type=int, default=0, help="Print N resolved expressions.")
    args = parser.parse_args(argv)
    folder = args.data / "timeline"
    if not (folder / "docs.jsonl").exists():
        console.print(f"[yellow]skipped timeline: no {folder / 'docs.jsonl'}[/]")
        return 0
    docs = [json.loads(line) for line in (folder / "docs.jsonl").open(encoding="utf-8")]
    golds = [json.loads(line) for line in (folder / "gold_timelines.jsonl").open(encoding="utf-8")]
    settings = load_settings(env={}, db=":memory:")
    started = time.perf_counter()
    pipeline = nlp.pipeline_for(settings)
    articles = [article_of(d) for d in docs]
    parsed = []
    for (doc, (article, spans)), (parse, _) in zip(
        zip(docs, articles, strict=True),
        nlp.parse(pipeline, ((a.text, a) for a, _ in articles), settings),
        strict=True,
    ):
        sents = nlp.sentences(parse, article)
        ents: list[Entity] = nlp.entities(parse, article, sents)
        parsed.append((doc, article, spans, parse, dated_events(article, ents, (), sents)))
    by_corpus: dict[int, list[tuple]] = defaultdict(list)  # type: ignore[type-arg]
    for item in parsed:
        by_corpus[int(item[0]["corpus"])].append(item)
    table = Table(title=f"SemEval-2015 Task 4 timelines ({len(docs)} documents)")
    for col in ("entity", "gold rel.", "our rel.", "P", "R", "F1", "dated events", "date acc."):
        table.add_column(col, justify="right")
    totals = [0, 0, 0, 0]  # hit_sys, sys, hit_gold, gold
    dates_right = dates_judged = 0
    for entry in golds:
        gold, gold_dates = gold_timeline(entry)
        ours, our_dates = our_timeline(entry["entity"], by_corpus[int(entry["corpus"])])
        g_near, g_all = relations(gold)
        o_near, o_all = relations(ours)
        counts = [len(o_near & g_all), len(o_near), len(g_near & o_all), len(g_near)]
        totals = [t + c for t, c in zip(totals, counts, strict=True)]
        judged = [e for e, d in gold_dates.items() if d != "XXXX-XX-XX" and e in our_dates]
        right = sum(same_date(our_dates[e], gold_dates[e]) for e in judged)
        dates_right += right
        dates_judged += len(judged)
        p, r, f1 = prf(*counts)
        table.add_row(
            entry["entity"],
            str(len(g_near)),
            str(len(o_near)),
            f"{p:.3f}",
            f"{r:.3f}",
            f"{f1:.3f}",
            str(len(judged)),
            f"{right / len(judged):.2f}" if judged else "-",
        )
    p, r, f1 = prf(*totals)
    accuracy = dates_right / dates_judged if dates_judged else 0.0
    table.add_row("all (micro)", str(totals[3]), str(totals[1]), f"{p:.3f}", f"{r:.3f}",
                  f"{f1:.3f}", str(dates_judged), f"{accuracy:.2f}", style="bold")  # fmt: skip
    console.print(table)
    console.print(
        f"temporal awareness F1 {100 * f1:.2f} (published best on raw text: 7.85); date"
        f" accuracy {accuracy:.3f} on {dates_judged} gold-dated events we place;"
        f" {time.perf_counter() - started:.0f} s"
    )
    show(parsed, args.show)
    scores = {"f1": 100 * f1, "date_accuracy": accuracy}
    return floors.check("timeline", scores, args.floors, console)


def prf(hit_sys: int, sys_n: int, hit_gold: int, gold_n: int) -> tuple[float, float, float]:
    p = hit_sys / sys_n if sys_n else 0.0
    r = hit_gold / gold_n if gold_n else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def show(parsed: Iterable[tuple], n: int) -> None:  # type: ignore[type-arg]
    """N resolved expressions, at random (seed 0), with their sentence, for a hand check."""
    found = [
        (article, event)
        for _, article, _, _, events in parsed
        for event in events
    ]  # fmt: skip
    random.Random(0).shuffle(found)
    for article, event in found[:n]:
        line_start = article.text.rfind("\n", 0, event.expression.start) + 1
        line_end = article.text.find("\n", event.expression.end)
        line = article.text[line_start : line_end if line_end >= 0 else None]
        said = event.expression.of(article.text)
        console.print(f"[dim]{article.published}[/] {said!r} → {event.label}: {line[:160]}")


if __name__ == "__main__":
    sys.exit(main())
