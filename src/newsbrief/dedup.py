"""Duplicates.

1. Across articles: the same text under another headline is an EXACT duplicate (the hash of the
   clean text alone); syndicated wire copy with a new headline, a few edited sentences or some
   boilerplate added is a NEAR duplicate (MinHash of word 3-shingles, candidates by LSH banding,
   verified by estimated Jaccard). :func:`fingerprint` is a pure function of the text, computed
   where the article is analysed; :func:`matches` decides which stored candidates an article
   duplicates; the store keeps the fingerprints, the LSH buckets and the groups (written with
   the article, in one transaction) and reads the groups back.
2. Within one article: the sentences of an outlet's own summary block that restate its body are
   linked to the body sentence they repeat, so that one outlet never counts twice for one
   statement (:func:`link_repeats`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
from datasketch import MinHash

from newsbrief.records import Fingerprint, Sentence, content_id
from newsbrief.terms import jaccard, overlap, terms

# --- duplicate articles ----------------------------------------------------------------------
# Shingles are runs of SHINGLE_WORDS words of the normalised text (NFKC, case-folded, words
# only: punctuation, quotes and line breaks do not matter). Three words keep enough word order
# that two outlets' own articles on one story, sharing all its names and places, stay far apart
# (Jaccard ≤ 0.27 over every same-story pair of the multinews dev set), while one edited word
# costs a copy at most the three shingles that span it.
SHINGLE_WORDS = 3
# 128 permutations: the Jaccard estimate has a standard error ≤ 0.044, small beside the gap
# between copies (≥ 0.6, bench/dedup.py) and different articles (≤ 0.27); 512 bytes a signature
# and ~2 ms an article. The datasketch scheme and seed are part of the stored format: changing
# them needs a migration that recomputes every signature.
NUM_PERM = 128
MINHASH_SEED = 1
MINHASH_SCHEME: Literal["affine32"] = "affine32"
# LSH banding: LSH_BANDS bands of LSH_ROWS rows (LSH_BANDS × LSH_ROWS = NUM_PERM). Two texts of
# Jaccard s share a bucket with probability 1 - (1 - s^4)^32: 0.87 at 0.5, 0.99 at 0.6, 0.9995 at
# 0.7 — and 0.16 at 0.27, 0.003 at 0.1 (candidates that the verification drops).
LSH_BANDS = 32
LSH_ROWS = NUM_PERM // LSH_BANDS
# A candidate is a near duplicate at this estimated Jaccard of the shingles or above.
# Calibrated with bench/dedup.py on the multinews dev set (its calibration table): near-copies
# (new headline, ~10% of sentences edited, 1–3 boilerplate lines added) score 0.71–1.0 (1st
# percentile 0.81, median 0.95) over 1,057 copy pairs; different articles of one story score at
# most 0.32 (99th percentile 0.19) over 340 same-cluster pairs. 0.5 sits in the gap with room
# for heavier edits than the bench makes.
NEAR_JACCARD = 0.5

DuplicateKind = Literal["exact", "near"]
_WORD = re.compile(r"\w+")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """A stored article that a new one duplicates."""

    article_id: str
    kind: DuplicateKind
    similarity: float


def shingles(text: str) -> set[bytes]:
    """The word SHINGLE_WORDS-shingles of the normalised ``text`` (a shorter text is one
    shingle)."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {
        " ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8")
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def fingerprint(text: str) -> Fingerprint:
    """The fingerprints of an article's clean text: its hash, and its MinHash signature."""
    minhash = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)
    minhash.update_batch(sorted(shingles(text)))
    values = np.asarray(minhash.hashvalues, dtype="<u4")
    return Fingerprint(text_hash=content_id(text), minhash=values.tobytes())


def _signature(fp: Fingerprint) -> np.ndarray:
    return np.frombuffer(fp.minhash, dtype="<u4")


def bands(fp: Fingerprint) -> list[tuple[int, str]]:
    """The (band, bucket) keys of the signature; none for an empty text (exact matches only)."""
    signature = _signature(fp)
    if len(signature) != NUM_PERM:
        raise ValueError(f"fingerprint expects {NUM_PERM} MinHash values, found {len(signature)}")
    if fp.minhash == _EMPTY:
        return []
    return [
        (band, hashlib.blake2b(row.tobytes(), digest_size=8).hexdigest())
        for band, row in enumerate(signature.reshape(LSH_BANDS, LSH_ROWS))
    ]


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard of the shingles; 1.0 for the same text."""
    if a.text_hash == b.text_hash:
        return 1.0
    if _EMPTY in (a.minhash, b.minhash):
        return 0.0
    return float(np.mean(_signature(a) == _signature(b)))


def matches(fp: Fingerprint, candidates: Mapping[str, Fingerprint]) -> list[Match]:
    """The candidates that the text of ``fp`` duplicates, by article id: the same text (exact)
    or an estimated Jaccard ≥ NEAR_JACCARD (near)."""
    found = []
    for article_id, other in sorted(candidates.items()):
        if other.text_hash == fp.text_hash:
            found.append(Match(article_id=article_id, kind="exact", similarity=1.0))
        elif (score := similarity(fp, other)) >= NEAR_JACCARD:
            found.append(Match(article_id=article_id, kind="near", similarity=score))
    return found


_EMPTY = fingerprint("").minhash


# --- repeats within one article -------------------------------------------------------------
# A summary sentence repeats a body sentence when their content words overlap this much.
# Calibrated on seed 000: its summary bullets restate body sentences at overlap 0.55–0.85
# (Jaccard 0.30–0.60), while unrelated sentence pairs of the seeds stay below overlap 0.40.
REPEAT_OVERLAP = 0.5
REPEAT_JACCARD = 0.25


def link_repeats(sentences: Sequence[Sentence]) -> list[Sentence]:
    """The sentences, each summary sentence with ``repeats`` set to the index of the body
    sentence it restates most closely (if any restates it closely enough)."""
    body = [(s, terms(s.text)) for s in sentences if s.role in ("lead", "body")]
    out: list[Sentence] = []
    for sentence in sentences:
        if sentence.role != "summary" or not body:
            out.append(sentence)
            continue
        mine = terms(sentence.text)
        _, best = max(
            (
                (overlap(mine, t) + jaccard(mine, t), s.index)
                for s, t in body
                if overlap(mine, t) >= REPEAT_OVERLAP and jaccard(mine, t) >= REPEAT_JACCARD
            ),
            default=(0.0, None),
        )
        out.append(dataclasses.replace(sentence, repeats=best) if best is not None else sentence)
    return out
