"""Generated inputs (tests/fuzzing.py) through the real readers, pipeline, CLI and web app:
no uncaught exception and no fault that isolation hid, every input accounted for in the
report, exit codes as README says, ingest idempotent, a store in which every article is in one
story and every story can be briefed, messages that quote only an excerpt; no 500 and the
security headers on every response. Nothing reaches the network.

A fixed number of examples per target, derandomized (the same inputs on every run), small
ones (tests/fuzzing.SMALL): about a minute on two cores. bench/fuzz.py runs the same
generators, larger, for as long as asked.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

import fuzzing

TARGETS = fuzzing.targets(fuzzing.SMALL)


def _examples(n: int) -> settings:
    """``n`` examples, the same on every run; no deadline (an example that parses, analyses
    and briefs takes up to a second on a busy machine); a failing one shrunk, not explained
    (which reruns it for minutes)."""
    return settings(
        max_examples=n,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def workspace() -> Iterator[fuzzing.Workspace]:
    """Models loaded once for the module; the app over the sample store when first asked."""
    opened = fuzzing.Workspace()
    yield opened
    opened.close()


def _fuzz(name: str, examples: int, doc: str) -> Callable[..., None]:
    """A test that runs ``examples`` cases of the target ``name``."""

    @_examples(examples)
    @given(case=TARGETS[name].cases)
    def test(workspace: fuzzing.Workspace, case: Any) -> None:
        TARGETS[name].run(case, workspace)

    test.__doc__ = doc
    return test


# Examples per target: what fits in about a minute in all (each a fresh store; the text
# cases brief stories of up to five articles, the feed cases parse the most).
test_text_files_with_sidecars = _fuzz("txt", 60, "txt + NAME.meta.json, and stories of copies")
test_json_lines = _fuzz("jsonl", 70, "JSON lines, good and bad")
test_html_pages_plain_and_gzipped = _fuzz("html", 90, ".html and .html.gz")
test_rss_and_atom_feeds = _fuzz("feed", 50, "RSS 2.0, RSS 1.0 and Atom, whole and damaged")
test_warc_archives_whole_and_damaged = _fuzz("warc", 70, "WARC records, whole and damaged")
test_api_and_pages_on_odd_paths_and_queries = _fuzz("api-get", 200, "GET, HEAD, others")
test_api_ingest_of_odd_bodies = _fuzz("api-ingest", 100, "POST /api/ingest")


def test_a_case_that_reaches_for_the_network_fails(workspace: fuzzing.Workspace) -> None:
    """The guard under every case: a feed entry whose link names a public host is refused
    before any packet leaves, and the case fails for it."""
    teaser = (
        "<rss version='2.0'><channel><title>T</title><item><title>A</title>"
        "<link>http://example.com/story</link><description>A teaser.</description></item>"
        "</channel></rss>"
    )
    case = fuzzing.FileCase(files=(fuzzing.Written(name=b"feed.rss", data=teaser.encode()),))
    with pytest.raises(fuzzing.Broken, match=r"network: DNS query for 'example\.com'"):
        TARGETS["feed"].run(case, workspace)
    with fuzzing.offline() as attempts, pytest.raises(OSError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    assert attempts == ["connection to ('192.0.2.1', 80)"]
