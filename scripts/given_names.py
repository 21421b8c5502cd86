"""Build src/newsbrief/data/given_names.tsv.gz: given names and the share of their bearers who are
women, from the names-dataset package (MIT; Philippe Rémy, https://github.com/philipperemy/name-dataset).

    python scripts/given_names.py  # in a venv with names-dataset==3.3.1 (about 2 GB of memory)

Kept: one-word alphabetic names among the RANK_MAX most frequent of at least one country, with
a gender breakdown; the share is rounded to two decimals. The speaker resolver reads the table
(newsbrief.analyse.lexicon.given_name_gender); the package itself is not a dependency.
"""

from __future__ import annotations

import gzip
import pickle
from importlib import resources
from pathlib import Path

RANK_MAX = 1000
OUT = Path(__file__).resolve().parents[1] / "src" / "newsbrief" / "data" / "given_names.tsv.gz"
HEADER = """# Given names and the share of their bearers who are women (0-1), derived by
# scripts/given_names.py from names-dataset 3.3.1 (MIT License, Copyright (c) 2021 Philippe Remy,
# https://github.com/philipperemy/name-dataset): one-word names among the 1,000 most frequent
# of at least one country.
"""


def main() -> None:
    path = resources.files("names_dataset") / "v3" / "first_names.pkl.gz"
    with gzip.open(str(path)) as f:
        names = pickle.load(f)
    rows = {}
    for name, info in names.items():
        gender, ranks = info.get("gender") or {}, info.get("rank") or {}
        if not name.isalpha() or not gender or not ranks:
            continue
        if min(r for r in ranks.values() if r is not None) > RANK_MAX:
            continue
        key = name.casefold()
        female = gender.get("F", 0.0) / (gender.get("F", 0.0) + gender.get("M", 0.0) or 1)
        rows[key] = f"{female:.2f}"
    lines = [f"{name}\t{share}" for name, share in sorted(rows.items())]
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write(HEADER + "\n".join(lines) + "\n")
    print(f"{len(lines)} names → {OUT}")


if __name__ == "__main__":
    main()
