"""The limits pinned in bench/floors.toml: a bench script's scores checked against its section.

A key ending in ``_min`` is a floor, one ending in ``_max`` a ceiling, for the score named by
the rest of the key; a score the run did not measure (a data set skipped) is reported, not
checked."""

from __future__ import annotations

import tomllib
from pathlib import Path

from rich.console import Console


def check(section: str, scores: dict[str, float], floors_path: Path, console: Console) -> int:
    """Print each limit of ``section`` with its verdict; 1 when one fails, else 0."""
    limits = tomllib.loads(floors_path.read_text("utf-8")).get(section, {})
    failed = 0
    for key, limit in limits.items():
        name, _, kind = key.rpartition("_")
        if kind not in ("min", "max"):
            raise SystemExit(f"{floors_path} [{section}]: {key!r} ends in neither _min nor _max")
        if name not in scores:
            console.print(f"[yellow]n/a[/]   {key}: not measured in this run")
            continue
        ok = scores[name] >= limit if kind == "min" else scores[name] <= limit
        failed += not ok
        sign = "≥" if kind == "min" else "≤"
        verdict = "[green]pass[/]" if ok else "[red]FAIL[/]"
        console.print(f"{verdict}  {key}: {scores[name]:.4g} (limit {sign} {limit:g})")
    return 1 if failed else 0
