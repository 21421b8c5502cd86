"""The one exception tree of newsbrief.

    NewsbriefError
    ├── ConfigError          a setting is unknown or has the wrong type
    ├── InputError           an input cannot be read as an article
    │   ├── EmptyInput       nothing left after cleaning
    │   ├── BinaryInput      the bytes are not text
    │   ├── InputTooLarge    above the size cap
    │   ├── MetadataError    a sidecar or JSON line has bad metadata
    │   └── FetchError       a URL cannot be fetched (network, DNS, unusable response)
    │       ├── AddressRefused       the host is not public (loopback, private, …) or
    │       │                        the scheme is not http(s)
    │       ├── RobotsDisallowed     the site's robots.txt disallows the URL
    │       ├── FetchTimeout         connecting or reading took too long
    │       ├── ResponseTooLarge     the body is above max_response_bytes (decoded)
    │       ├── TooManyRedirects     more than max_redirects hops
    │       ├── HTTPStatusError      the server answered 4xx or 5xx
    │       └── UnexpectedContent    a content type the caller does not accept
    ├── ModelError           the language model cannot be loaded
    ├── StoreError           the database cannot be opened or written
    └── NotFound             an article or story id that the store does not hold

Messages say what was expected and what was found.
"""


class NewsbriefError(Exception):
    """Base of every error newsbrief raises on purpose."""


class ConfigError(NewsbriefError):
    """A setting is unknown or has the wrong type."""


class InputError(NewsbriefError):
    """An input cannot be read as an article."""


class EmptyInput(InputError):
    """The input holds no article text (after cleaning)."""


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
