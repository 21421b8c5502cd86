"""Fuzzing harness: the generators of tests/fuzzing.py, for as long as asked.

    .venv/bin/python bench/fuzz.py [--minutes 1] [--seed 0] [--out /tmp/newsbrief-fuzz]
                                   [--target txt --target api-get …]

1. every target (each reader, the API's GET routes, POST /api/ingest) gets an equal share of
   ``--minutes``, one after another, its cases drawn by hypothesis from ``--seed`` (the same
   seed, the same inputs);
2. each case runs as in tests/test_fuzz.py, at a larger scale (longer texts, more lines,
   inputs past the size limits): through ``pipeline.ingest``, the CLI or the app, checked
   against what README promises (see tests/fuzzing.py). An exception, a promise broken, a
   fault that isolation caught, or a case slower than SLOW_SECONDS is a failure; failures are
   told apart by exception type and location (or promise);
3. the first ``--keep`` inputs of each distinct failure are saved under
   ``--out/TARGET/FAILURE-N/`` with REPRO.txt (one line that reproduces it) and TRACEBACK.txt,
   and the slowest input of each target under ``--out/TARGET/slowest/``;
4. a table: per target the inputs tried, how many reached the end (an article ingested, a 2xx
   answer), failures (distinct), seconds and the slowest input; then each distinct failure.

Exit code 0 when no case failed, 1 otherwise. No data set is needed, and nothing reaches the
network.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import HypothesisWarning
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import fuzzing  # tests/fuzzing.py: the generators the tests use too

DEFAULT_OUT = Path("/tmp/newsbrief-fuzz")
# A case slower than this is a failure: every generated input is at most a few megabytes. The
# slowest seen in 10-minute runs took 15 s: two pages of 150,000 characters, each ingested
# twice, 8 s of it spaCy parsing one of them (linear: a text near max_article_chars takes
# about 10 s on two cores); a superlinear step shows up as far more.
SLOW_SECONDS = 20.0


class TimeUp(BaseException):
    """The target's share of the time is over (a BaseException: hypothesis lets it through
    instead of reporting it as a failing example)."""


@dataclass(slots=True)
class Failure:
    """One distinct failure: how often, the first message, where its inputs were saved."""

    count: int = 0
    message: str = ""
    saved: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TargetRun:
    name: str
    tried: int = 0
    reached: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    slowest_case: Any = None
    failures: dict[fuzzing.FailureKey, Failure] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(f.count for f in self.failures.values())


def _slug(key: fuzzing.FailureKey) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", f"{key.kind} {key.where}").strip("-")[:80]


def fuzz_target(
    target: fuzzing.Target,
    workspace: fuzzing.Workspace,
    *,
    seconds: float,
    seed_value: int,
    out: Path,
    keep: int,
) -> TargetRun:
    """Run ``target``'s cases for ``seconds``, recording and saving failures."""
    run = TargetRun(name=target.name)
    deadline = time.monotonic() + seconds

    def record(case: Any, exc: BaseException) -> None:
        key = fuzzing.failure_key(exc)
        failure = run.failures.setdefault(key, Failure(message=fuzzing.describe_failure(exc)))
        failure.count += 1
        if len(failure.saved) < keep:
            folder = out / target.name / f"{_slug(key)}-{failure.count}"
            fuzzing.save_case(case, folder, failure.message)
            (folder / "TRACEBACK.txt").write_text(fuzzing.describe_failure(exc), "utf-8")
            failure.saved.append(str(folder))

    @hypothesis_settings(
        max_examples=10**9,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @seed(seed_value)
    @given(target.cases)
    def one(case: Any) -> None:
        if time.monotonic() > deadline:
            raise TimeUp
        run.tried += 1
        start = time.perf_counter()
        try:
            outcome = target.run(case, workspace)
        except Exception as exc:
            record(case, exc)
        else:
            run.reached += outcome == "ingested" or outcome.startswith("2")
        took = time.perf_counter() - start
        if took > run.slowest:
            run.slowest, run.slowest_case = took, case
        if took > SLOW_SECONDS:
            slow = fuzzing.Broken("slow", f"a case took {took:.1f} s (at most {SLOW_SECONDS:g})")
            record(case, slow)

    start = time.perf_counter()
    with contextlib.suppress(TimeUp):
        one()
    run.seconds = time.perf_counter() - start
    if run.slowest_case is not None:  # where to look for a superlinear step
        fuzzing.save_case(run.slowest_case, out / target.name / "slowest", f"{run.slowest:.2f} s")
    return run


def summary_table(runs: Sequence[TargetRun], minutes: float, seed_value: int) -> Table:
    table = Table(title=f"fuzzing, {minutes:g} min, seed {seed_value}")
    table.add_column("target")
    for name in ("inputs", "reached", "failures", "distinct", "seconds", "slowest"):
        table.add_column(name, justify="right")
    for r in runs:
        failed = f"[red]{r.failed}[/]" if r.failed else "0"
        table.add_row(
            r.name,
            f"{r.tried:,}",
            f"{r.reached / r.tried:.0%}" if r.tried else "—",
            failed,
            str(len(r.failures)),
            f"{r.seconds:.0f}",
            f"{r.slowest:.2f} s",
        )
    return table


def failures_table(run: TargetRun) -> Table:
    table = Table(title=f"{run.name}: distinct failures")
    table.add_column("failure")
    table.add_column("where")
    table.add_column("count", justify="right")
    table.add_column("first saved")
    for key, failure in sorted(run.failures.items(), key=lambda kv: -kv[1].count):
        table.add_row(key.kind, key.where, str(failure.count), failure.saved[0])
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0, help="total time, all targets")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (per target +i)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="failing inputs go here")
    parser.add_argument("--keep", type=int, default=3, help="inputs saved per distinct failure")
    parser.add_argument(
        "--target", action="append", help="run only these (repeatable; default: all)"
    )
    args = parser.parse_args(argv)

    targets = fuzzing.targets(fuzzing.LARGE)
    chosen = args.target or list(targets)
    unknown = sorted(set(chosen) - set(targets))
    if unknown:
        parser.error(
            f"unknown target(s) {', '.join(unknown)}; expected some of {', '.join(targets)}"
        )
    # warnings are errors, as in the tests (pyproject's filterwarnings), but hypothesis' own
    warnings.simplefilter("error")
    warnings.simplefilter("default", HypothesisWarning)
    console = Console(highlight=False, width=130)
    console.print(f"[dim]… loading models; failing inputs go to {args.out}[/dim]")
    workspace = fuzzing.Workspace()
    share = args.minutes * 60 / len(chosen)
    runs = []
    try:
        for i, name in enumerate(chosen):
            console.print(f"[dim]… {name} for {share:.0f} s[/dim]")
            # warcio writes its own warnings to stderr, one per odd record: not ours to show
            with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
                runs.append(
                    fuzz_target(
                        targets[name],
                        workspace,
                        seconds=share,
                        seed_value=args.seed + i,
                        out=args.out,
                        keep=args.keep,
                    )
                )
    finally:
        workspace.close()

    console.print(summary_table(runs, args.minutes, args.seed))
    for run in runs:
        if run.failures:
            console.print(failures_table(run))
            for key, failure in run.failures.items():
                console.print(f"[bold]{key.kind} at {key.where}[/]\n{failure.message}\n")
    kinds = Counter(key.kind for run in runs for key in run.failures)
    if kinds:
        console.print(f"[red]failed[/]: {sum(kinds.values())} distinct failure(s)")
        return 1
    console.print("[green]no failure[/]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
