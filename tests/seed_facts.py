"""What the issues say of the two seed articles, shared by the tests that check it."""

import shutil
from pathlib import Path

# Scraper furniture in the seeds that must not reach a sentence of the store or the brief.
SEED_BOILERPLATE = (
    "Add a comment",
    "Leave a Reply",
    "Your email address will not be published",
    "Required fields are marked",
    "Secret Link",
    "A composite image",
    "By Miami Daily Life / MiamiDaily.Life",
)

# Issue 15: an ordinary near copy of seed 004, under a new headline with one word of one
# sentence edited; the edited word is said by the copy's echo of that sentence alone.
SEED_004 = "004_76146be16f698244"
NEAR_COPY_EDIT = (
    "did not yield significant diplomatic progress",
    "did not yield meaningful diplomatic progress",
)
NEAR_COPY_WORD = "meaningful"


def write_near_copy(seeds: Path, folder: Path) -> None:
    """Seed 004 and its sidecar into ``folder``, with a near copy of it (copy.txt) published
    the same day."""
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in (".txt", ".meta.json"):
        shutil.copy(seeds / f"{SEED_004}{suffix}", folder / f"{SEED_004}{suffix}")
    _title, body = (seeds / f"{SEED_004}.txt").read_text("utf-8").split("\n", 1)
    old, new = NEAR_COPY_EDIT
    assert body.count(old) == 1 and NEAR_COPY_WORD not in body
    edited = body.replace(old, new)
    (folder / "copy.txt").write_text(f"Kyiv Uneasy as Trump Plans Budapest Summit\n{edited}")
    shutil.copy(seeds / f"{SEED_004}.meta.json", folder / "copy.meta.json")
