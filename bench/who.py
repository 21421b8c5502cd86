"""Who Thinks What harness: each entry of the section, in briefs of dev stories, judged against
hand labels of who said what.

    .venv/bin/python bench/who.py [--data DIR] [--floors bench/floors.toml]
        [--labels bench/who_labels.tsv] [--show N] [--dump DIR]

Stories (STORIES below, picked once at random among stories with quotes, seed 16): BASIL
triplets, Multi-News clusters and AllSides triplets of the dev data, loaded as bench/compare.py
loads them; the even-numbered ones are the calibration half, the odd-numbered the report half
(tune on the first only).

Labels (bench/who_labels.tsv), made by reading the stories, one statement a line:
``key<TAB>speaker`` — the key a hash of the article and the statement's words (no text of the
set is kept), the speaker the full name the story gives whoever said it ("Elizabeth Lauten",
"the Kremlin"), or ``unattributed`` when the text does not say who, or ``not a statement``.

An entry of Who Thinks What is one actor with the statements it cites. It is
- right when the labelled speaker of each cited statement is the actor (same surname, and the
  given name, when both have one, the same);
- wrong speaker when a cited statement is someone else's (or unattributed, or not a statement);
- a noise actor, besides, when the actor speaks nowhere in the story's labels (a place, a
  platform, a name inside a phrase: "Alexandria", "Twitter", "the Sagan Rule").
Entries citing a statement without a label are counted apart (label them: ``--show`` prints
them, ``--dump`` writes every statement of each story with its key).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

import floors
from compare import allsides, basil, multinews
from newsbrief import nlp, pipeline
from newsbrief.analyse.actors import resolve_actors
from newsbrief.analyse.lexicon import DETERMINERS, GROUP_HEADS, PERSON_NOUNS
from newsbrief.analyse.speakers import fits_name, name_words
from newsbrief.brief.compose import compose
from newsbrief.records import Actor, Analysis, Quote
from newsbrief.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_FLOORS = Path(__file__).resolve().with_name("floors.toml")
DEFAULT_LABELS = Path(__file__).resolve().with_name("who_labels.tsv")
console = Console(highlight=False, width=110)

# The stories, by set and story name as bench/compare.py names them (picked 2026-12-03 among
# stories whose articles hold at least 6 quotation marks, random.Random(16)).
STORIES: dict[str, tuple[str, ...]] = {
    "basil": (
        "basil Mike Huckabee announced his run for the presidency",
        "basil James Mattis quits as defense secretary",
        "basil Blake Farenthold resigns from Congress",
        "basil Kevin McCarthy open to immigration reform",
        "basil Ruth Bader Ginsburg criticizes Trump",
        "basil White House Plays Down Data Program",
        "basil Donald Trump considers Joe Lieberman for FBI Direc",
        "basil Michael Steele Criticized for Afghanistan Comments",
    ),
    "multinews": (
        "multinews 1d233653",
        "multinews 3df81844",
        "multinews b614820b",
        "multinews 44916c0c",
        "multinews fe7c1162",
        "multinews 88292edc",
        "multinews 0719f54a",
        "multinews 0cd7b0bf",
    ),
    "allsides": (
        "allsides val-248",
        "allsides val-278",
        "allsides val-294",
        "allsides val-164",
        "allsides val-126",
        "allsides val-73",
        "allsides val-144",
        "allsides val-5",
    ),
}
LOADERS = {"basil": basil, "multinews": multinews, "allsides": allsides}
UNATTRIBUTED = "unattributed"
NOT_A_STATEMENT = "not a statement"


def statement_keys(analysis: Analysis) -> list[str]:
    """Each statement's label key: the article's id and the statement's words, hashed; a
    second statement of the same words in one article gets "#2" before hashing, and so on."""
    seen: Counter[str] = Counter()
    keys = []
    for quote in analysis.quotes:
        words = " ".join(fold(quote.text).split())
        seen[words] += 1
        n = f"#{seen[words]}" if seen[words] > 1 else ""
        key = f"{analysis.article.id}\n{words}{n}"
        keys.append(hashlib.sha1(key.encode()).hexdigest()[:16])
    return keys


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def load_labels(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    labels = {}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        key, speaker, *_ = line.split("\t")
        if not speaker.strip():
            raise SystemExit(f"{path}:{number}: a label names a speaker")
        labels[key] = speaker.strip()
    return labels


def same_speaker(actor: str, label: str) -> bool:
    """One speaker: one person by the resolver's own rule (analyse.speakers.fits_name: the same
    surname, a given name or its short form), one of several a label names ("A and B"), or
    one organisation or description (the words of the shorter inside the longer, determiners
    aside: "Washington Post" and "The Washington Post", "Spokesperson" and "a Google
    spokesperson")."""
    for one in label.split(" and "):
        a, b = name_words(actor), name_words(one)
        if fits_name(a, b) or fits_name(b, a):
            return True
        shorter, longer = sorted((_plain(actor), _plain(one)), key=len)
        if (
            shorter
            and shorter <= longer
            and (shorter <= PERSON_NOUNS | GROUP_HEADS or shorter == longer)
        ):
            return True
    return False


def _plain(name: str) -> set[str]:
    words = fold(name).replace("’s", "").replace("'s", "").split()
    return {w.strip(".,") for w in words} - DETERMINERS


@dataclass(slots=True)
class Score:
    stories: int = 0
    entries: int = 0
    right: int = 0
    wrong: int = 0
    unlabelled: int = 0
    noise: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def wrong_rate(self) -> float:
        judged = self.right + self.wrong
        return self.wrong / judged if judged else 0.0


def entries(
    analyses: Sequence[Analysis], encoder: nlp.SentenceEncoder
) -> list[tuple[Actor, list[Quote]]]:
    """Who Thinks What of the story's brief: each entry's actor and the statements it cites."""
    brief = compose(analyses, encoder=encoder)
    section = next(s for s in brief.sections if s.key == "who_thinks_what")
    actors = resolve_actors(analyses)
    out = []
    for item in section.items:
        label = item.label or ""
        actor = max(
            (a for a in actors if label == a.name or label.startswith(a.name + ", ")),
            key=lambda a: len(a.name),
            default=None,
        )
        if actor is None:
            continue
        cited = {(c.article_id, c.start) for c in item.citations}
        sentences = {(a.article.id, s.index): s.span for a in analyses for s in a.sentences}
        quotes = [
            q
            for q in actor.quotes
            if any(
                article == q.article_id and span.start <= start < span.end
                for (article, start) in cited
                for span in [sentences[(q.article_id, q.sentence)]]
            )
        ]
        out.append((actor, quotes))
    return out


def judge(
    story: str,
    analyses: Sequence[Analysis],
    encoder: nlp.SentenceEncoder,
    labels: dict[str, str],
    into: Score,
) -> None:
    key_of = {id(q): k for a in analyses for q, k in zip(a.quotes, statement_keys(a), strict=True)}
    speakers = [
        labels[k]
        for k in key_of.values()
        if k in labels and labels[k] not in (UNATTRIBUTED, NOT_A_STATEMENT)
    ]
    into.stories += 1
    for actor, quotes in entries(analyses, encoder):
        into.entries += 1
        said = [labels.get(key_of[id(q)]) for q in quotes]
        if not quotes or None in said:
            into.unlabelled += 1
            into.misses.append(f"unlabelled · {story} · {actor.name}")
            continue
        if all(same_speaker(actor.name, s) for s in said if s):
            into.right += 1
        else:
            into.wrong += 1
            into.misses.append(
                f"wrong · {story} · {actor.name} for {', '.join(sorted(set(map(str, said))))}"
            )
        if not any(same_speaker(actor.name, s) for s in speakers):
            into.noise += 1
            into.misses.append(f"noise · {story} · {actor.name}")


def dump(story: str, analyses: Sequence[Analysis], folder: Path) -> None:
    """Every statement the analysis finds in a story, with its key, for labelling by reading
    (written outside the repository: it holds the set's text)."""
    lines = [f"# {story}", ""]
    for i, analysis in enumerate(analyses):
        article = analysis.article
        lines += [f"## article {i}: {article.outlet} · {article.title}", "", article.text, ""]
    lines += ["# statements", ""]
    for i, analysis in enumerate(analyses):
        text = analysis.article.text
        for q, key in zip(analysis.quotes, statement_keys(analysis), strict=True):
            said = q.speaker_span.of(text) if q.speaker_span else None
            sentence = next(s for s in analysis.sentences if s.index == q.sentence)
            lines += [
                f"- key {key} · article {i} · now: {q.speaker!r} (mention {said!r}, cue {q.cue!r})",
                f"  sentence: {sentence.text}",
                f"  statement: {q.text}",
            ]
    name = story.replace(" ", "_").replace("/", "_")[:60]
    (folder / f"{name}.md").write_text("\n".join(lines) + "\n", "utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS)
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--show", type=int, default=0, help="Print N misses of each set.")
    parser.add_argument("--dump", type=Path, help="Write each story's statements here.")
    args = parser.parse_args(argv)
    settings = load_settings(env={}, db=":memory:")
    encoder = nlp.load_encoder(settings)
    labels = load_labels(args.labels)
    table = Table(title="Who Thinks What, judged against hand labels")
    for col in (
        "set",
        "half",
        "stories",
        "entries",
        "right",
        "wrong",
        "wrong rate",
        "noise",
        "unlabelled",
    ):
        table.add_column(col, justify="right")
    scores: dict[str, float] = {}
    totals = {half: Score() for half in ("calibration", "report")}
    scored = 0
    for name, wanted in STORIES.items():
        loaded = LOADERS[name](args.data)
        if loaded is None:
            console.print(f"[yellow]skipped {name}: no data under {args.data / name}[/]")
            continue
        by_name = dict(loaded)
        missing = [s for s in wanted if s not in by_name]
        if missing:
            raise SystemExit(f"{name}: no story {missing[0]!r} in {args.data / name}")
        scored += 1
        halves = {half: Score() for half in ("calibration", "report")}
        for i, story in enumerate(wanted):
            analyses = list(pipeline.analyse(by_name[story], settings))
            if args.dump:
                args.dump.mkdir(parents=True, exist_ok=True)
                dump(story, analyses, args.dump)
            half = "calibration" if i % 2 == 0 else "report"
            judge(story, analyses, encoder, labels, halves[half])
        for half, score in halves.items():
            _row(table, name, half, score)
            total = totals[half]
            for f in ("stories", "entries", "right", "wrong", "unlabelled", "noise"):
                setattr(total, f, getattr(total, f) + getattr(score, f))
            total.misses += score.misses
            for line in score.misses[: args.show]:
                console.print(f"[dim]{name} {half}:[/] {line}")
    if not scored:
        console.print(f"[red]no set scored: none of {', '.join(STORIES)} under {args.data}[/]")
        return 1
    for half, total in totals.items():
        _row(table, "all", half, total)
        scores[f"{half}_wrong_rate"] = total.wrong_rate
        scores[f"{half}_noise"] = total.noise
        scores[f"{half}_unlabelled"] = total.unlabelled
    console.print(table)
    return floors.check("who", scores, args.floors, console)


def _row(table: Table, name: str, half: str, s: Score) -> None:
    table.add_row(
        name,
        half,
        str(s.stories),
        str(s.entries),
        str(s.right),
        str(s.wrong),
        f"{s.wrong_rate:.3f}",
        str(s.noise),
        str(s.unlabelled),
    )


if __name__ == "__main__":
    sys.exit(main())
