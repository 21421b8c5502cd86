"""The one exception tree of newsbrief.

    NewsbriefError
    ├── ConfigError          a setting is unknown or has the wrong type
    ├── InputError           an input cannot be read as an article
    │   ├── EmptyInput       nothing left after cleaning
    │   ├── TooShort         too little text to be an article
    │   ├── BinaryInput      the bytes are not text
    │   ├── InputTooLarge    above the size cap (bytes read, or article characters)
    │   ├── MetadataError    a sidecar or JSON line has bad metadata
    │   └── FetchError       a URL cannot be fetched (network, DNS, unusable response)
    │       ├── AddressRefused       the host is not public (loopback, private, …) or
    │       │                        the scheme is not http(s)
    │       ├── BadURL               the URL, or where a redirect points, is no usable URL
    │       ├── RobotsDisallowed     the site's robots.txt disallows the URL
    │       ├── FetchTimeout         connecting or reading took too long
    │       ├── ResponseTooLarge     the body is above max_response_bytes (decoded)
    │       ├── TooManyRedirects     more than max_redirects hops
    │       ├── HTTPStatusError      the server answered 4xx or 5xx
    │       └── UnexpectedContent    a content type the caller does not accept
    ├── ModelError           the language model cannot be loaded
    ├── StoreError           the database cannot be opened or written
    └── NotFound             an article or story id that the store does not hold

Messages say what was expected and what was found; what they quote of an input is an
:func:`excerpt`, never the whole of it, and every text they carry is :func:`scrub`-bed.
"""

from __future__ import annotations

import re

# What a message quotes of an input at most: enough to recognise it (a line's start, a bad
# value), never a megabyte of it. A WARC bomb's "first line" was once echoed whole: 268 MB.
EXCERPT_CHARS = 80
# Lone UTF-16 surrogates: no UTF-8 encoder (the store, hashing, a terminal) accepts them. Those
# in U+DC80..U+DCFF stand for undecodable bytes (Python's surrogateescape, as in file names).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace_surrogate(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


def scrub(text: str) -> str:
    """``text`` that every UTF-8 encoder accepts: an undecodable byte carried as a surrogate
    escape (a file name's) shown as ``\\xNN``, any other lone surrogate as U+FFFD."""
    return _SURROGATE.sub(_replace_surrogate, text) if _SURROGATE.search(text) else text


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of ``text`` for a message, scrubbed, with how much was
    left out."""
    if len(text) <= limit:
        return scrub(text)
    return f"{scrub(text[:limit])}… ({len(text):,} characters)"


def describe(exc: BaseException) -> str:
    """A foreign exception for a message: its class, and an excerpt of what it says."""
    said = str(exc)
    return f"{type(exc).__name__}: {excerpt(said)}" if said else type(exc).__name__


class NewsbriefError(Exception):
    """Base of every error newsbrief raises on purpose."""


class ConfigError(NewsbriefError):
    """A setting is unknown or has the wrong type."""


class InputError(NewsbriefError):
    """An input cannot be read as an article."""


class EmptyInput(InputError):
    """The input holds no article text (after cleaning)."""


class TooShort(InputError):
    """The input holds too little text to be an article."""


class BinaryInput(InputError):
    """The input's bytes are not text."""


class InputTooLarge(InputError):
    """The input is above the configured size cap."""


class MetadataError(InputError):
    """Metadata (sidecar, JSON line or CLI option) is malformed."""


class FetchError(InputError):
    """A URL cannot be fetched: network or DNS failure, or a response newsbrief will not use."""


class AddressRefused(FetchError):
    """The host resolves to a non-public address, or the URL's scheme is not http(s)."""


class BadURL(FetchError):
    """The URL, or the Location a redirect points to, is not a URL that can be fetched."""


class RobotsDisallowed(FetchError):
    """The site's robots.txt disallows the URL for newsbrief's user agent."""


class FetchTimeout(FetchError):
    """Connecting or reading took longer than the configured timeout."""


class ResponseTooLarge(FetchError):
    """The response body (decoded) is above max_response_bytes."""


class TooManyRedirects(FetchError):
    """More than max_redirects redirects."""


class HTTPStatusError(FetchError):
    """The server answered with a 4xx or 5xx status."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class UnexpectedContent(FetchError):
    """The response has a content type the caller does not accept."""


class ModelError(NewsbriefError):
    """The language model cannot be loaded."""


class StoreError(NewsbriefError):
    """The database cannot be opened, migrated or written."""


class NotFound(NewsbriefError):
    """An id that the store does not hold."""
