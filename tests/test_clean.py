"""clean_text: scraper furniture is dropped with a reason; structure is kept as blocks whose
spans index the clean text exactly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from newsbrief.ingest.clean import CleanText, clean_text
from seed_facts import SEED_BOILERPLATE

LEAD = "The city council approved the new budget on Monday after a long and heated debate."
PROSE = (
    "The mayor said the vote was a relief for the city, whose schools had waited three years "
    "for the money, and promised that the first payments would reach them before the winter."
)


def _body(seeds: Path, name: str) -> str:
    """An article's text without its headline (the first line)."""
    return (seeds / name).read_text("utf-8").split("\n", 1)[1]


def _blocks(clean: CleanText) -> list[tuple[str, bool, str]]:
    return [(b.kind, b.in_summary, b.span.of(clean.text)) for b in clean.blocks]


def _lines(*lines: str) -> str:
    return "\n".join(lines)


@pytest.fixture
def seed_000(seeds: Path) -> tuple[str, CleanText]:
    body = _body(seeds, "000_64c8e49a1d5cd0eb.txt")
    return body, clean_text(body)


@pytest.mark.parametrize("furniture", SEED_BOILERPLATE)
def test_seed_furniture_is_dropped(seed_000: tuple[str, CleanText], furniture: str) -> None:
    body, clean = seed_000
    assert furniture in body
    assert furniture not in clean.text
    assert any(furniture in r.text for r in clean.removed)


def test_seed_removals_each_have_a_reason_and_come_from_the_input(
    seed_000: tuple[str, CleanText],
) -> None:
    body, clean = seed_000
    assert len(clean.removed) >= 5
    for removal in clean.removed:
        assert removal.reason.strip()
        assert removal.text in body


def test_seed_keeps_the_article(seed_000: tuple[str, CleanText]) -> None:
    _, clean = seed_000
    assert clean.text.startswith("Trump, Putin talked.")
    assert clean.text.endswith("remain firm.")
    assert "Strategic Diplomacy Amid Ukraine Conflict" in clean.text


def test_seed_bullets_lose_their_mark(seed_000: tuple[str, CleanText]) -> None:
    _, clean = seed_000
    assert "•" not in clean.text
    bullets = [text for kind, _, text in _blocks(clean) if kind == "bullet"]
    assert len(bullets) >= 5
    assert bullets[0].startswith("President Trump and President Putin held")


def test_seed_summary_block(seed_000: tuple[str, CleanText]) -> None:
    _, clean = seed_000
    blocks = _blocks(clean)
    headings = [text for kind, _, text in blocks if kind == "summary_heading"]
    assert headings == [
        "Executive Summary",
        "The Story So Far",
        "Why This Matters",
        "Who Thinks What?",
    ]
    assert all(in_summary for kind, in_summary, _ in blocks if kind == "bullet")
    body_heading = blocks.index(("heading", False, "Strategic Diplomacy Amid Ukraine Conflict"))
    assert not any(in_summary for _, in_summary, _ in blocks[body_heading:])
    assert blocks[0][:2] == ("paragraph", False)  # the lead comes before the summary block


@pytest.mark.parametrize(
    "heading",
    [
        "Executive Summary",
        "The Story So Far",
        "• The Story So Far",
        "Why This Matters",
        "Who Thinks What?",
        "Key Takeaways:",
    ],
)
def test_summary_heading_marks_the_bullets_after_it(heading: str) -> None:
    clean = clean_text(
        _lines(LEAD, heading, "• The budget grows by four percent.", "• Schools get most of it.")
    )
    assert _blocks(clean) == [
        ("paragraph", False, LEAD),
        ("summary_heading", True, heading.removeprefix("• ")),
        ("bullet", True, "The budget grows by four percent."),
        ("bullet", True, "Schools get most of it."),
    ]


def test_body_heading_or_paragraph_ends_the_summary_block() -> None:
    clean = clean_text(
        _lines(
            "Key Points",
            "• The budget grows by four percent.",
            "Council Reaction",
            "• Two members voted against it.",
            "Executive Summary",
            "- Schools get most of the money.",
            PROSE,
        )
    )
    assert [(kind, in_summary) for kind, in_summary, _ in _blocks(clean)] == [
        ("summary_heading", True),
        ("bullet", True),
        ("heading", False),
        ("bullet", False),
        ("summary_heading", True),
        ("bullet", True),
        ("paragraph", False),
    ]


def test_comments_marker_before_a_long_paragraph_keeps_the_paragraph() -> None:
    clean = clean_text(_lines(LEAD, "Comments", PROSE))
    assert clean.text == f"{LEAD}\n\n{PROSE}"
    assert [(r.text, r.reason) for r in clean.removed] == [("Comments", "boilerplate")]


def test_comment_form_trailer_of_short_lines_is_dropped() -> None:
    trailer = ["3 Comments", "Name *", "Email *", "Post Comment"]
    clean = clean_text(_lines(LEAD, PROSE, *trailer))
    assert clean.text == f"{LEAD}\n\n{PROSE}"
    assert [r.text for r in clean.removed] == trailer
    assert {r.reason for r in clean.removed} == {"comment form"}


def test_comment_count_above_a_short_line_article_keeps_the_article() -> None:
    """A news flash of short lines under a "3 Comments" header is not a comment form."""
    flash = ["Storm closes the harbour.", "Ferries stay in port until noon.", "Schools open late."]
    clean = clean_text(_lines("3 Comments", *flash))
    assert clean.text == "\n\n".join(flash)
    assert [(r.text, r.reason) for r in clean.removed] == [("3 Comments", "boilerplate")]


def test_line_repeated_later_is_removed() -> None:
    clean = clean_text(_lines(LEAD, PROSE, LEAD.upper()))
    assert clean.text == f"{LEAD}\n\n{PROSE}"
    assert [(r.text, r.reason) for r in clean.removed] == [(LEAD.upper(), "repeated line")]


def test_doubled_line_is_removed() -> None:
    alt = "Members of the council raise their hands during the budget vote"
    clean = clean_text(_lines(LEAD, f"{alt} {alt}", PROSE))
    assert clean.text == f"{LEAD}\n\n{PROSE}"
    assert len(clean.removed) == 1
    assert clean.removed[0].reason.startswith("caption")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Share this article", "boilerplate"),
        ("Advertisement", "boilerplate"),
        ("Sign up for our daily newsletter!", "boilerplate"),
        ("Credit: Reuters/Jane Doe", "photo credit"),
        ("Photo: Reuters", "image caption"),
        ("A composite image showing the mayor and the council.", "image caption"),
        (
            "You can add location information to your Tweets, such as your city or precise"
            " location, from the web and via third-party applications. Learn more",
            "boilerplate",
        ),
        ("The interactive transcript could not be loaded.", "boilerplate"),
        (
            "These crawls are part of an effort to archive pages as they are created and archive"
            " the pages that they refer to.",
            "boilerplate",
        ),
    ],
)
def test_furniture_line_reasons(line: str, reason: str) -> None:
    clean = clean_text(_lines(LEAD, line, PROSE))
    assert clean.text == f"{LEAD}\n\n{PROSE}"
    assert [(r.text, r.reason) for r in clean.removed] == [(line, reason)]


def test_long_prose_starting_like_a_caption_is_kept() -> None:
    prose = "Photos of the flooded square " + " ".join(["spread quickly online"] * 30) + "."
    clean = clean_text(_lines(LEAD, prose))
    assert prose in clean.text
    assert clean.removed == ()


@pytest.mark.parametrize(
    "raw",
    [
        _lines(LEAD, "", "  • indented bullet", "\tTabbed Heading", PROSE),
        "\r\n".join([LEAD, "Share", PROSE, "Comments", "Name *"]),
        "Caf\u00e9\u00a0owners\u200b said so.\n\n\n" + PROSE,
    ],
    ids=["blank-and-indented", "crlf-with-furniture", "odd-spaces"],
)
def test_block_spans_index_the_clean_text(raw: str) -> None:
    clean = clean_text(raw)
    texts = [b.span.of(clean.text) for b in clean.blocks]
    assert "\n\n".join(texts) == clean.text
    assert all(t and t == t.strip() and "\n" not in t for t in texts)


def test_seed_block_spans_index_the_clean_text(seed_000: tuple[str, CleanText]) -> None:
    _, clean = seed_000
    assert "\n\n".join(b.span.of(clean.text) for b in clean.blocks) == clean.text
    assert [b.span.start for b in clean.blocks] == sorted(b.span.start for b in clean.blocks)


def test_many_short_lines_take_linear_time() -> None:
    """Each comment-form marker looked at every line before and after it for prose: a text of
    20,000 short lines, markers among them, took minutes. Now the longest lines are found
    once."""
    lines = [f"{n} comments" if n % 2 else f"Short line {n}" for n in range(20_000)]
    start = time.perf_counter()
    cleaned = clean_text("\n".join([LEAD, *lines, PROSE]))
    assert time.perf_counter() - start < 5
    assert cleaned.text.startswith(LEAD) and cleaned.text.endswith(PROSE)  # no trailer: prose after
    trailer = clean_text("\n".join([LEAD, PROSE, "3 Comments", *lines]))
    assert trailer.text == f"{LEAD}\n\n{PROSE}"
