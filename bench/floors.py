"""The limits pinned in bench/floors.toml: a bench script's scores checked against its section.

A key ending in ``_min`` is a floor, one ending in ``_max`` a ceiling, for the score named by
the rest of the key; a score the run did not measure (a data set skipped) is not checked."""

from __future__ import annotations

import tomllib
from pathlib import Path

from rich.console import Console


def check(section: str, scores: dict[str, float], floors_path: Path, console: Console) -> int:
    """1 when a limit of ``section`` fails (each failure printed), else 0."""
    limits = tomllib.loads(floors_path.read_text("utf-8")).get(section, {})
    failed = 0
    for key, limit in limits.items():
        name = key.removesuffix("_min").removesuffix("_max")
        if name not in scores:
            continue
        ok = scores[name] >= limit if key.endswith("_min") else scores[name] <= limit
        if not ok:
            failed += 1
            console.print(f"[red]FAIL[/] {name} = {scores[name]:.3f}, limit {key} = {limit}")
    return 1 if failed else 0
