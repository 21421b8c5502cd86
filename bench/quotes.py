"""Quote and attribution harness: content-span precision/recall/F1 and speaker accuracy on
PolNeAR (source–cue–content attributions in US political news).

    .venv/bin/python bench/quotes.py [--data DIR] [--floors bench/floors.toml] [--limit 300]
        [--compartment train|dev] [--show N]

DIR/polnear/articles.jsonl: the first ``--limit`` articles (file order; 0 = all 924). Each
article's text is analysed as it is — not cleaned, so that the gold character offsets hold —
split into paragraph blocks at line breaks, through the same pipeline.analyse as ingest.

Matching: a predicted quote matches a gold attribution when their content spans (all pieces of
a split statement) overlap by at least half of their union (characters), each gold and each
prediction matched at most once (best overlap first).
- all: every gold attribution (direct, indirect, mixed; with or without a source) against every
  prediction;
- direct: gold attributions whose content carries a quotation mark (“ ” " or '') against our
  direct quotes;
- speaker accuracy, over matched pairs whose gold has a source and where we name a speaker:
  our speaker mention (the words that name the speaker, a pronoun included) overlaps the gold
  source span. A speaker left unknown (as the finder does when unsure) is counted apart, not
  as right or wrong.

Resolved speakers (bench/speaker_labels.tsv): PolNeAR dev attributions whose source is a pronoun
or a description ("she", "who", "the senator"), each labelled by reading with the person or
organisation it refers to, or "none named". The dev articles holding them are analysed too; a
labelled attribution our statement matches (as above) is right when our speaker is that person
(the same surname, and the same given name when both have one), or, for "none named", when our
speaker stayed unattributed (none, a pronoun or a description). Reported on two halves, by
article: calibration (the resolver's weights were fit on it) and report (never tuned on), with
the precision and recall of the names given.

Floors are in bench/floors.toml [quotes]: the textacy baseline measured on these articles
(direct_quotations on a spaCy sm parse, 300 articles: all P/R/F1 58.6/19.3/29.0; direct
58.6/58.2/58.4; speaker accuracy 95.0% on 1,395 pairs). Exit 1 when a floor fails.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

import floors
from newsbrief import nlp, pipeline
from newsbrief.analyse.lexicon import DETERMINERS
from newsbrief.analyse.speakers import fits_name, is_unattributed, name_words
from newsbrief.records import Article, Block, Quote, Span, content_id
from newsbrief.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_FLOORS = Path(__file__).resolve().with_name("floors.toml")
DEFAULT_LABELS = Path(__file__).resolve().with_name("speaker_labels.tsv")
NONE_NAMED = "none named"
MATCH_OVERLAP = 0.5
QUOTE_CHARS = ("“", "”", '"', "''", "``")
console = Console(highlight=False)


@dataclass(frozen=True, slots=True)
class Gold:
    content: frozenset[int]
    source: frozenset[int]
    direct: bool
    text: str
    source_text: str


def chars(spans: Iterable[Sequence[int]]) -> frozenset[int]:
    return frozenset(i for start, end in spans for i in range(start, end))


def golds(article: dict[str, object]) -> list[Gold]:
    out = []
    for a in article["attributions"]:  # type: ignore[attr-defined]
        content = [s for part in a.get("content", []) for s in part["spans"]]
        if not content:
            continue
        text = " … ".join(part["text"] for part in a["content"])
        out.append(
            Gold(
                content=chars(content),
                source=chars(s for part in a.get("source", []) for s in part["spans"]),
                direct=any(q in text for q in QUOTE_CHARS),
                text=text,
                source_text=" … ".join(part["text"] for part in a.get("source", [])),
            )
        )
    return out


def article_of(row: dict[str, object]) -> Article:
    """The text as it is, one block per line, so that gold offsets hold."""
    text = str(row["text"])
    blocks, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            blocks.append(Block(span=Span(start=start, end=end), kind="paragraph"))
        start = end + 1
    title = str(row.get("title") or "")
    return Article(
        id=content_id(title, text),
        title=title,
        text=text,
        outlet=str(row.get("publisher") or "") or None,
        url=None,
        published=str(row.get("publication_date") or "") or None,
        origin=str(row["filename"]),
        blocks=tuple(blocks),
    )


def overlap(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def match(preds: Sequence[Quote], gold: Sequence[Gold]) -> list[tuple[int, int]]:
    """(prediction, gold) index pairs, best overlap first, each side at most once."""
    pred_chars = [chars((p.start, p.end) for p in q.pieces) for q in preds]
    candidates = sorted(
        (
            (score, i, j)
            for i, p in enumerate(pred_chars)
            for j, g in enumerate(gold)
            if (score := overlap(p, g.content)) >= MATCH_OVERLAP
        ),
        reverse=True,
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


@dataclass(slots=True)
class Tally:
    pred: int = 0
    gold: int = 0
    hit_pred: int = 0
    hit_gold: int = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.hit_pred / self.pred if self.pred else 0.0
        r = self.hit_gold / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def speaker_right(q: Quote, g: Gold) -> bool:
    if q.speaker_span is None:
        return False
    return bool(chars([(q.speaker_span.start, q.speaker_span.end)]) & g.source)


def load_speaker_labels(path: Path) -> dict[tuple[str, int], str]:
    """(article filename, source offset) → the one referent, or NONE_NAMED."""
    if not path.exists():
        return {}
    labels = {}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            filename, start, referent = line.split("\t")
            labels[(filename, int(start))] = referent.strip()
        except ValueError:
            raise SystemExit(
                f"{path}:{number}: expected filename<TAB>offset<TAB>referent"
            ) from None
    return labels


def half(filename: str) -> str:
    """An article's half: calibration or report (a hash of its name, so both are stable)."""
    digest = hashlib.sha1(filename.encode()).digest()
    return "calibration" if digest[0] % 2 == 0 else "report"


def same_referent(ours: str, referent: str) -> bool:
    def words(name: str) -> list[str]:
        return [w for w in name_words(name) if w not in DETERMINERS]

    a, b = words(ours), words(referent)
    return bool(a and b) and (fits_name(a, b) or fits_name(b, a))


@dataclass(slots=True)
class Resolved:
    found: int = 0  # labelled attributions our statements match
    right: int = 0
    named: int = 0  # of those, with a named referent
    given: int = 0  # names we gave
    right_names: int = 0
    missed: int = 0  # labelled attributions no statement of ours matches

    def row(self, name: str) -> list[str]:
        accuracy = self.right / self.found if self.found else 0.0
        precision = self.right_names / self.given if self.given else 0.0
        recall = self.right_names / self.named if self.named else 0.0
        return [
            name, str(self.found + self.missed), str(self.found), f"{accuracy:.3f}",
            f"{precision:.3f}", f"{recall:.3f}",
        ]  # fmt: skip


def resolved_speakers(
    rows: Sequence[dict[str, object]],
    labels: dict[tuple[str, int], str],
    settings: object,
    misses: list[str],
) -> dict[str, Resolved]:
    """Resolved-speaker scores of the labelled dev attributions, by half."""
    wanted = {f for f, _ in labels}
    rows = [r for r in rows if r["filename"] in wanted]
    articles = [article_of(r) for r in rows]
    analyses = pipeline.analyse(articles, settings, workers=nlp.processes(settings))  # type: ignore[arg-type]
    out = {"calibration": Resolved(), "report": Resolved()}
    for row, analysis in zip(rows, analyses, strict=True):
        score_resolved(row, list(analysis.quotes), labels, out, misses)
    return out


def score_resolved(
    row: dict[str, object],
    preds: Sequence[Quote],
    labels: dict[tuple[str, int], str],
    halves: dict[str, Resolved],
    misses: list[str] | None = None,
) -> None:
    """Count the labelled attributions of one article into its half's tally."""
    filename = str(row["filename"])
    tally = halves[half(filename)]
    for a in row["attributions"]:  # type: ignore[attr-defined]
        source = a.get("source") or []
        content = [s for part in a.get("content", []) for s in part["spans"]]
        referent = labels.get((filename, source[0]["spans"][0][0])) if source else None
        if referent is None or not content:
            continue
        gold = chars(content)
        best = max(
            preds,
            key=lambda q: overlap(chars((p.start, p.end) for p in q.pieces), gold),
            default=None,
        )
        if (
            best is None
            or overlap(chars((p.start, p.end) for p in best.pieces), gold) < MATCH_OVERLAP
        ):
            tally.missed += 1
            continue
        tally.found += 1
        ours = None if is_unattributed(best.speaker) else best.speaker
        tally.given += ours is not None
        if referent == NONE_NAMED:
            ok = ours is None
        else:
            tally.named += 1
            ok = ours is not None and same_referent(ours, referent)
            tally.right_names += ok
        tally.right += ok
        if not ok and misses is not None:
            misses.append(
                f"{half(filename)} · {source[0]['text']!r} → {ours!r}, labelled {referent!r}:"
                f" {best.text[:70]}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS)
    parser.add_argument("--limit", type=int, default=300, help="Articles (0: all).")
    parser.add_argument(
        "--compartment",
        choices=("train", "dev"),
        help="Only the articles of this part (the first 300, the default set, are train: "
        "dev was never looked at while tuning).",
    )
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--show", type=int, default=0, help="Print N misses of each kind.")
    args = parser.parse_args(argv)
    path = args.data / "polnear" / "articles.jsonl"
    if not path.exists():
        console.print(f"[yellow]skipped polnear: no {path}[/]")
        return 0
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    every_row = rows
    if args.compartment:
        rows = [r for r in rows if r.get("compartment") == args.compartment]
    rows = rows[: args.limit] if args.limit else rows
    settings = load_settings(env={}, db=":memory:")
    articles = [article_of(r) for r in rows]
    start = time.perf_counter()
    analyses = list(pipeline.analyse(articles, settings, workers=nlp.processes(settings)))
    seconds = time.perf_counter() - start
    every, direct = Tally(), Tally()
    speakers = [0, 0]  # right, judged
    unknown = 0
    misses: dict[str, list[str]] = {"false": [], "missed": [], "speaker": []}
    for row, analysis in zip(rows, analyses, strict=True):
        gold, preds = golds(row), list(analysis.quotes)
        text = analysis.article.text
        pairs = match(preds, gold)
        every.pred += len(preds)
        every.gold += len(gold)
        every.hit_pred += len(pairs)
        every.hit_gold += len(pairs)
        d_preds = [q for q in preds if q.direct or any(m in q.text for m in QUOTE_CHARS)]
        d_gold = [g for g in gold if g.direct]
        d_pairs = match(d_preds, d_gold)
        direct.pred += len(d_preds)
        direct.gold += len(d_gold)
        direct.hit_pred += len(d_pairs)
        direct.hit_gold += len(d_pairs)
        for i, j in pairs:
            if gold[j].source and preds[i].speaker_span is None:
                unknown += 1
            elif gold[j].source:
                speakers[1] += 1
                speakers[0] += speaker_right(preds[i], gold[j])
                if not speaker_right(preds[i], gold[j]):
                    said = (
                        text[preds[i].speaker_span.start : preds[i].speaker_span.end]
                        if preds[i].speaker_span
                        else None
                    )
                    misses["speaker"].append(
                        f"{said!r} for {gold[j].source_text!r}: {preds[i].text[:90]}"
                    )
        hit_p = {i for i, _ in pairs}
        hit_g = {j for _, j in pairs}
        misses["false"] += [q.text[:120] for i, q in enumerate(preds) if i not in hit_p]
        misses["missed"] += [g.text[:120] for j, g in enumerate(gold) if j not in hit_g]
    table = Table(title=f"quotes on PolNeAR ({len(rows)} articles, {seconds:.0f} s)")
    for col in ("attributions", "predicted", "gold", "P", "R", "F1"):
        table.add_column(col, justify="right")
    scores: dict[str, float] = {}
    for name, tally in (("all", every), ("direct", direct)):
        p, r, f1 = tally.prf()
        scores[f"{name}_f1"] = f1
        table.add_row(name, str(tally.pred), str(tally.gold), f"{p:.3f}", f"{r:.3f}", f"{f1:.3f}")
    console.print(table)
    accuracy = speakers[0] / speakers[1] if speakers[1] else 0.0
    scores["speaker_accuracy"] = accuracy
    scores["speaker_pairs"] = speakers[1]
    console.print(
        f"speaker accuracy {accuracy:.3f} on {speakers[1]} matched pairs with a gold source"
        f" and a speaker named ({unknown} more left unknown)"
    )
    labels = load_speaker_labels(args.labels)
    if labels:
        misses["resolved"] = []
        halves = resolved_speakers(every_row, labels, settings, misses["resolved"])
        resolved = Table(title=f"resolved speakers (hand labels of {args.labels.name})")
        for col in ("half", "labelled", "matched", "accuracy", "name P", "name R"):
            resolved.add_column(col, justify="right")
        for name, tally in halves.items():
            resolved.add_row(*tally.row(name))
            found = tally.found or 1
            scores[f"resolved_{name}_accuracy"] = tally.right / found
        console.print(resolved)
    for kind, lines in misses.items():
        for line in lines[: args.show]:
            console.print(f"[dim]{kind}:[/] {line}")
    return floors.check("quotes", scores, args.floors, console)


if __name__ == "__main__":
    sys.exit(main())
