"""Duplicate articles: exact and near copies grouped in the store, with the article, in one
transaction; a group counts as one independent source in the brief."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

import newsbrief.store.articles as store_module
from newsbrief import dedup, pipeline
from newsbrief.brief.render import render, to_dict
from newsbrief.errors import StoreError
from newsbrief.ingest import expand, prepare
from newsbrief.records import Analysis, Article, RawArticle, independence_keys
from newsbrief.settings import Settings, load_settings
from newsbrief.store import Store, schema

WIRE = (
    "Dock workers at the port of Valmora walked off the job on Tuesday, halting cargo traffic "
    "at the country's second-largest harbour.\n\n"
    "The strike was called by the Harbour Workers Union after talks over wages and night "
    "shifts collapsed late on Monday.\n\n"
    "Union leader Marta Kessler said the walkout would last at least 72 hours unless the port "
    "authority returned to the table with a better offer.\n\n"
    "The port authority said it regretted the decision and warned that perishable goods worth "
    "millions of euros were stuck on the quays.\n\n"
    "About 40 container ships were waiting outside the harbour by Tuesday evening, according "
    "to shipping data.\n\n"
    "Transport Minister Jonas Albers urged both sides to resume negotiations and said the "
    "government was ready to appoint a mediator.\n\n"
    "The last strike at Valmora, in 2019, lasted nine days and cost the regional economy an "
    "estimated 200 million euros.\n"
)
# The same wire story run by another outlet: new headline, two sentences edited, a plug added.
EDITED = (
    WIRE.replace("walked off the job on Tuesday", "walked out on Tuesday")
    .replace("urged both sides to resume negotiations", "called on both sides to resume talks")
    .rstrip()
    + "\n\nFollow our live coverage of the strike for updates throughout the week.\n"
)
# The same story told by an outlet of its own: same facts and names, its own words.
OWN = (
    "Cargo traffic at Valmora came to a standstill on Tuesday as dock workers began a strike "
    "over pay and night shifts.\n\n"
    "Marta Kessler, who leads the Harbour Workers Union, told reporters her members would stay "
    "out for 72 hours or more if no improved offer was made.\n\n"
    "Shipping trackers counted roughly 40 container vessels queuing off the coast by the "
    "evening, while exporters of fruit and fish feared heavy losses.\n\n"
    "Jonas Albers, the transport minister, offered a government mediator and asked both camps "
    "to get back to negotiations.\n"
)


def article(text: str, *, title: str, outlet: str, published: str | None = "2025-05-06") -> Article:
    raw = RawArticle(
        origin=f"{outlet}.txt", title=title, text=text, outlet=outlet, published=published
    )
    return prepare(raw)


def analysed(a: Article) -> Analysis:
    """An analysis without the NLP (enough for the store's duplicate bookkeeping)."""
    return Analysis(article=a, sentences=(), fingerprint=dedup.fingerprint(a.text))


def wire_articles() -> dict[str, Article]:
    return {
        "wire": article(WIRE, title="Port strike halts Valmora", outlet="Wire Service"),
        "exact": article(
            WIRE, title="Valmora dockers strike", outlet="Coast Times", published="2025-05-07"
        ),
        "near": article(
            EDITED, title="Ships pile up as port stops", outlet="Daily Ledger", published=None
        ),
        "own": article(OWN, title="Standstill in Valmora", outlet="Valmora Herald"),
    }


def rows(db: str, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def partition(store: Store, ids: list[str]) -> set[frozenset[str]]:
    groups = store.duplicate_groups(ids)
    by_group: dict[str, set[str]] = {}
    for article_id, group in groups.items():
        by_group.setdefault(group, set()).add(article_id)
    return {frozenset(members) for members in by_group.values()}


# --- fingerprints ----------------------------------------------------------------------------
def test_fingerprint_is_a_pure_function_of_the_text() -> None:
    assert dedup.fingerprint(WIRE) == dedup.fingerprint(WIRE)
    assert dedup.fingerprint(WIRE).text_hash == dedup.fingerprint(WIRE).text_hash
    assert len(dedup.bands(dedup.fingerprint(WIRE))) == dedup.LSH_BANDS
    assert dedup.bands(dedup.fingerprint("")) == []


def test_similarity_separates_copies_from_other_articles_of_the_story() -> None:
    wire, edited, own = (dedup.fingerprint(t) for t in (WIRE, EDITED, OWN))
    assert dedup.similarity(wire, wire) == 1.0
    assert dedup.similarity(wire, edited) >= dedup.NEAR_JACCARD
    assert dedup.similarity(wire, own) < 0.2


# --- grouping in the store -------------------------------------------------------------------
def test_exact_duplicate_under_a_new_headline(store: Store) -> None:
    a = wire_articles()
    assert a["wire"].id != a["exact"].id  # a new headline makes a new article…
    store.add(analysed(a["wire"]))
    store.add(analysed(a["exact"]))
    found = store.duplicates([a["wire"].id, a["exact"].id])
    # … that is the same text: one group, named after its first member
    assert {d.group_id for d in found.values()} == {a["wire"].id}
    assert {(d.kind, d.similarity) for d in found.values()} == {("exact", 1.0)}


def test_near_copy_is_grouped(store: Store) -> None:
    a = wire_articles()
    store.add(analysed(a["wire"]))
    store.add(analysed(a["near"]))
    found = store.duplicates([a["wire"].id, a["near"].id])
    assert set(found) == {a["wire"].id, a["near"].id}
    assert len({d.group_id for d in found.values()}) == 1
    assert all(d.kind == "near" and d.similarity >= dedup.NEAR_JACCARD for d in found.values())


def test_different_articles_of_the_same_story_are_not_grouped(store: Store) -> None:
    a = wire_articles()
    store.add(analysed(a["wire"]))
    store.add(analysed(a["own"]))
    assert store.duplicate_groups([a["wire"].id, a["own"].id]) == {}


def test_groups_do_not_depend_on_the_order_of_arrival(tmp_path: Path) -> None:
    a = wire_articles()
    ids = [x.id for x in a.values()]
    expected = {frozenset({a["wire"].id, a["exact"].id, a["near"].id})}
    for n, order in enumerate(itertools.permutations(a.values())):
        with Store.open(str(tmp_path / f"{n}.db")) as store:
            for x in order:
                store.add(analysed(x))
            assert partition(store, ids) == expected, [x.title for x in order]
            found = store.duplicates(ids)
            # what each member knows of its group does not depend on the order either
            assert {found[a["exact"].id].kind, found[a["wire"].id].kind} == {"exact"}
            assert found[a["near"].id].kind == "near"
            assert {d.original for d in found.values()} == {a["wire"].id}


def test_an_arrival_that_links_two_groups_merges_them(store: Store) -> None:
    """A ~ B and B ~ C but A !~ C: whichever arrives last, the three end in one group."""
    sentences = [f"Report {i} tells of event {i} in the valley of river {i}." for i in range(30)]
    a_text = " ".join(sentences[:20])
    b_text = " ".join(sentences[5:25])
    c_text = " ".join(sentences[10:30])
    fa, fb, fc = (dedup.fingerprint(t) for t in (a_text, b_text, c_text))
    assert dedup.similarity(fa, fb) >= dedup.NEAR_JACCARD > dedup.similarity(fa, fc)
    a, b, c = (article(t, title=t[-20:], outlet="X") for t in (a_text, b_text, c_text))
    for x in (a, c, b):  # B, the link, last
        store.add(analysed(x))
    groups = store.duplicate_groups([a.id, b.id, c.id])
    assert set(groups) == {a.id, b.id, c.id} and len(set(groups.values())) == 1
    assert groups[a.id] == a.id  # the group of the first to arrive keeps its id


def test_the_earliest_published_member_is_the_original(store: Store) -> None:
    a = wire_articles()
    late = article(WIRE, title="Late copy", outlet="Late News", published="2025-05-09")
    early = article(EDITED, title="Early copy", outlet="Early Bird", published="2025-05-01")
    for x in (late, a["wire"], a["near"], early):  # undated "near" never wins
        store.add(analysed(x))
    found = store.duplicates([late.id])
    assert found[late.id].group_id == late.id  # the group is named after its first member
    assert found[late.id].original == early.id  # its original is the earliest published


def test_adding_again_changes_nothing(store: Store, settings: Settings) -> None:
    a = wire_articles()
    for x in a.values():
        assert store.add(analysed(x)) is True
    tables = ("articles", "fingerprints", "lsh_buckets", "duplicates")
    before = {t: rows(settings.db, t) for t in tables}
    snapshot = store.duplicates([x.id for x in a.values()])
    for x in reversed(a.values()):
        assert store.add(analysed(x)) is False
    assert {t: rows(settings.db, t) for t in tables} == before
    assert store.duplicates([x.id for x in a.values()]) == snapshot
    assert before["fingerprints"] == before["articles"] == 4
    assert before["lsh_buckets"] == 4 * dedup.LSH_BANDS


def test_the_store_fingerprints_an_analysis_that_comes_without_one(store: Store) -> None:
    a = wire_articles()
    store.add(Analysis(article=a["wire"], sentences=()))
    store.add(Analysis(article=a["exact"], sentences=()))
    assert len(set(store.duplicate_groups([a["wire"].id, a["exact"].id]).values())) == 1


@pytest.mark.parametrize("failing", [schema.fingerprints, schema.lsh_buckets, schema.duplicates])
def test_a_failed_group_write_leaves_nothing_of_the_article(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch, failing: Any
) -> None:
    """Fingerprint, bucket and group rows exist iff the article row does."""
    a = wire_articles()
    store.add(analysed(a["wire"]))
    real_insert = store_module.insert

    def insert(table: Any) -> Any:
        if table is failing:
            raise OperationalError(f"INSERT INTO {table.name}", {}, Exception("disk I/O error"))
        return real_insert(table)

    monkeypatch.setattr(store_module, "insert", insert)
    with pytest.raises(StoreError, match=f"cannot write article {a['exact'].id}"):
        store.add(analysed(a["exact"]))
    monkeypatch.undo()
    assert not store.has(a["exact"].id)
    assert {t: rows(settings.db, t) for t in ("articles", "fingerprints", "duplicates")} == {
        "articles": 1,
        "fingerprints": 1,
        "duplicates": 0,
    }
    assert rows(settings.db, "lsh_buckets") == dedup.LSH_BANDS
    assert store.add(analysed(a["exact"])) is True  # no transaction was left open
    assert len(store.duplicate_groups([a["wire"].id, a["exact"].id])) == 2


# --- independence ----------------------------------------------------------------------------
def test_independence_keys_merge_outlets_and_groups_in_any_order() -> None:
    members = [
        ("a", "Wire", "g1"),
        ("b", "Coast Times", "g1"),
        ("c", "Coast Times", None),  # the same outlet as a copy: the same source
        ("d", "Herald", None),
        ("e", None, None),
        ("f", None, "g2"),
        ("g", None, "g2"),
    ]
    keys = independence_keys(members)
    assert keys["a"] == keys["b"] == keys["c"]
    assert keys["f"] == keys["g"]
    assert len(set(keys.values())) == 4
    assert independence_keys(reversed(members)) == keys


# --- the brief -------------------------------------------------------------------------------
def test_a_wire_story_run_by_three_outlets_is_one_source(tmp_path: Path) -> None:
    """Three outlets run one wire story (one with a new headline and edited sentences), a
    fourth tells it in its own words: two independent sources, and no item is corroborated by
    more than two."""
    folder = tmp_path / "wire"
    folder.mkdir()
    for name, outlet, headline, text, published in [
        ("1", "Wire Service", "Port strike halts Valmora", WIRE, "2025-05-06"),
        ("2", "Coast Times", "Valmora dockers strike", WIRE, "2025-05-07"),
        ("3", "Daily Ledger", "Ships pile up as port stops", EDITED, "2025-05-07"),
        ("4", "Valmora Herald", "Standstill in Valmora", OWN, "2025-05-06"),
    ]:
        (folder / f"{name}.txt").write_text(f"{headline}\n{text}", "utf-8")
        (folder / f"{name}.meta.json").write_text(
            json.dumps({"source": outlet, "published": published}), "utf-8"
        )
    settings = load_settings(env={}, db=str(tmp_path / "w.db"))
    with Store.open(settings.db) as store:
        report = pipeline.ingest(expand([str(folder)]), store, settings)
        assert report.ingested == 4
        brief = pipeline.brief(store, report.article_ids)
        again = pipeline.ingest(expand([str(folder)]), store, settings)
        assert (again.ingested, again.present) == (0, 4)
    data = to_dict(brief)
    assert len(data["sources"]) == 4
    assert data["independent_sources"] == 2
    summary = next(s["items"] for s in data["sections"] if s["key"] == "executive_summary")
    # the copies count once; the fourth outlet's paraphrases corroborate only where they tell
    # the same act (compare.corroborates), so an item has one or two sources, never three
    assert summary and max(i["independent_sources"] for i in summary) <= 2
    by_outlet = {s["outlet"]: s for s in data["sources"]}
    wire = by_outlet["Wire Service"]
    assert wire["same_text_as"] == 2 and wire["original"] is None and wire["copy"] is None
    assert by_outlet["Coast Times"]["original"] == wire["article_id"]
    assert by_outlet["Coast Times"]["copy"] == "exact"
    assert by_outlet["Daily Ledger"]["copy"] == "near"
    assert by_outlet["Daily Ledger"]["duplicate_group"] == wire["duplicate_group"]
    herald = by_outlet["Valmora Herald"]
    assert herald["duplicate_group"] is None and herald["same_text_as"] == 0
    # the group says each thing once, in the original's words
    copies = {by_outlet[o]["article_id"] for o in ("Coast Times", "Daily Ledger")}
    for section in data["sections"]:
        stated = [i["citations"][0]["article_id"] for i in section["items"]]
        assert not copies & set(stated), section["key"]
    timeline = next(s["items"] for s in data["sections"] if s["key"] == "timeline")
    assert len({i["text"] for i in timeline}) == len(timeline)
    markdown = render(brief, "md")
    assert "original; same text as 2 other outlets" in markdown
    number = 1 + [s["outlet"] for s in data["sources"]].index("Wire Service")
    assert f"near copy of [{number}] Wire Service" in markdown
    assert f"same text as [{number}] Wire Service" in markdown
    assert "same text as 2 other outlets" in render(brief, "html")
