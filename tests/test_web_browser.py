"""The pages in a real browser: Playwright drives Debian's chromium (/usr/bin/chromium, which
`make test` installs; never a `playwright install` download) against the app served by uvicorn
on 127.0.0.1, over a store of the two seed articles and one hostile article.

A citation marker opens its exact source sentence and leads to it highlighted in its article;
HTML and script in an article's title, text and URL are shown as text, never run; a story reads
on a phone without sideways scrolling; no page logs an error or breaks its
Content-Security-Policy. Screenshots go to test-artifacts/ at the repository's root.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

from newsbrief import nlp, pipeline
from newsbrief.ingest import expand
from newsbrief.records import RawArticle
from newsbrief.settings import load_settings
from newsbrief.store import Store
from newsbrief.web import create_app
from web_server import serving

CHROMIUM = Path("/usr/bin/chromium")
SEEDS = Path(__file__).parent / "fixtures" / "seeds"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}  # an iPhone 12 to 15 in CSS pixels
WAIT_MS = 10_000  # for any one browser action: the pages are small and local

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '<a href="javascript:alert(3)">x</a>',
)
PAYLOAD = " ".join(PAYLOADS)
HOSTILE = RawArticle(
    origin="hostile",
    title=f"Harbour vote {PAYLOAD}",
    outlet="Hostile Gazette",
    url="javascript:alert(4)",
    text=(
        f"The city council met on Tuesday to discuss the harbour plan {PAYLOAD}. "
        "Members of the council argued for two hours about the cost of the new sea wall. "
        f"The mayor said the vote would take place next month {PAYLOAD}. "
        "Residents who live near the harbour have asked for a public meeting before then."
    ),
)
# Set on every new document before the page's own content: a CSP violation is reported on the
# console, where the pages' watcher collects it (init scripts are not subject to the CSP).
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => console.error(
  `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
  + ` at ${e.sourceFile}:${e.lineNumber}`));
"""
# Attributes that would run script: on* handlers, javascript: URLs in any attribute.
SCRIPTED_ATTRIBUTES = """
() => [...document.querySelectorAll("*")].flatMap((el) => [...el.attributes]
  .filter((a) => a.name.startsWith("on") || /^\\s*javascript:/i.test(a.value))
  .map((a) => `<${el.localName} ${a.name}="${a.value}">`))
"""
# The innermost elements that reach past a width (the phone's), for an overflow's message: by
# their box, or by content that does not wrap (a long word) in a box that does not scroll.
OVERFLOWING = """
(width) => {
  const right = (el) => {
    const box = el.getBoundingClientRect();
    const scrolls = getComputedStyle(el).overflowX !== "visible";
    return box.left + (scrolls ? box.width : Math.max(box.width, el.scrollWidth));
  };
  const over = [...document.querySelectorAll("body *")]
    .filter((el) => !el.closest("svg") && right(el) > width + 1);
  return over.filter((a) => !over.some((b) => b !== a && a.contains(b))).slice(0, 5)
    .map((el) => `<${el.localName} class="${el.getAttribute("class") || ""}"> reaches `
      + `${Math.round(right(el))}px: ${el.textContent.trim().slice(0, 80)}`);
}
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """The running app and what the tests look for in it."""

    url: str
    seed_story: str
    seed_sentences: frozenset[str]  # every sentence of the two seed articles
    hostile_story: str
    hostile_article: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app over a store built by the real pipeline (the seed story with a kept brief, the
    hostile article in a story of its own), served by uvicorn in a background thread."""
    db = tmp_path_factory.mktemp("web") / "t.db"
    settings = load_settings(env={}).replace(db=str(db))
    with Store.open(settings.db) as store:
        report = pipeline.ingest([*expand([str(SEEDS)]), HOSTILE], store, settings)
        assert report.ingested == 3 and not report.rejected, report.summary()
        *seed_ids, hostile_id = report.article_ids  # in input order
        stories = {frozenset(store.story_articles(s)): s for s in report.stories}
        assert set(stories) == {frozenset(seed_ids), frozenset([hostile_id])}, stories
        seed_story, hostile_story = stories[frozenset(seed_ids)], stories[frozenset([hostile_id])]
        pipeline.brief_story(store, seed_story, nlp.load_encoder(settings))
        sentences = frozenset(s.text for a in store.load(seed_ids) for s in a.sentences)

    with serving(create_app(settings)) as url:
        yield Site(
            url=url,
            seed_story=seed_story,
            seed_sentences=sentences,
            hostile_story=hostile_story,
            hostile_article=hostile_id,
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless chromium for the module."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"the browser tests drive Debian's chromium at {CHROMIUM}, which is missing: "
            "`make test` installs it (apt-get install chromium)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def problems() -> list[str]:
    """Console errors, CSP violations, uncaught exceptions and dialogs of every page the
    module's tests open (test_no_page_logs_an_error asserts there are none)."""
    return []


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@contextmanager
def open_page(browser: Browser, problems: list[str], **options: Any) -> Iterator[Page]:
    """A page in a fresh browser context (``options``: its viewport and device), every
    problem it logs recorded in ``problems``; a dialog is recorded and dismissed."""
    context = browser.new_context(**{"viewport": DESKTOP, **options})
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(REPORT_CSP)
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"{page.url}: console error: {message.text}")

    def on_dialog(dialog: Dialog) -> None:
        problems.append(f"{page.url}: {dialog.type} dialog opened: {dialog.message!r}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: uncaught {error}"))
    page.on("dialog", on_dialog)
    try:
        yield page
    finally:
        context.close()


def goto(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"


def test_a_citation_marker_shows_its_sentence_and_leads_to_it_highlighted(
    site: Site, browser: Browser, problems: list[str], artifacts: Path
) -> None:
    with open_page(browser, problems) as page:
        goto(page, site.url + "/")
        page.locator(f'a.story-link[href="/stories/{site.seed_story}"]').click()
        page.wait_for_url(f"**/stories/{site.seed_story}")

        cite = page.locator("details.cite").first
        sentence = cite.locator(".source-sentence")
        assert not sentence.is_visible()  # closed until clicked
        cite.locator("summary").click()
        assert sentence.is_visible()
        cited = sentence.inner_text()
        assert cited in site.seed_sentences, f"not a sentence of the seed articles: {cited!r}"
        page.screenshot(path=artifacts / "story-citation.png")

        cite.locator("a.source-link").click()
        page.wait_for_url("**/articles/**")
        highlight = page.locator("mark#hl")
        assert highlight.is_visible()
        assert highlight.inner_text() == cited


@pytest.mark.parametrize("where", ["list", "story", "sources", "article"])
def test_a_hostile_article_is_shown_as_text_and_never_run(
    site: Site, browser: Browser, problems: list[str], where: str
) -> None:
    path = {
        "list": "/",
        "story": f"/stories/{site.hostile_story}",
        "sources": f"/stories/{site.hostile_story}/sources",
        "article": f"/articles/{site.hostile_article}",
    }[where]
    dialogs: list[str] = []
    with open_page(browser, problems) as page:
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        goto(page, site.url + path)  # returns once the page has loaded

        assert dialogs == [], f"{path}: a dialog opened, so article script ran"
        # the pages use no script and no image at all: any here came from the article
        assert page.locator("script").count() == 0, f"{path}: a script element"
        assert page.locator("img").count() == 0, f"{path}: an img element"
        assert page.locator('a[href^="javascript:" i]').count() == 0, f"{path}: a javascript: link"
        assert page.evaluate(SCRIPTED_ATTRIBUTES) == [], f"{path}: attributes that run script"
        shown = page.inner_text("body")
        for payload in PAYLOADS:
            assert payload in shown, f"{path}: {payload!r} is not shown as text"


@pytest.mark.parametrize("which", ["seed", "hostile"])
def test_a_story_reads_on_a_phone_without_sideways_scrolling(
    site: Site, browser: Browser, problems: list[str], artifacts: Path, which: str
) -> None:
    """The seed story with a citation open, and the hostile one: its title holds words too
    long for a line (``href="javascript:alert(3)">x</a>``), as a URL in an article's text
    would be."""
    story = {"seed": site.seed_story, "hostile": site.hostile_story}[which]
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
    with open_page(browser, problems, **phone) as page:
        goto(page, f"{site.url}/stories/{story}")
        page.locator("details.cite > summary").first.click()  # an open marker must fit too
        name = "story-phone.png" if which == "seed" else f"story-phone-{which}.png"
        page.screenshot(path=artifacts / name, full_page=True)
        width, inner = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        # a mobile browser zooms out to fit wide content, widening innerWidth: hold both
        assert width <= min(inner, PHONE["width"]) + 1, (
            f"the story page is {width}px wide on a {PHONE['width']}px phone "
            f"(innerWidth {inner}px); overflowing: {page.evaluate(OVERFLOWING, PHONE['width'])}"
        )


def test_no_page_logs_an_error(site: Site, browser: Browser, problems: list[str]) -> None:
    """Over the pages the tests above opened, and (so that this test holds on its own too)
    every kind of page once more: the story list, both stories and their sources, an article
    with a highlight, the API reference."""
    with open_page(browser, problems) as page:
        goto(page, site.url + "/")
        for story in (site.seed_story, site.hostile_story):
            goto(page, f"{site.url}/stories/{story}")
            goto(page, f"{site.url}/stories/{story}/sources")
        goto(page, f"{site.url}/stories/{site.seed_story}")
        page.locator("details.cite > summary").first.click()
        page.locator("details.cite a.source-link").first.click()
        page.wait_for_url("**/articles/**")
        goto(page, site.url + "/api")
    assert not problems, "\n".join(problems)
