"""Generated inputs for every reader and for the web API, and the promises each one is checked
against: what tests/test_fuzz.py runs a few hundred of in `make test`, and bench/fuzz.py runs
for as long as asked.

A *target* is a hypothesis strategy of cases and the function that runs one case through the
real code. File cases are written into a fresh folder and ingested, by ``pipeline.ingest`` on a
fresh SQLite store or by the ``newsbrief`` command (typer's CliRunner); API cases are requests
to the app (FastAPI's TestClient) over a store holding the sample story. What they reach:

- text (``.txt`` + ``NAME.meta.json``): any bytes and encodings (BOMs, UTF-16/32 and UTF-7,
  invalid UTF-8, NULs and control characters), very long lines, many short lines, empty and
  one-line texts, a text over the analysis limit; sidecars nested 100,000 deep, integers of
  5,000 digits, lone surrogates (``"\\ud800"``), wrong types, unknown keys, odd and
  out-of-range dates; file names that are not UTF-8, too long for a sidecar, hidden, of
  another type; paths that are missing or too long for the file system; and stories: two to
  five outlets' versions of one article (copies, near copies, figures that differ, dates a
  day apart or at the ends of the accepted range), briefed together;
- JSON lines (``.jsonl``): the same values line by line, with junk, blank and BOM-led lines;
- HTML (``.html``, ``.html.gz``): pages declaring every kind of charset label (``idna``,
  ``punycode``, ``undefined``, ``utf-7``, ``rot13``, ``x-user-defined``, unknown names) over
  bytes of another encoding, markup fragments (a lone ``<svg>``, scripts, unclosed tags,
  ``&#xD800;``), odd dates; gzip that is corrupt, truncated, multi-member, doubled, empty or a
  bomb;
- feeds (``.rss``, ``.atom``, ``.xml``): RSS 2.0, RSS 1.0 and Atom with full-content entries,
  teasers whose links are refused before any connection (``http://127.0.0.1:1/``, with
  allow_private off) or are no URL, references to no character, entity declarations, odd
  dates, truncated documents;
- WARC (``.warc``, ``.warc.gz``): records written with warcio's WARCWriter (responses of
  every status and type, request, warcinfo, revisit, dns), then damaged: declared lengths
  wrong, negative, huge or missing, header lines over 64 KB, odd HTTP heads, garbage between
  records, bytes flipped, the file truncated, a gzip bomb;
- the API: GET and HEAD on every route with odd ids, numbers and query strings, and
  ``POST /api/ingest`` with and without the token, with odd bodies (wrong types, surrogates,
  deep nesting, huge numbers, invalid UTF-8, chunked).

What every case must keep (README, "What ingest refuses, and why"): no exception, and no
fault that per-input isolation caught (caught_faults); every input accounted for as ingested,
already present, failed or skipped; exit codes 0/1/2 as documented (CLI); the same run again
adds nothing; every stored article in one story, every story briefed and rendered; messages
of at most about 1,000 characters. For the API: no 500, the security headers on every
response, each article and URL of an ingest accounted for. A case that breaks one raises
Broken (or the exception itself); failure_key tells failures apart.

Nothing reaches the network: feed links and API URLs are loopback or not URLs, and ``offline``
refuses (and reports) any DNS query or connection all the same.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import io
import json
import os
import re
import shlex
import shutil
import socket
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

from hypothesis import strategies as st

import newsbrief
from newsbrief import errors, nlp, pipeline
from newsbrief.brief import render
from newsbrief.ingest import expand
from newsbrief.records import REASON_CHARS
from newsbrief.settings import CONFIG_ENV, ENV_PREFIX, Settings, load_settings
from newsbrief.store import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "newsbrief" / "data" / "samples"
PACKAGE = Path(newsbrief.__file__).resolve().parent
# A message (a failure's reason, a warning, a line the CLI prints) is one line to act on:
# the origin and what went wrong, quoting at most an excerpt of the input (README: 80
# characters). Origins are paths and URLs (a WARC's 60 KB target URI among them), so the bound
# is the records' own, with room for the "… (N characters)" that an excerpt ends with and the
# CLI's "warning: " before it.
MESSAGE_CHARS = REASON_CHARS + 60
TOKEN = "fuzz-token"

# --- what generated text holds -----------------------------------------------------------

# Characters that broke readers and terminals: lone surrogates, NUL and other C0/C1 controls,
# byte-order marks, bidi overrides, zero-width and line/paragraph separators, noncharacters,
# combining marks, the last code point.
ODD_CHARACTERS = (
    "\ud800", "\udfff", "\udce9", "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b",
    "\x7f", "\x85", "\x9b", "\ufeff", "\ufffe", "\uffff", "\ufffd", "\u202e", "\u200b",
    "\u2028", "\u2029", "\u0301", "\U0010ffff", "\U0001f600", "\r", "\t", "“", "’",
)  # fmt: skip
# Charset labels a page, a feed or an HTTP header may declare: the web's encodings, labels
# Python's codec registry knows that are no text encoding, and names of nothing.
CHARSET_LABELS = (
    "utf-8", "UTF8", "utf-16", "utf-16le", "utf-32", "iso-8859-1", "latin1", "windows-1252",
    "shift_jis", "euc-kr", "gb2312", "big5", "koi8-r", "iso-8859-8-i", "x-mac-cyrillic",
    "idna", "punycode", "undefined", "utf-7", "rot13", "rot_13", "x-user-defined", "base64",
    "hex", "zlib", "bz2", "uu", "quopri", "mbcs", "unicode-escape", "raw_unicode_escape",
    "palmos", "cp65001", "no-such-charset", "", "utf-8\x00", "a" * 300,
)  # fmt: skip
# How text becomes bytes: Python codecs (undecodable characters replaced) and a few ways
# of being wrong.
CODECS = (
    "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-7", "latin-1",
    "cp1252", "shift_jis", "gb18030", "koi8-r", "euc-kr", "big5", "iso2022_jp", "mac-roman",
    "surrogatepass", "bom-then-latin-1",
)  # fmt: skip
# Dates as users and pages write them: valid, out of range (before 1900, far future, the
# calendar's ends), invalid, other formats, other types.
ODD_DATES: tuple[object, ...] = (
    "2025-10-17", "2025-10-17T09:30:00+02:00", "2025-10-17T09:30:00Z", "1899-12-31",
    "1900-01-01", "0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31",
    "9999-12-31T23:59:59-12:00", "2999-01-01", "17/10/2025", "2025-02-30", "2025-10-17T25:00",
    "+10000-01-01", "2025-W42", "yesterday", "", " ", "\ud800", 1760000000, 2**70, -1, 1.5,
    None, True, [], {"year": 2025},
)  # fmt: skip
# The same in RFC 822 form, as RSS writes them.
FEED_DATES = (
    "Fri, 17 Oct 2025 09:30:00 +0000", "Fri, 31 Dec 9999 23:59:59 -1200",
    "Mon, 01 Jan 0001 00:00:00 +1400", "Thu, 32 Foo 2025 99:99:99 GMT", "Sun, 31 Dec 1899 "
    "00:00:00 GMT", "2025-10-17T09:30:00Z", "0000-00-00T00:00:00Z", "10000-01-01T00:00:00Z",
    "", "now",
)  # fmt: skip
# Markup that parsers choke on, alone or inside a page.
FRAGMENTS = (
    "<svg><title>x</title></svg>", "<svg><title>", "<script>document.write('<p>x')</script>",
    "<style>p{}</style>", "<p><b><i>unclosed", "</p></div></body>", "<!--", "<!-- a -- b -->",
    "<![CDATA[ x ]]>", "<![foo[", "<?xml version='1.0'?>", "&#xD800;", "&#0;", "&#x110000;",
    "&#99999999999999;", "&#x0000000000041;", "&nbsp;&foo;&", "<math><mi>x</mi></math>",
    "<template><p>hidden</p></template>", "<noscript><p>no</p></noscript>",
    "<base href='javascript:alert(1)'>", "<img src=x onerror=alert(1)>", "<table><tr><td>",
    "<p title='\x00'>", "<a href='http://127.0.0.1:1/'>link</a>", "<meta charset='idna'>",
    "</html><html>", "<frameset><frame>", "<select><option>", "<plaintext>", "<xmp><p>",
    "<object data=x>", "<![if !IE]>",
)  # fmt: skip


def fragment() -> st.SearchStrategy[str]:
    """One of FRAGMENTS, or an element opened (or a line broken) hundreds of times."""
    deep = st.tuples(
        st.sampled_from(["<div>", "<p>", "<br/>", "<b>", "<table>"]), st.integers(10, 500)
    )
    return st.sampled_from(FRAGMENTS) | deep.map(lambda t: t[0] * t[1])


NAMES = (
    "Anna Berg", "Mayor Tom Okafor", "President Lee", "Dr. Sofia Marquez", "the council",
    "the ministry", "Zoë Ångström", "José Ñúñez", "O'Brien-Smith", "李明", "Reuters",
)  # fmt: skip
VERBS = ("said", "announced", "denied", "approved", "rejected", "warned", "confirmed")
OBJECTS = (
    "the harbour plan", "a budget of $43 million", "55,000 pages of records", "the new bridge",
    "a 3.5% rise in fares", "the ceasefire talks", "two and a half hours of debate",
    "the election result", "a deal with 12 countries",
)  # fmt: skip
TIMES = (
    "", "on Tuesday", "last week", "on 17 October 2025", "in August", "next spring",
    "in 1899", "on 31 December 9999", "since 2002", "in recent weeks", "on 30 February 2024",
    "in the year 10000", "on 1 January 0001",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Scale:
    """How large generated inputs may grow: small in `make test`, larger in bench/fuzz.py."""

    lines: int  # many short lines: at most this many
    line_chars: int  # one long line: at most this many characters
    sentences: int  # sentences of prose
    huge: bool  # inputs past the size limits (a 200,001-character text, a gzip bomb …)


SMALL = Scale(lines=300, line_chars=20_000, sentences=8, huge=False)
LARGE = Scale(lines=5_000, line_chars=300_000, sentences=40, huge=True)


def odd_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Text of any characters, odd ones (surrogates included) made likely."""
    char = st.one_of(st.sampled_from(ODD_CHARACTERS), st.characters(codec=None))
    return st.text(char, max_size=max_size)


def sentence() -> st.SearchStrategy[str]:
    """A news sentence: who did or said what, when; sometimes a quote."""
    said = st.tuples(
        st.sampled_from(NAMES), st.sampled_from(VERBS), st.sampled_from(OBJECTS),
        st.sampled_from(TIMES), st.booleans(),
    )  # fmt: skip

    def build(parts: tuple[str, str, str, str, bool]) -> str:
        who, verb, what, when, quoted = parts
        if quoted:
            return f"“We {verb} {what} {when},” {who} said.".replace(" ,", ",")
        return " ".join(p for p in (who, verb, what, when) if p).capitalize() + "."

    return said.map(build)


def prose(scale: Scale, min_sentences: int = 1) -> st.SearchStrategy[str]:
    """Paragraphs of news sentences."""
    paragraph = st.lists(sentence(), min_size=1, max_size=4).map(" ".join)
    most = max(min_sentences, scale.sentences // 2)
    return st.lists(paragraph, min_size=min_sentences, max_size=most).map("\n\n".join)


def _spliced(parts: tuple[str, str, int]) -> str:
    text, odd, at = parts
    at %= len(text) + 1
    return text[:at] + odd + text[at:]


def article_text(scale: Scale) -> st.SearchStrategy[str]:
    """The body of an article: prose, prose with odd characters or markup in it, one very
    long line, many short lines, nothing, odd characters alone, or past the analysis limit."""
    word = st.sampled_from(["harbour", "council", "Berg", "x", "—", "日本", "\u200b"])
    kinds = [
        prose(scale),
        st.tuples(prose(scale), odd_text() | fragment(), st.integers()).map(_spliced),
        st.tuples(word, st.integers(1_000, scale.line_chars), st.booleans()).map(
            lambda t: ((t[0] + (" " if t[2] else "")) * t[1])[: t[1]]
        ),
        st.tuples(sentence(), st.integers(10, scale.lines)).map(lambda t: "\n".join([t[0]] * t[1])),
        st.integers(10, scale.lines).map(lambda n: "\n".join(f"{i}." for i in range(n))),
        st.sampled_from(["", " ", "\n\n\n", "One line only", "\ufeff", "\x00" * 10]),
        odd_text(200),
    ]
    if scale.huge:  # past max_article_chars (200,000): refused before the analysis
        kinds.append(st.just(6_700).map(lambda n: "Words of a long article go on. " * n))
    return st.one_of(kinds)


def encode(text: str, codec: str) -> bytes:
    """``text`` as bytes in ``codec`` (one of CODECS), what it cannot hold replaced."""
    if codec == "surrogatepass":  # lone surrogates as their (invalid) UTF-8 bytes
        return text.encode("utf-8", "surrogatepass")
    if codec == "bom-then-latin-1":  # a mark that lies
        return b"\xef\xbb\xbf" + text.encode("latin-1", "replace")
    return text.encode(codec, "replace")


def encoded(text: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """``text`` in any of CODECS, or with bytes flipped, or plain binary."""
    flips = st.lists(st.tuples(st.integers(0, 2**16), st.integers(0, 255)), max_size=4)
    return st.one_of(
        st.builds(encode, text, st.sampled_from(CODECS)),
        st.builds(_flipped, st.builds(encode, text, st.just("utf-8")), flips),
        st.binary(max_size=300),
    )


def _flipped(data: bytes, flips: Sequence[tuple[int, int]]) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for at, value in flips:
        out[at % len(out)] = value
    return bytes(out)


def json_value() -> st.SearchStrategy[Any]:
    """Any JSON value, odd strings and huge numbers made likely."""
    scalar = st.one_of(
        st.none(), st.booleans(), st.integers(), st.sampled_from([2**70, -(2**63), 10**99]),
        st.floats(), odd_text(20), st.sampled_from(ODD_DATES),
    )  # fmt: skip
    return st.recursive(
        scalar,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text(6), inner, max_size=3),
        max_leaves=6,
    )


META_KEYS = ("source", "outlet", "url", "published", "date", "authors", "language", "title")


def sound_metadata() -> st.SearchStrategy[dict[str, Any]]:
    """Metadata as a careful scraper writes it: every value of the right type and in range."""
    return st.fixed_dictionaries(
        {},
        optional={
            "source": st.sampled_from(["Example Times", "Le Monde", "Die Zeit"]),
            "url": st.integers(0, 99).map(lambda n: f"https://example.com/news/{n}"),
            "published": st.sampled_from(["2025-10-17", "2025-10-16T08:00:00+02:00", "2024-02-29"]),
            "authors": st.sampled_from([["Anna Berg"], ["Tom Okafor", "Lee Min"], "Zoë Ångström"]),
            "language": st.just("en"),
        },
    )


def sound_article(scale: Scale) -> st.SearchStrategy[tuple[str, str]]:
    """A headline and the text of an article that ingest takes."""
    return st.tuples(sentence(), prose(scale, min_sentences=2))


def metadata() -> st.SearchStrategy[dict[str, Any]]:
    """A sidecar's or JSON line's metadata: known keys with good, odd or wrong values, now and
    then an unknown key."""
    good: dict[str, st.SearchStrategy[Any]] = {
        "source": st.sampled_from(["Example Times", "Le Monde", ""])
        | st.just("x").map(lambda x: x * 2_000),
        "url": st.sampled_from(["https://example.com/a", "javascript:alert(1)", "not a url"]),
        "published": st.sampled_from(ODD_DATES),
        "authors": st.sampled_from([["Anna Berg"], "Anna Berg", [1, 2], [], [""], None]),
        "language": st.sampled_from(["en", "EN-gb", "xx", ""]),
        "title": odd_text(60) | sentence(),
    }
    value = {k: st.one_of(good.get(k, st.nothing()), odd_text(), json_value()) for k in META_KEYS}
    known = st.fixed_dictionaries({}, optional=value)
    unknown = st.dictionaries(st.sampled_from(["note", "id", "html", "extra", ""]), json_value())
    return st.builds(lambda a, b: {**a, **b}, known, unknown | st.just({}))


def dumps(value: Any, ascii_only: bool) -> str:
    """JSON text; lone surrogates are ``\\udXXX`` escapes when ``ascii_only``, else raw."""
    return json.dumps(value, ensure_ascii=ascii_only, allow_nan=True)


def json_document(value: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """``value`` as JSON bytes, or JSON the limits refuse (deep nesting, numbers of thousands of
    digits), or no JSON at all."""
    depth = st.sampled_from([32, 33, 1_000, 100_000])
    return st.one_of(
        st.builds(dumps, value, st.booleans()).map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.builds(dumps, value, st.booleans()).map(lambda s: s.encode("utf-16", "surrogatepass")),
        st.builds(dumps, value, st.just(True)).map(lambda s: b"\xef\xbb\xbf" + s.encode()),
        depth.map(lambda n: ('{"note": ' + "[" * n + "]" * n + "}").encode()),
        depth.map(lambda n: ('{"note": ' + '{"a":' * n + "1" + "}" * n + "}").encode()),
        st.sampled_from([100, 101, 4_300, 5_000]).map(lambda n: b'{"note": ' + b"9" * n + b"}"),
        st.sampled_from([b"1e999999", b"NaN", b"-Infinity", b"[1, 2]", b'"text"', b"null"]),
        st.sampled_from([b"{", b'{"source": "a",}', b"{'source': 'a'}", b"", b"\xff\xfe{"]),
        st.binary(max_size=100),
    )


# --- cases: the files of one ingest run --------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Written:
    """One file of a case: its name (bytes: it may not be UTF-8), its bytes, and how many
    outcomes (ingested, already present, failed, skipped) the run must report for it."""

    name: bytes
    data: bytes
    least: int = 1
    most: int | None = 1  # None: no bound
    named: bool = True  # an input when files are named one by one (sidecars, hidden: not)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileCase:
    """The files of one ingest run, and how they are handed in: the folder, or each file by
    name (with ``missing`` paths that do not exist or are too long); through
    ``pipeline.ingest`` (``cli`` None) or the CLI command ``cli`` ("ingest", or "brief",
    which ingests and then briefs what it read as one story)."""

    files: tuple[Written, ...]
    by_name: bool = False
    missing: tuple[str, ...] = ()
    cli: str | None = None
    options: tuple[str, ...] = ()  # the CLI's metadata options (--published …)

    def bounds(self) -> tuple[int, int | None]:
        """Least and most outcomes the run must report."""
        counted = [f for f in self.files if f.named or not self.by_name]
        most = [f.most for f in counted]
        total = None if None in most else sum(m for m in most if m is not None)
        return sum(f.least for f in counted) + len(self.missing), (
            None if total is None else total + len(self.missing)
        )


STEMS = (
    b"article", b"caf\xe9", b"\xff\xfe", b"na\xefve\x80", "Zoë Ångström".encode(),
    "日本語の記事".encode(), "\u202eevil".encode(), b"a b", b"-dash", b"semi;colon",
    b"new\nline", b"tab\t", b"\x1b[31mred", b"%s%n", b"..", b"x.txt", b"y" * 240,
)  # fmt: skip


def stem() -> st.SearchStrategy[bytes]:
    """A file name without its suffix: any bytes but "/" and NUL (Linux allows them all)."""
    text = st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1)
    return st.one_of(
        st.sampled_from(STEMS),
        text.map(lambda s: s.encode()[:60]),
        st.binary(min_size=1, max_size=40).map(
            lambda b: b.replace(b"/", b"_").replace(b"\0", b"_")
        ),
    )


def _name(index: int, base: bytes, suffix: bytes) -> bytes:
    """A unique, visible name of at most 255 bytes (NAME_MAX)."""
    prefix = b"%02d-" % index
    return (prefix + base)[: 255 - len(suffix)] + suffix


def _with_sidecar(
    files: list[Written], name: bytes, suffix: bytes, sidecar: bytes | None
) -> list[Written]:
    if sidecar is None:
        return files
    side = name[: -len(suffix)] + b".meta.json"
    if len(side) > 255:  # cannot exist: the reader must carry on without it
        return files
    return [*files, Written(name=side, data=sidecar, least=0, most=0, named=False)]


def extras() -> st.SearchStrategy[list[Written]]:
    """Files beside the articles: of another type (skipped in a folder, refused by name),
    hidden (left out of a folder)."""
    other = st.builds(
        lambda n, data: Written(name=_name(90 + n, b"README", b".md"), data=data),
        st.integers(0, 4),
        st.binary(max_size=20),
    )
    hidden = st.just(Written(name=b".hidden.txt", data=b"Hidden\n" + b"x" * 80, least=0, most=0,
                             named=False))  # fmt: skip
    return st.lists(other | hidden, max_size=2, unique_by=lambda w: w.name)


def _case(
    files: list[Written],
    extra: list[Written],
    how: tuple[bool, str | None, tuple[str, ...]],
    missing: list[str],
) -> FileCase:
    by_name, cli, options = how
    return FileCase(
        files=tuple(files + extra),
        by_name=by_name,
        missing=tuple(missing) if by_name else (),
        cli=cli,
        options=options if cli else (),
    )


MISSING = ("missing.txt", "n" * 300 + ".txt", "folder/" + "d" * 300 + "/a.txt", "nowhere.warc")
# The CLI's metadata options, good and bad: a date out of range or not ISO is a usage error,
# as is --url with more than one file.
OPTIONS = (
    (), ("--published", "2025-10-17"), ("--published", "9999-12-31"),
    ("--published", "1899-12-31"), ("--published", "17/10/2025"), ("--source", ""),
    ("--source", "Example \x1b[31mTimes\u202e"), ("--url", "https://example.com/a"),
)  # fmt: skip


def file_cases(articles: st.SearchStrategy[list[Written]]) -> st.SearchStrategy[FileCase]:
    """Cases of ``articles`` with extra files, handed in by folder or by name, through the
    pipeline (three in four) or the CLI's ingest or brief."""
    how = st.tuples(
        st.booleans(),
        st.sampled_from([None] * 6 + ["ingest", "brief"]),
        st.sampled_from(OPTIONS[:1] * 4 + OPTIONS),
    )
    return st.builds(
        _case, articles, extras(), how, st.lists(st.sampled_from(MISSING), max_size=2, unique=True)
    )


# text ------------------------------------------------------------------------------------

TEXT_SUFFIXES = (b".txt", b".TXT", b".text")


def text_file(scale: Scale) -> st.SearchStrategy[bytes]:
    """A scraped-text file: a headline line, then the body, in some encoding (or none)."""
    page = st.builds(
        lambda title, sep, body: title + sep + body,
        odd_text(60) | sentence(),
        st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\u2028", ""]),
        article_text(scale),
    )
    sound = sound_article(scale).map(lambda t: f"{t[0]}\n{t[1]}\n".encode())
    return st.one_of(sound, sound, encoded(page))


def txt_cases(scale: Scale) -> st.SearchStrategy[FileCase]:
    sidecar = st.one_of(
        sound_metadata().map(lambda m: json.dumps(m).encode()),
        json_document(metadata()),
        json_document(json_value()),
    )
    one = st.tuples(stem(), st.sampled_from(TEXT_SUFFIXES), text_file(scale), st.none() | sidecar)

    def files(items: list[tuple[bytes, bytes, bytes, bytes | None]]) -> list[Written]:
        out: list[Written] = []
        for i, (base, suffix, data, side) in enumerate(items):
            name = _name(i, base, suffix)
            out = _with_sidecar([*out, Written(name=name, data=data)], name, suffix, side)
        return out

    return file_cases(st.lists(one, min_size=1, max_size=3).map(files) | story_files(scale))


# Figures an outlet may state otherwise than another: where sources differ.
FIGURES = (("$43 million", "$45 million"), ("55,000 pages", "56,000 pages"), ("12", "14"))
# Dates of a story's articles: the same day, the next, the calendar's first accepted day, and
# a day past today (the latest ingest accepts).
STORY_DATES = ("2025-10-17", "2025-10-18T06:00:00+09:00", "1900-01-01", "tomorrow", None)


def _copy(title: str, text: str, how: int, other: str) -> tuple[str, str]:
    """Another outlet's version of an article: the same text under another headline (0), with
    a sentence added (1), with its first sentence replaced (2), with figures stated otherwise
    (3), or as it is (4)."""
    if how == 0:
        return f"{other.rstrip('.')} — {title}", text
    if how == 1:
        return title, f"{text}\n\n{other}"
    if how == 2:
        return title, other + text[text.find(".") + 1 :]
    if how == 3:
        for one, another in FIGURES:
            text = text.replace(one, another)
        return title, text
    return title, text


def story_files(scale: Scale) -> st.SearchStrategy[list[Written]]:
    """Two to five outlets' versions of one article (copies, near copies, figures that differ,
    dates a day apart or at the ends of the accepted range), each a .txt with its sidecar:
    one story with duplicates and disagreements to brief."""
    from datetime import UTC, datetime, timedelta

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    version = st.tuples(st.integers(0, 4), sentence(), st.sampled_from(STORY_DATES))

    def files(base: tuple[str, str], versions: list[tuple[int, str, str | None]]) -> list[Written]:
        out: list[Written] = []
        for i, (how, other, day) in enumerate(versions):
            title, text = _copy(*base, how, other) if i else base
            meta = {"source": f"Outlet {i % 3}", "url": f"https://example.com/{i}"}
            if day:
                meta["published"] = tomorrow if day == "tomorrow" else day
            name = _name(i, b"story", b".txt")
            out += [
                Written(name=name, data=f"{title}\n{text}\n".encode()),
                Written(name=name[:-4] + b".meta.json", data=json.dumps(meta).encode(), least=0,
                        most=0, named=False),
            ]  # fmt: skip
        return out

    return st.builds(files, sound_article(scale), st.lists(version, min_size=2, max_size=5))


# JSON lines ------------------------------------------------------------------------------


def jsonl_line(scale: Scale) -> st.SearchStrategy[bytes]:
    """One line: an article object (text, metadata) or anything else JSON or not."""
    article = st.builds(
        lambda meta, text: {**meta, "text": text},
        metadata(),
        article_text(scale) | st.one_of(json_value()),
    )
    sound = st.builds(
        lambda meta, article, ascii_only: dumps(
            {**meta, "title": article[0], "text": article[1]}, ascii_only
        ).encode(),
        sound_metadata(),
        sound_article(scale),
        st.booleans(),
    )
    odd = json_document(article).map(lambda b: b.replace(b"\n", b" "))
    return st.one_of(sound, sound, odd, st.sampled_from([b"", b"   ", b"\r"]))


def _jsonl(lines: list[bytes], crlf: bool, last_newline: bool) -> Written:
    data = (b"\r\n" if crlf else b"\n").join(lines) + (b"\n" if last_newline else b"")
    # one outcome per line that holds anything (README: a bad line is FILE:LINE, the others go
    # on); blank lines are passed over, but a file of none is refused (README: an empty file)
    count = max(1, sum(1 for line in data.split(b"\n") if line.strip()))
    return Written(name=b"", data=data, least=count, most=count)


def jsonl_cases(scale: Scale) -> st.SearchStrategy[FileCase]:
    one = st.tuples(
        stem(),
        st.sampled_from([b".jsonl", b".ndjson", b".JSONL"]),
        st.builds(_jsonl, st.lists(jsonl_line(scale), max_size=5), st.booleans(), st.booleans()),
    )

    def files(items: list[tuple[bytes, bytes, Written]]) -> list[Written]:
        return [
            Written(name=_name(i, base, suffix), data=w.data, least=w.least, most=w.most)
            for i, (base, suffix, w) in enumerate(items)
        ]

    return file_cases(st.lists(one, min_size=1, max_size=2).map(files))


# HTML ------------------------------------------------------------------------------------


def _charset_declaration(label: str, how: int) -> str:
    return (
        f"<meta charset='{label}'>",
        f'<meta http-equiv="Content-Type" content="text/html; charset={label}">',
        f"<?xml version='1.0' encoding='{label}'?>",
        "",
    )[how]


def html_page(scale: Scale) -> st.SearchStrategy[bytes]:
    """A page: declared charset (any label) over bytes of any encoding, a title, odd dates in
    its metadata, and an article, markup fragments, or both; or a fragment alone."""
    date = st.sampled_from([d for d in ODD_DATES if isinstance(d, str)])
    body = st.one_of(
        prose(scale).map(lambda t: "".join(f"<p>{p}</p>" for p in t.split("\n\n"))),
        article_text(scale).map(lambda t: f"<p>{t}</p>"),
        st.lists(fragment(), max_size=4).map("".join),
    )
    page = st.builds(
        lambda decl, how, title, date, when, main, extra, lang: (
            f"<!doctype html><html lang='{lang}'><head>{_charset_declaration(decl, how)}"
            f"<title>{title}</title>"
            f"<meta property='article:published_time' content='{date}'></head><body>"
            f"<article><h1>{title}</h1><time datetime='{when}'>{when}</time>{main}</article>"
            f"{extra}</body></html>"
        ),
        st.sampled_from(CHARSET_LABELS),
        st.integers(0, 3),
        odd_text(40) | sentence(),
        date,
        date,
        body,
        st.lists(fragment(), max_size=3).map("".join),
        st.sampled_from(["en", "fr-CA", "", "x" * 100, "'><script>"]),
    )
    alone = fragment() | st.lists(fragment(), max_size=6).map("".join)
    return encoded(page) | encoded(alone)


def sound_page(scale: Scale) -> st.SearchStrategy[bytes]:
    """A page as a news site serves it: UTF-8, declared, dated, one article of prose."""
    return st.builds(
        lambda article, day: (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{article[0]}</title><meta property='article:published_time' "
            f"content='{day}'></head><body><nav><a href='/'>Home</a></nav><article>"
            f"<h1>{article[0]}</h1>"
            + "".join(f"<p>{p}</p>" for p in article[1].split("\n\n"))
            + "</article><footer>© Example Times</footer></body></html>"
        ).encode(),
        sound_article(scale),
        st.sampled_from(["2025-10-17", "2025-10-16T08:00:00+02:00", ""]),
    )


def any_page(scale: Scale) -> st.SearchStrategy[bytes]:
    """A sound page two times in four, else any page (html_page)."""
    return st.one_of(sound_page(scale), sound_page(scale), html_page(scale), html_page(scale))


def gzipped(data: bytes, how: str) -> bytes:
    """``data`` gzipped one way or another, sound or broken."""
    whole = gzip.compress(data, mtime=0)
    half = len(data) // 2
    return {
        "gzip": whole,
        "multi-member": gzip.compress(data[:half], mtime=0) + gzip.compress(data[half:], mtime=0),
        "truncated": whole[: max(3, len(whole) * 2 // 3)],
        "corrupt": whole[:10] + bytes(b ^ 0x5A for b in whole[10:-8]) + whole[-8:],
        "trailing garbage": whole + b"garbage",
        "doubled": gzip.compress(whole, mtime=0),
        "empty": gzip.compress(b"", mtime=0),
        "magic only": b"\x1f\x8b" + data,
        "not gzip": data,
    }[how]


GZIP_WAYS = (
    "gzip", "multi-member", "truncated", "corrupt", "trailing garbage", "doubled", "empty",
    "magic only", "not gzip",
)  # fmt: skip
# 5 MB and a byte of zeros: past max_input_bytes once inflated, 5 KB on disk.
BOMB = gzip.compress(b"\0" * 5_000_001, mtime=0)


def html_cases(scale: Scale) -> st.SearchStrategy[FileCase]:
    ways = st.sampled_from((*GZIP_WAYS, "bomb") if scale.huge else GZIP_WAYS)
    sidecar = st.none() | json_document(metadata())
    plain = st.tuples(st.sampled_from([b".html", b".htm", b".HTML"]), any_page(scale))
    packed = st.tuples(st.sampled_from([b".html.gz", b".htm.gz", b".Html.GZ"]), st.builds(
        lambda page, how: BOMB if how == "bomb" else gzipped(page, how), any_page(scale), ways
    ))  # fmt: skip
    one = st.tuples(stem(), plain | packed, sidecar)

    def files(items: list[tuple[bytes, tuple[bytes, bytes], bytes | None]]) -> list[Written]:
        out: list[Written] = []
        for i, (base, (suffix, data), side) in enumerate(items):
            name = _name(i, base, suffix)
            out = _with_sidecar([*out, Written(name=name, data=data)], name, suffix, side)
        return out

    return file_cases(st.lists(one, min_size=1, max_size=2).map(files))


# feeds -----------------------------------------------------------------------------------

# Links an entry may carry: none reaches the network (loopback is refused before any
# connection with allow_private off; the others are no http(s) URL).
LINKS = (
    None, "http://127.0.0.1:1/story", "https://[::1]:1/a", "http://0.0.0.0:1/", "http://127.1:1/",
    "javascript:alert(1)", "", "not a url", "file:///etc/passwd", "http://[::1",
)  # fmt: skip


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def feed_content(scale: Scale) -> st.SearchStrategy[tuple[str, str]]:
    """An entry's content, as (how it is wrapped, the text): full prose (80 words and more,
    read without any fetch), a teaser, markup fragments, references to no character."""
    full = prose(scale, min_sentences=12).map(
        lambda t: "".join(f"<p>{p}</p>" for p in t.split("\n\n"))
    )
    text = st.one_of(
        full,
        sentence(),
        st.lists(fragment(), max_size=4).map("".join),
        st.tuples(full, fragment(), st.integers()).map(_spliced),
        odd_text(),
    )
    return st.tuples(st.sampled_from(["escaped", "cdata", "raw-xhtml", "text"]), text)


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    title: str
    link: str | None
    date: str
    author: str
    content: tuple[str, str]


def _wrapped(content: tuple[str, str]) -> str:
    how, text = content
    if how == "cdata":
        return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    if how == "raw-xhtml":
        return text
    return xml_escape(text)


def _rss_item(e: Entry) -> str:
    link = f"<link>{xml_escape(e.link)}</link><guid>{xml_escape(e.link)}</guid>" if e.link else ""
    return (
        f"<item><title>{xml_escape(e.title)}</title>{link}<pubDate>{e.date}</pubDate>"
        f"<dc:creator>{xml_escape(e.author)}</dc:creator>"
        f"<description>{_wrapped(e.content)}</description>"
        f"<content:encoded>{_wrapped(e.content)}</content:encoded></item>"
    )


def _atom_entry(e: Entry) -> str:
    link = f"<link href='{xml_escape(e.link)}'/><id>{xml_escape(e.link)}</id>" if e.link else ""
    kind = {"raw-xhtml": "xhtml", "text": "text"}.get(e.content[0], "html")
    body = _wrapped(e.content)
    if kind == "xhtml":
        body = f"<div xmlns='http://www.w3.org/1999/xhtml'>{body}</div>"
    return (
        f"<entry><title>{xml_escape(e.title)}</title>{link}<updated>{e.date}</updated>"
        f"<published>{e.date}</published><author><name>{xml_escape(e.author)}</name></author>"
        f"<content type='{kind}'>{body}</content></entry>"
    )


def _rdf_item(e: Entry) -> str:
    about = f" rdf:about='{xml_escape(e.link)}'" if e.link else ""
    return (
        f"<item{about}><title>{xml_escape(e.title)}</title><dc:date>{e.date}</dc:date>"
        f"<description>{_wrapped(e.content)}</description></item>"
    )


# Entity declarations a feed's doctype may make: a few levels of "laughs" (expat limits the
# amplification; feedparser's loose parser does not expand them), an external entity.
DOCTYPES = (
    "",
    "<!DOCTYPE rss [<!ENTITY a 'ha'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
    "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]>",
    "<!DOCTYPE rss [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>",
    "<!DOCTYPE html>",
    "<!-- a comment --><?xml-stylesheet href='x'?>",
)


def feed_document(scale: Scale) -> st.SearchStrategy[tuple[str, int, bool]]:
    """An RSS 2.0, RSS 1.0 or Atom document, how many entries it holds, and whether it is
    well-formed (no entry's content is markup given raw)."""
    entry = st.builds(
        Entry,
        title=odd_text(40) | sentence(),
        link=st.sampled_from(LINKS),
        date=st.sampled_from(FEED_DATES),
        author=odd_text(20),
        content=feed_content(scale),
    )

    def build(kind: int, label: str, doctype: str, title: str, entries: list[Entry]) -> str:
        decl = f"<?xml version='1.0' encoding='{label}'?>" if label else ""
        head = f"{decl}{doctype}"
        if kind == 0:
            items = "".join(_rss_item(e) for e in entries)
            return (
                f"{head}<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/' "
                "xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel>"
                f"<title>{xml_escape(title)}</title><language>en</language>{items}</channel></rss>"
            )
        if kind == 1:
            items = "".join(_atom_entry(e) for e in entries)
            return (
                f"{head}<feed xmlns='http://www.w3.org/2005/Atom'>"
                f"<title>{xml_escape(title)}</title>{items}</feed>"
            )
        items = "".join(_rdf_item(e) for e in entries)
        return (
            f"{head}<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
            "xmlns='http://purl.org/rss/1.0/' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
            f"<channel><title>{xml_escape(title)}</title></channel>{items}</rdf:RDF>"
        )

    entries = st.lists(entry, max_size=4)
    return st.builds(
        lambda kind, label, doctype, title, items: (
            build(kind, label, doctype, title, items), len(items),
            all(e.content[0] != "raw-xhtml" for e in items),
        ),
        st.integers(0, 2),
        st.sampled_from(CHARSET_LABELS),
        st.sampled_from(DOCTYPES),
        odd_text(30) | sentence(),
        entries,
    )  # fmt: skip


def _damaged(document: str, how: int, at: int, fragment: str) -> str:
    """The feed as it is (0), truncated (1), with a fragment inserted (2), closing tags
    dropped (3). Bytes are never flipped: a link must stay a loopback address or no URL."""
    at %= len(document) + 1
    if how == 1:
        return document[:at]
    if how == 2:
        return document[:at] + fragment + document[at:]
    if how == 3:
        return re.sub(r"</(item|entry|channel)>", "", document)
    return document


# Characters XML 1.0 does not allow: a document holding one is not well-formed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def feed_cases(scale: Scale) -> st.SearchStrategy[FileCase]:
    def file(
        base: bytes,
        suffix: bytes,
        doc: tuple[str, int, bool],
        damage: tuple[int, int, str],
        codec: str,
    ) -> list[Written]:
        text, entries, well_formed = doc
        data = encode(_damaged(text, *damage), codec)
        # one outcome per entry of a well-formed feed (an empty one: one, skipped); else at
        # least one for the whole
        sound = well_formed and not damage[0] and codec == "utf-8" and not _NOT_XML.search(text)
        least = max(1, entries) if sound else 1
        return [Written(name=_name(0, base, suffix), data=data, least=least, most=max(1, entries))]

    damage = st.tuples(st.integers(0, 3), st.integers(), fragment())
    codec = st.sampled_from(["utf-8"] * 4 + list(CODECS))
    one = st.builds(
        file,
        stem(),
        st.sampled_from([b".rss", b".atom", b".xml", b".RSS"]),
        feed_document(scale),
        damage,
        codec,
    )
    return file_cases(one)


# WARC ------------------------------------------------------------------------------------

HTTP_STATUS = ("200 OK", "404 Not Found", "301 Moved", "200", "999 Odd", "abc", "")
CONTENT_TYPES = (
    "text/html", "text/html; charset=idna", "text/html; charset=undefined",
    "application/xhtml+xml", "image/png", "", "TEXT/HTML", "text/html; charset=",
)  # fmt: skip
WARC_DATES = (
    "2025-10-17T09:30:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1899-12-31",
    "garbage", "",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    kind: str  # response, request, warcinfo, revisit, resource, metadata, dns
    status: str
    content_type: str
    payload: bytes
    date: str
    uri: str


def warc_record(r: Record, index: int) -> bytes:
    """One uncompressed record, written by warcio's WARCWriter."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    headers = {
        "WARC-Date": r.date,
        "WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{index:012d}>",
    }
    if r.kind == "warcinfo":
        record = writer.create_warcinfo_record("fuzz.warc", {"software": "fuzz"})
    elif r.kind == "dns":
        record = writer.create_warc_record(
            "dns:example.com", "response", payload=io.BytesIO(r.payload),
            length=len(r.payload), warc_content_type="text/dns", warc_headers_dict=headers,
        )  # fmt: skip
    elif r.kind in ("response", "request", "revisit"):
        status = r.status if r.kind != "request" else "GET / HTTP/1.1"
        http = StatusAndHeaders(
            status,
            [("Server", "fuzz")] + ([("Content-Type", r.content_type)] if r.content_type else []),
            protocol="" if r.kind == "request" else "HTTP/1.1",
        )
        record = writer.create_warc_record(
            r.uri, r.kind, payload=io.BytesIO(r.payload), http_headers=http,
            warc_headers_dict=headers,
        )  # fmt: skip
    else:
        record = writer.create_warc_record(
            r.uri, r.kind, payload=io.BytesIO(r.payload), length=len(r.payload),
            warc_content_type=r.content_type or "text/plain", warc_headers_dict=headers,
        )  # fmt: skip
    spooled = record.raw_stream  # warcio spools payloads to temporary files it leaves open
    try:
        writer.write_record(record)
    finally:
        spooled.close()
        record.raw_stream.close()
    return out.getvalue()


def _record_damage(data: bytes, how: int, value: bytes) -> bytes:
    """A record as written (0), its Content-Length replaced by ``value`` (1), or removed (2),
    a header line over 64 KB (3), its HTTP status line replaced by ``value`` (4)."""
    if how == 1:
        return re.sub(rb"Content-Length: \d+", b"Content-Length: " + value, data, count=1)
    if how == 2:
        return re.sub(rb"Content-Length: \d+\r\n", b"", data, count=1)
    if how == 3:
        return data.replace(b"\r\n", b"\r\nX-Pad: " + b"a" * 70_000 + b"\r\n", 1)
    if how == 4:
        return re.sub(rb"HTTP/1\.1 [^\r]*", value, data, count=1)
    return data


LENGTHS = (b"-5", b"0", b"1", b"999999999999", b"268435457", b"abc", b"", b"1e3", b"9" * 50)


def warc_cases(scale: Scale) -> st.SearchStrategy[FileCase]:
    record = st.builds(
        Record,
        kind=st.sampled_from(
            ["response"] * 4 + ["request", "warcinfo", "revisit", "resource", "metadata", "dns"]
        ),
        status=st.sampled_from(HTTP_STATUS[:1] * 4 + HTTP_STATUS),
        content_type=st.sampled_from(CONTENT_TYPES[:1] * 4 + CONTENT_TYPES),
        payload=any_page(scale) | st.binary(max_size=200),
        date=st.sampled_from(WARC_DATES),
        uri=st.sampled_from(["http://example.com/a"] * 3 + [""])
        | st.integers(100, 70_000).map(lambda n: "https://example.com/" + "p" * n),
    )
    sound = st.builds(
        Record,
        kind=st.just("response"),
        status=st.just("200 OK"),
        content_type=st.just("text/html; charset=utf-8"),
        payload=sound_page(scale),
        date=st.just(WARC_DATES[0]),
        uri=st.integers(0, 99).map(lambda n: f"http://example.com/{n}"),
    )
    record = st.one_of(sound, sound, record)
    damage = st.tuples(st.integers(0, 4), st.sampled_from((*LENGTHS, b"HTTP/1.1 abc", b"junk")))
    members = st.lists(st.tuples(record, damage | st.just((0, b""))), max_size=4)
    # the file: as it is (0), truncated (1), bytes flipped (2), garbage between records (3)
    # or after them (4), a gzip bomb (5)
    whole = st.tuples(st.integers(0, 5 if scale.huge else 4), st.integers(0, 2**20),
                      st.binary(min_size=1, max_size=20))  # fmt: skip
    whole |= st.just((0, 0, b"-"))  # as it is, one time in two

    def file(
        base: bytes,
        packed: bool,
        records: list[tuple[Record, tuple[int, bytes]]],
        how: tuple[int, int, bytes],
    ) -> list[Written]:
        raw = [_record_damage(warc_record(r, i), *d) for i, (r, d) in enumerate(records)]
        kind, at, junk = how
        if kind == 3 and raw:
            raw.insert(at % (len(raw) + 1), junk)
        parts = [gzip.compress(r, mtime=0) if packed else r for r in raw]
        data = b"".join(parts)
        if kind == 1:
            data = data[: at % (len(data) + 1)]
        elif kind == 2:
            data = _flipped(data, [(at, junk[0]), (at * 7, junk[-1])])
        elif kind == 4:
            data += junk
        elif kind == 5:
            data = BOMB
        # (a response without WARC-Target-URI is damage too: WARC requires one)
        sound = kind == 0 and all(
            d[0] == 0 and r.status == "200 OK" and 0 < len(r.uri) < 60_000 for r, d in records
        )
        # each record is one outcome, damage one more (the reading ends there), an empty file
        # one (README: refused)
        least = max(1, len(records)) if sound else 1
        most = max(1, len(records)) if sound else len(records) + 1
        suffix = b".warc.gz" if packed else b".warc"
        return [Written(name=_name(0, base, suffix), data=data, least=least, most=most)]

    return file_cases(st.builds(file, stem(), st.booleans(), members, whole))


# --- API requests ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiRequest:
    """One request to the app. ``path`` may hold {story}, {article} and {prefix}, the ids of
    the sample story and one of its articles and a prefix of the story's, filled in when it
    runs."""

    method: str
    path: str
    query: str = ""
    headers: tuple[tuple[str, bytes], ...] = ()
    body: bytes | None = None
    chunked: bool = False


ROUTES = (
    "/", "/api", "/openapi.json", "/api/stories", "/api/stories/{id}", "/api/stories/{id}/brief",
    "/api/stories/{id}/versions", "/api/stories/{id}/versions/{n}", "/api/stories/{id}/diff",
    "/api/stories/{id}/actors", "/api/articles", "/api/articles/{aid}", "/stories/{id}",
    "/stories/{id}/sources", "/stories/{id}/versions", "/stories/{id}/versions/{n}/changes",
    "/articles/{aid}", "/static/{x}", "/{x}",
)  # fmt: skip
IDS = (
    "{story}", "{prefix}", "{article}", "{story}0", "ZZ", "0" * 17, "a" * 600, "..", "%2e%2e",
    "%00", "%ED%A0%80", "%FF", "%zz", "-1", " ", "%20", "\u00e9", "日本",
)  # fmt: skip
NUMBERS = (
    "1", "0", "-1", "2", "2147483648", "9223372036854775807", "9223372036854775808",
    "1" + "0" * 30, "1e3", "NaN", "", "0x10", " 1", "१२", "1.0", "٣",
)  # fmt: skip
PARAMS = (
    "q", "since", "until", "outlet", "actor", "limit", "offset", "format", "page", "start",
    "end", "x",
)  # fmt: skip
VALUES = (
    "", "1", "0", "-1", "200", "201", "1000000001", "2025-10-17", "9999-12-31T23:00:00-05:00",
    "0001-01-01T00:00:00+14:00", "2025-10-17T25:00", "json", "md", "html", "pdf", "Putin",
    "%", "_", "%25", "%ED%A0%80", "%FF", "%00", "a" * 501, "a" * 500, "\u00e9", "%zz",
)  # fmt: skip


def _percent(text: str) -> str:
    """``text`` percent-encoded, lone surrogates as their (invalid) UTF-8 bytes."""
    return quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe="")


def get_requests() -> st.SearchStrategy[ApiRequest]:
    """GET, HEAD and other methods on every route, with odd ids, numbers and queries."""
    known = st.sampled_from(["{story}", "{prefix}", "{article}"])
    ident = st.one_of(known, known, st.sampled_from(IDS), odd_text(10).map(_percent))
    value = st.sampled_from(VALUES) | odd_text(10).map(_percent)
    query = st.lists(st.tuples(st.sampled_from(PARAMS), value), max_size=4).map(
        lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)
    )

    def build(method: str, route: str, i: str, n: str, x: str, q: str) -> ApiRequest:
        path = route.replace("{id}", i).replace("{aid}", i.replace("{story}", "{article}"))
        return ApiRequest(method=method, path=path.replace("{n}", n).replace("{x}", x), query=q)

    return st.builds(
        build,
        st.sampled_from(["GET"] * 6 + ["HEAD"] * 2 + ["PUT", "DELETE", "OPTIONS"]),
        st.sampled_from(ROUTES),
        ident,
        st.sampled_from(NUMBERS),
        ident,
        query,
    )


API_URLS = (
    "http://127.0.0.1:1/a", "https://[::1]:1/", "HTTP://127.0.0.1:1/B", "http://0.0.0.0:1/",
    "ftp://127.0.0.1/", "javascript:alert(1)", "", "http://", "http://[::1",
)  # fmt: skip
AUTHORIZATION = (
    f"Bearer {TOKEN}".encode(), f"bearer   {TOKEN} ".encode(), b"Bearer wrong", b"Basic eA==",
    b"Bearer", b"", f"Bearer {TOKEN}\xe9".encode("latin-1"),
)  # fmt: skip


def ingest_requests(scale: Scale) -> st.SearchStrategy[ApiRequest]:
    """POST /api/ingest: the token or not; a body of articles with odd or wrong values, URLs
    that are refused before any connection or are none, or no JSON at all."""
    text = prose(scale) | article_text(SMALL) | odd_text()
    article = (
        st.fixed_dictionaries(
            {"title": odd_text(40) | sentence(), "text": text},
            optional={
                "outlet": odd_text(20) | json_value(),
                "url": st.sampled_from(API_URLS),
                "published": st.sampled_from(ODD_DATES),
                "authors": st.sampled_from([["Anna Berg"], ["\ud800"], "Anna", [1], []]),
                "extra": json_value(),
            },
        )
        | json_value()
    )
    sound = st.builds(
        lambda meta, a: {
            "title": a[0], "text": a[1], "outlet": meta.get("source"), "url": meta.get("url"),
            "published": meta.get("published"), "authors": meta.get("authors", []),
        },
        sound_metadata(),
        sound_article(scale),
    )  # fmt: skip
    payload = st.one_of(
        st.lists(sound | article, min_size=1, max_size=3).map(lambda a: {"articles": a}),
        st.fixed_dictionaries(
            {},
            optional={
                "articles": st.lists(article, max_size=3) | json_value(),
                "urls": st.lists(st.sampled_from(API_URLS), max_size=2),
            },
        ),
        json_value(),
    )
    body = st.one_of(
        json_document(payload),
        st.builds(dumps, payload, st.booleans()).map(lambda s: s.encode("utf-8", "surrogatepass")),
    )
    if scale.huge:  # past max_request_bytes (1 MB), and an article past max_article_bytes
        body |= st.sampled_from([1_000_001, 100_001]).map(
            lambda n: b'{"articles": [{"title": "t", "text": "' + b"x" * n + b'"}]}'
        )
    content_type = st.sampled_from(
        [b"application/json"] * 3 + [b"text/plain", b"", b"application/json; charset=utf-16"]
    )

    def build(auth: bytes | None, kind: bytes, data: bytes, chunked: bool) -> ApiRequest:
        headers: tuple[tuple[str, bytes], ...] = ()
        if auth is not None:  # b"" too: an empty header
            headers += (("authorization", auth),)
        headers += (("content-type", kind),) if kind else ()
        return ApiRequest(
            method="POST", path="/api/ingest", headers=headers, body=data, chunked=chunked
        )

    return st.builds(
        build,
        st.tuples(st.integers(0, 4), st.sampled_from([None, *AUTHORIZATION])).map(
            lambda t: t[1] if t[0] == 0 else AUTHORIZATION[0]  # the token, four times in five
        ),
        content_type,
        body,
        st.booleans(),
    )


# --- running a case ----------------------------------------------------------------------


class Broken(AssertionError):
    """A case broke a promise (``promise``: which one, for telling failures apart)."""

    def __init__(self, promise: str, detail: str) -> None:
        super().__init__(f"{promise}: {detail}")
        self.promise = promise


class Online(OSError):
    """A case made newsbrief try the network."""


@contextlib.contextmanager
def offline() -> Iterator[list[str]]:
    """No DNS query (IP literals and localhost need none) and no TCP connection: each attempt
    fails as the network would, and is listed."""
    attempts: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name != "localhost" and not _numeric(name):
            attempts.append(f"DNS query for {name!r}")
            raise socket.gaierror(socket.EAI_NONAME, "offline (tests/fuzzing.py)")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(f"connection to {address!r}")
            raise Online(101, "offline (tests/fuzzing.py)")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(f"connection to {address!r}")
            return 101
        return real_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect  # type: ignore[method-assign, assignment]  # the guard
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign, assignment]
    try:
        yield attempts
    finally:
        socket.getaddrinfo = real_getaddrinfo
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]


def _numeric(host: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host.strip("[]"))
            return True
        except (OSError, ValueError):
            pass
    try:  # "127.1" and other short forms, as getaddrinfo reads them without DNS
        socket.inet_aton(host)
        return True
    except (OSError, ValueError):
        return False


# Where a parser's refusal of a document is expected, and reported as the document's fault:
# the function that catches it (and describes it: errors.describe), and the package it must
# come from (None: any). Every other place that describes a caught exception is a last resort
# (per-input isolation: ingest.read, a feed entry's, a WARC page's, the analysis of one
# article, one story's brief), and what arrives there is a fault, ours or a library's on
# input it chokes on, that isolation hid.
PARSER_REFUSALS: dict[str, str | None] = {
    "read_html": None,
    "parse_feed": None,
    "read_warc": "warcio",  # corrupt data; read_warc also isolates a page's own fault
}


class IsolatedFault(Exception):
    """An exception newsbrief caught and reported as an input's failure, though no parser
    refused the input with it (see PARSER_REFUSALS); the exception itself is the cause."""


def _raised_in(exc: BaseException) -> Path | None:
    """The file ``exc`` was raised in (its innermost frame), None when it was not raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    return Path(frames[-1].filename).resolve() if frames else None


def _is_fault(caller: str, exc: BaseException) -> bool:
    """Whether an exception caught and described in ``caller`` is a fault: one raised in
    newsbrief's own code always is, one a parser raised where it refuses a document is not."""
    raised = _raised_in(exc)
    if (raised is not None and raised.is_relative_to(PACKAGE)) or caller not in PARSER_REFUSALS:
        return True
    package = PARSER_REFUSALS[caller]
    return package is not None and (raised is None or package not in raised.parts)


@contextlib.contextmanager
def caught_faults() -> Iterator[list[IsolatedFault]]:
    """The faults newsbrief isolates while this runs: every module's ``describe`` (how a
    caught foreign exception becomes a message) replaced by one that also keeps the
    exception, when it is a fault, as an IsolatedFault."""
    faults: list[IsolatedFault] = []
    original = errors.describe

    def describe(exc: BaseException) -> str:
        caller = sys._getframe(1).f_code.co_name
        if _is_fault(caller, exc):
            fault = IsolatedFault(f"caught in {caller}: {original(exc)}")
            fault.__cause__ = exc
            faults.append(fault)
        return original(exc)

    modules = [
        m
        for name, m in list(sys.modules.items())
        if name.startswith("newsbrief") and getattr(m, "describe", None) is original
    ]
    for module in modules:
        module.describe = describe  # type: ignore[attr-defined]
    try:
        yield faults
    finally:
        for module in modules:
            module.describe = original  # type: ignore[attr-defined]


def _import_readers() -> None:
    """Import the modules readers load on first use, so that caught_faults reaches them."""
    import newsbrief.cli
    import newsbrief.fetch
    import newsbrief.ingest.url
    import newsbrief.web.api  # noqa: F401  # imported for caught_faults


def _check_message(text: str, where: str) -> None:
    if len(text) > MESSAGE_CHARS:
        raise Broken(
            "message too long",
            f"{where} of {len(text):,} characters (at most {MESSAGE_CHARS:,}): {text[:200]!r}…",
        )


def check_store(store: Store, encoder: nlp.SentenceEncoder | None = None) -> None:
    """Every stored article in exactly one story, and every story briefed (with ``encoder``,
    as the CLI and the web do) and rendered in each format without an exception."""
    unplaced = store.unplaced()
    if unplaced:
        raise Broken("store", f"articles in no story: {unplaced[:5]}")
    seen: dict[str, str] = {}
    for row in store.list_stories():
        ids = store.story_articles(row.id)
        for article_id in ids:
            if article_id in seen:
                raise Broken("store", f"{article_id} in stories {seen[article_id]} and {row.id}")
            seen[article_id] = row.id
        made = pipeline.brief(store, ids, encoder)
        render.to_markdown(made)
        render.to_html(made)
        json.dumps(render.to_dict(made))
    stored = set(store.iter_ids())
    if stored != set(seen):
        raise Broken("store", f"stored but in no listed story: {sorted(stored - set(seen))[:5]}")


# No setting leaks in from the environment; wide lines so that messages are not wrapped.
CLI_ENV = {ENV_PREFIX + f.name.upper(): None for f in fields(Settings)} | {
    CONFIG_ENV: None,
    "COLUMNS": "300",
}
_SUMMARY = re.compile(r"^(\d+) ingested, (\d+) already present, (\d+) failed(?: \((\d+) skipped)?")


def _write(case: FileCase, folder: Path) -> list[str]:
    """Write the case's files into ``folder``; the inputs to hand in."""
    folder.mkdir(parents=True, exist_ok=True)
    for w in case.files:
        (folder / os.fsdecode(w.name)).write_bytes(w.data)
    if not case.by_name:
        return [str(folder)]
    named = [str(folder / os.fsdecode(w.name)) for w in case.files if w.named]
    return named + [str(folder / m) for m in case.missing]


def _outcomes(case: FileCase, found: int, where: str) -> None:
    least, most = case.bounds()
    if found < least or (most is not None and found > most):
        bound = f"{least}" if least == most else f"{least} to {most if most is not None else '…'}"
        how = "none" if not found else "too few" if found < least else "too many"
        raise Broken(f"accounting ({how})", f"{where}: expected {bound} outcomes, found {found}")


def run_files(case: FileCase, workspace: Workspace) -> str:
    """Ingest a file case and check what README promises: no exception, no fault isolated,
    every input accounted for, short messages, exit codes (CLI), ingest idempotent (pipeline),
    a consistent store (check_store), no network. What happened, in a word: "ingested" when
    an article was, else "refused"."""
    with workspace.folder() as folder:
        inputs = _write(case, folder / "in")
        settings = workspace.settings(folder / "t.db")
        with offline() as attempts, caught_faults() as faults:
            run = _run_cli if case.cli else _run_pipeline
            ingested = run(case, inputs, settings)
        if attempts:
            raise Broken("network", "; ".join(attempts[:3]))
        if faults:
            raise faults[0]
        with Store.open(settings.db) as store:
            check_store(store, nlp.load_encoder(settings))
    return "ingested" if ingested else "refused"


def _run_pipeline(case: FileCase, inputs: list[str], settings: Settings) -> int:
    with Store.open(settings.db) as store:
        report = pipeline.ingest(expand(inputs), store, settings)
        found = report.ingested + report.present + report.failed + sum(report.skipped.values())
        _outcomes(case, found, report.summary())
        for message in [r.reason for r in report.rejected] + report.warnings:
            _check_message(message, "a reason or warning")
        missing = [a for a in report.article_ids if not store.has(a)]
        if missing:
            raise Broken("store", f"reported but not stored: {missing[:5]}")
        # README: ingesting the same article again adds nothing
        again = pipeline.ingest(expand(inputs), store, settings)
        if again.ingested or again.present != report.ingested + report.present:
            raise Broken(
                "idempotence", f"first {report.summary()}; again {again.summary()}"
            )  # fmt: skip
    return report.ingested


def _run_cli(case: FileCase, inputs: list[str], settings: Settings) -> int:
    from typer.testing import CliRunner

    from newsbrief.cli import app

    command = case.cli or "ingest"
    args = ["--db", settings.db, command, *case.options, *inputs]
    result = CliRunner(env=CLI_ENV).invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    # ingest reports on stdout; brief prints the brief there, and reports on stderr
    report = result.stdout if command == "ingest" else result.stderr
    if "Traceback" in result.stdout + result.stderr:
        raise Broken("traceback", (result.stdout + result.stderr)[-500:])
    for line in (result.stderr + (result.stdout if command == "ingest" else "")).splitlines():
        _check_message(line, "a line of output")
    summary = next((m for line in report.splitlines() if (m := _SUMMARY.match(line))), None)
    if summary is None:  # README: 2 on a usage error or when nothing could be done
        if result.exit_code != 2 or "error:" not in result.stderr:
            found = (result.stdout + result.stderr)[-300:]
            raise Broken("exit code", f"no summary, exit {result.exit_code}: {found!r}")
        return 0
    ingested, present, failed, skipped = (int(g or 0) for g in summary.groups())
    _outcomes(case, ingested + present + failed + skipped, summary[0])
    # README: 0 when all went well, 1 when some inputs failed, 2 when nothing could be done
    # (for brief: no article to brief)
    read = ingested + present
    expected = 0 if not failed and (read or command == "ingest") else 1 if read else 2
    if result.exit_code != expected:
        raise Broken("exit code", f"{summary[0]}: expected {expected}, found {result.exit_code}")
    if command == "brief" and read and not result.stdout.startswith("#"):
        raise Broken("brief", f"{summary[0]}, but no brief printed: {result.stdout[:200]!r}")
    return ingested


class Workspace:
    """Where cases run: a temporary folder (a fresh subfolder per case), settings without the
    environment, the models loaded once, and the web app over a store holding the sample
    story (made when an API case first needs it)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="newsbrief-fuzz-"))
        self._settings = load_settings(env={}, db=str(self.root / "unused.db"))
        self._cases = 0
        self._client: Any = None
        self.ids: dict[str, str] = {}
        _import_readers()
        nlp.pipeline_for(self._settings)
        nlp.load_encoder(self._settings)

    def settings(self, db: Path) -> Settings:
        return self._settings.replace(db=str(db))

    @contextlib.contextmanager
    def folder(self) -> Iterator[Path]:
        self._cases += 1
        path = self.root / f"case-{self._cases}"
        path.mkdir()
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def client(self) -> Any:
        """The TestClient of the app over the sample store (the token on)."""
        if self._client is None:
            from fastapi.testclient import TestClient

            from newsbrief.web import create_app

            settings = self.settings(self.root / "api.db")
            with Store.open(settings.db) as store:
                pipeline.ingest(expand([str(SAMPLES)]), store, settings)
                (row,) = store.list_stories()
                pipeline.brief_story(store, row.id, nlp.load_encoder(settings))
                article = store.story_articles(row.id)[0]
            self.ids = {"story": row.id, "prefix": row.id[:6], "article": article}
            self._client = TestClient(create_app(settings, token=TOKEN))
            self._client.__enter__()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.__exit__(None, None, None)
        shutil.rmtree(self.root, ignore_errors=True)


def _filled(request: ApiRequest, ids: dict[str, str]) -> str:
    path = request.path
    for key, value in ids.items():
        path = path.replace("{" + key + "}", value)
    return path + (f"?{request.query}" if request.query else "")


def run_api(request: ApiRequest, workspace: Workspace) -> str:
    """Send one request; no 500, the security headers on every response, and POST
    /api/ingest accounting for each article and URL. The status code."""
    from newsbrief.web.app import SECURITY_HEADERS

    client = workspace.client()
    url = _filled(request, workspace.ids)
    content: Any = request.body
    if request.chunked and request.body is not None:
        content = iter([request.body[:7], request.body[7:]])  # no Content-Length: chunked
    with offline() as attempts, caught_faults() as faults:
        response = client.request(
            request.method, url, headers=dict(request.headers), content=content
        )
    if attempts:
        raise Broken("network", "; ".join(attempts[:3]))
    if faults:
        raise faults[0]
    if response.status_code >= 500:
        raise Broken("server error", f"{response.status_code} {response.text[:300]!r}")
    missing = [h for h in SECURITY_HEADERS if h not in response.headers]
    if missing:
        raise Broken("security headers", f"{response.status_code} without {', '.join(missing)}")
    if request.method == "HEAD" and response.content:
        raise Broken("HEAD", f"a body of {len(response.content)} bytes")
    kind = response.headers.get("content-type", "")
    if request.method != "HEAD" and kind.startswith("application/json"):
        answer = response.json()
        if response.status_code >= 400 and "detail" not in answer:
            raise Broken("error body", f"{response.status_code} {answer!r:.300}")
        if request.path == "/api/ingest" and response.status_code == 200:
            _check_ingest_answer(request, answer)
            with Store.open(workspace.settings(workspace.root / "api.db").db) as store:
                check_store(store, nlp.load_encoder(workspace.settings(workspace.root)))
    return str(response.status_code)


def _check_ingest_answer(request: ApiRequest, answer: dict[str, Any]) -> None:
    sent = json.loads(request.body or b"{}")
    given = len(sent.get("articles", [])) + len(sent.get("urls", []))
    found = answer["ingested"] + answer["present"] + len(answer["rejected"])
    if found != given:
        raise Broken("accounting", f"{given} articles and URLs, {found} outcomes: {answer!r:.300}")
    for rejected in answer["rejected"]:
        _check_message(rejected["reason"], "a reason")


# --- targets -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """What bench/fuzz.py and tests/test_fuzz.py run: cases, and how one runs."""

    name: str
    cases: st.SearchStrategy[Any]
    run: Callable[[Any, Workspace], str]  # raises on a failure; else what happened


def targets(scale: Scale) -> dict[str, Target]:
    """Every target, by name, at ``scale``."""
    found = [
        Target(name="txt", cases=txt_cases(scale), run=run_files),
        Target(name="jsonl", cases=jsonl_cases(scale), run=run_files),
        Target(name="html", cases=html_cases(scale), run=run_files),
        Target(name="feed", cases=feed_cases(scale), run=run_files),
        Target(name="warc", cases=warc_cases(scale), run=run_files),
        Target(name="api-get", cases=get_requests(), run=run_api),
        Target(name="api-ingest", cases=ingest_requests(scale), run=run_api),
    ]
    return {t.name: t for t in found}


# --- failures: told apart, kept ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FailureKey:
    """What tells failures apart: the exception's type (or the promise broken) and where it
    was raised (the innermost frame in newsbrief, else the innermost)."""

    kind: str
    where: str


def failure_key(exc: BaseException) -> FailureKey:
    if isinstance(exc, Broken):
        return FailureKey(kind="broken", where=exc.promise)
    root = exc.__cause__ if isinstance(exc, IsolatedFault) and exc.__cause__ else exc
    frames = traceback.extract_tb(root.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(PACKAGE)]
    where = "?"
    if ours or frames:
        frame = (ours or frames)[-1]
        where = f"{_short(frame.filename)}:{frame.lineno} ({frame.name})"
    kind = type(root).__name__
    return FailureKey(kind=f"isolated {kind}" if root is not exc else kind, where=where)


def _short(filename: str) -> str:
    path = Path(filename).resolve()
    for base in (PACKAGE.parent, ROOT):
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return path.name


def describe_failure(exc: BaseException) -> str:
    """The failure's message and the last frames of its traceback (the cause's, when
    isolation caught it)."""
    if isinstance(exc, Broken):  # where the check failed says nothing: the message does
        return f"Broken: {exc}"
    root = exc.__cause__ if isinstance(exc, IsolatedFault) and exc.__cause__ else exc
    frames = traceback.format_tb(root.__traceback__)[-4:]
    return f"{type(exc).__name__}: {exc}\n" + "".join(frames) + f"{type(root).__name__}: {root}"


def save_case(case: FileCase | ApiRequest, folder: Path, failure: str) -> str:
    """Write ``case`` under ``folder`` with a one-line reproduction note (REPRO.txt); the
    note."""
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(case, ApiRequest):
        body = folder / "body.bin"
        body.write_bytes(case.body or b"")
        spec = {
            "method": case.method,
            "path": case.path,
            "query": case.query,
            "headers": {k: base64.b64encode(v).decode() for k, v in case.headers},
            "body_base64": base64.b64encode(case.body or b"").decode(),
        }
        (folder / "request.json").write_text(json.dumps(spec, indent=1), "utf-8")
        headers = " ".join(
            f"-H {shlex.quote(k + ': ' + v.decode('latin-1'))}" for k, v in case.headers
        )
        data = f" --data-binary @{shlex.quote(str(body))}" if case.body is not None else ""
        url = shlex.quote(
            "http://127.0.0.1:8000" + case.path + (f"?{case.query}" if case.query else "")
        )
        note = (
            f"NEWSBRIEF_TOKEN={TOKEN} newsbrief serve & (ids: make run's samples) "
            f"curl -i -X {case.method} {headers}{data} {url}"
        )
    else:
        args = " ".join(shlex.quote(i) for i in _write(case, folder / "in"))
        command = " ".join([case.cli or "ingest", *map(shlex.quote, case.options)])
        note = f"newsbrief --db {shlex.quote(str(folder / 't.db'))} {command} {args}"
    line = f"{note}  # {failure.splitlines()[0][:300]}\n"
    (folder / "REPRO.txt").write_bytes(line.encode("utf-8", "surrogateescape"))
    return line.strip()
