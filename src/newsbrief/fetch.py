"""Fetching URLs, politely and safely (httpx).

A :class:`Fetcher` asks every host at most once per ``per_host_delay`` seconds, names itself
in its User-Agent, respects robots.txt, follows redirects by hand so that every hop is checked,
and refuses hosts that resolve to non-public addresses (loopback, private, link-local,
multicast, reserved, unspecified) unless ``allow_private`` is set. The address check happens
where the connection is opened: the transport resolves the host itself, checks every address
and connects to an address it checked, so a DNS answer cannot change between check and
connect (DNS rebinding). Bodies are capped after decoding, so a gzip bomb stops at the cap.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import urllib.robotparser
import zlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from newsbrief.errors import (
    AddressRefused,
    BadURL,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
    RobotsDisallowed,
    TooManyRedirects,
    UnexpectedContent,
)
from newsbrief.settings import Settings

# What a caller accepts, by the name its messages use ("expected HTML or a feed, found …").
HTML = "HTML"
FEED = "a feed"
CONTENT_TYPES: dict[str, frozenset[str]] = {
    HTML: frozenset({"text/html", "application/xhtml+xml"}),
    FEED: frozenset(
        {
            "application/rss+xml",
            "application/atom+xml",
            "application/rdf+xml",
            "application/x-rss+xml",
            "application/x-atom+xml",
            "application/xml",
            "text/xml",
        }
    ),
}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# RFC 9309 asks crawlers to parse at least 500 KiB of a robots.txt; more is not read.
ROBOTS_MAX_BYTES = 512_000
# The read timeout bounds each wait for bytes; a server trickling a byte at a time would never
# trip it, so the whole body must also arrive within this many read timeouts.
BODY_DEADLINE_FACTOR = 3
# A robots.txt is read again after this many seconds (RFC 9309: caches should not be used for
# more than 24 hours), which matters to a long ``watch``.
ROBOTS_MAX_AGE = 24 * 3600
# A host resolving to many addresses is tried on at most this many (each with the connect
# timeout), so that a connection attempt stays bounded.
MAX_ADDRESSES_TRIED = 3

# host, port → the host's addresses (DNS); injectable so that tests need no DNS.
Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Fetched:
    """A response newsbrief will use: 200 with its (decoded) body, or 304 Not Modified."""

    url: str  # after redirects
    status: int
    content_type: str | None  # media type, lower case, without parameters
    charset: str | None
    body: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


# --- addresses ---------------------------------------------------------------------------------
_KINDS = (
    ("an unspecified", "is_unspecified"),
    ("a loopback", "is_loopback"),
    ("a link-local", "is_link_local"),
    ("a multicast", "is_multicast"),
    ("a reserved", "is_reserved"),
    ("a private", "is_private"),
)


def address_problem(address: str) -> str | None:
    """Why ``address`` is not a public one ("a loopback address"), or None when it is.
    Checked in this order because the kinds overlap (::1 and 240.0.0.1 are also private)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 reaches 127.0.0.1
    for kind, flag in _KINDS:
        if getattr(ip, flag):
            return f"{kind} address"
    return None if ip.is_global else "not a public address"


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses of ``host`` from the system resolver (an IP literal as it is)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host} ({exc})") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_addresses(host: str, port: int, *, resolve: Resolver, allow_private: bool) -> list[str]:
    """The addresses of ``host``, every one of them public unless ``allow_private``; else
    AddressRefused naming the first that is not."""
    addresses = resolve(host, port)
    if not addresses:
        raise FetchError(f"cannot resolve host {host} (no address)")
    if not allow_private:
        for address in addresses:
            if problem := address_problem(address):
                who = f"{address} is" if host == address else f"{host} resolves to {address},"
                raise AddressRefused(f"refused: {who} {problem} (use --allow-private)")
    return addresses


class _HostError(Exception):
    """Carries a FetchError out of the transport, to be reworded with the URL that hit it."""

    def __init__(self, error: FetchError) -> None:
        super().__init__(str(error))
        self.error = error


class _CheckedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to addresses it resolved and checked itself."""

    def __init__(self, *, resolve: Resolver, allow_private: bool) -> None:
        self._resolve = resolve
        self._allow_private = allow_private
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = checked_addresses(
                host, port, resolve=self._resolve, allow_private=self._allow_private
            )
        except FetchError as exc:
            raise _HostError(exc) from exc
        error: httpcore.ConnectError | None = None
        for address in addresses[:MAX_ADDRESSES_TRIED]:
            try:  # TLS still verifies (and SNI still names) ``host``: httpcore passes it on
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise _HostError(AddressRefused(f"refused: unix socket {path}"))

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _CheckedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool that uses :class:`_CheckedBackend`."""

    def __init__(self, backend: _CheckedBackend) -> None:
        super().__init__(trust_env=False)
        # httpx 0.28 (pinned) has no option for a network backend: its pool is replaced by
        # one built the same way with ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=backend,
            max_connections=10,
            keepalive_expiry=5.0,
        )


# --- politeness --------------------------------------------------------------------------------
class HostClock:
    """When each host was last asked, so that requests to one host keep ``delay`` apart.
    One per process by default (:data:`SHARED_HOSTS`): a host sees one newsbrief, however many
    fetchers it runs."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, delay: float) -> None:
        """Sleep until ``host`` may be asked again, and book the next slot."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + delay
        if start > now:
            self._sleep(start - now)


SHARED_HOSTS = HostClock()


# --- bodies ------------------------------------------------------------------------------------
class _Decoder:
    """Undoes a gzip or deflate Content-Encoding chunk by chunk, never producing more than
    ``cap`` bytes in all (zlib's max_length keeps the rest of the input unread)."""

    def __init__(self, encoding: str, *, cap: int, where: str) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FetchError(
                f"{where}: expected a gzip or deflate Content-Encoding, found {encoding!r}"
            )
        # 32 + MAX_WBITS: zlib detects a gzip or a zlib header by itself.
        self._zlib = zlib.decompressobj(32 + zlib.MAX_WBITS) if codings else None
        self._cap = cap
        self._where = where
        self.size = 0

    def feed(self, data: bytes) -> bytes:
        if self._zlib is None:
            out = data
        else:
            try:
                out = self._zlib.decompress(data, self._cap - self.size + 1)
            except zlib.error as exc:
                raise FetchError(f"{self._where}: corrupt compressed body ({exc})") from exc
        self.size += len(out)
        if self.size > self._cap:
            raise ResponseTooLarge(
                f"{self._where}: more than the cap of {self._cap:,} bytes "
                "(setting max_response_bytes)"
            )
        return out


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def _media_type(header: str | None) -> tuple[str | None, str | None]:
    """("text/html", "utf-8") from 'text/html; charset=UTF-8'."""
    if not header:
        return None, None
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return media.strip().lower() or None, charset


# --- the fetcher -------------------------------------------------------------------------------
class Fetcher:
    """Fetches URLs under the rules of ``settings``. Use as a context manager (or close())."""

    def __init__(
        self,
        settings: Settings,
        *,
        resolve: Resolver = resolve_host,
        hosts: HostClock | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._hosts = hosts or SHARED_HOSTS
        self._clock = clock
        self._resolve = resolve
        # robots.txt rules per origin ("https://example.com:443"): the rules, why all is
        # disallowed (or ""), and when they were read
        self._robots: dict[str, tuple[urllib.robotparser.RobotFileParser, str, float]] = {}
        # robots.txt groups name a product token ("newsbrief"), not the full User-Agent.
        self.agent = settings.user_agent.split("/", 1)[0].strip() or settings.user_agent
        backend = _CheckedBackend(resolve=resolve, allow_private=settings.allow_private)
        self._client = httpx.Client(
            transport=_CheckedTransport(backend),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(
                connect=settings.fetch_connect_timeout,
                read=settings.fetch_read_timeout,
                write=settings.fetch_read_timeout,
                pool=settings.fetch_connect_timeout,
            ),
            follow_redirects=False,
            trust_env=False,  # a proxy from the environment would bypass the address check
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        accept: Collection[str] = (HTML,),
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Fetched:
        """The response to GET ``url``: 200 with a body of a type in ``accept`` (names of
        :data:`CONTENT_TYPES`; a response without a type passes, for the caller to sniff), or
        304 when ``etag``/``last_modified`` show that the caller's copy is current."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        types = sorted(set().union(*(CONTENT_TYPES[kind] for kind in accept)))
        headers["Accept"] = ", ".join([*types, "*/*;q=0.1"])
        return self._follow(
            url,
            headers=headers,
            accept=accept,
            cap=self.settings.max_response_bytes,
            robots=self.settings.respect_robots,
        )

    def _follow(
        self,
        url: str,
        *,
        headers: dict[str, str],
        accept: Collection[str],
        cap: int,
        robots: bool,
    ) -> Fetched:
        """Every hop, the first included:
        1. the URL must be http(s) with a host, and the host public (unless allow_private);
        2. robots.txt of its origin must allow it (when ``robots``);
        3. its host's delay is waited out;
        4. the request goes out; the transport checks the host's addresses again on connect
           and connects to one it checked (the answer of 1. may have changed since);
        5. a redirect is the next hop, up to max_redirects; anything else is the answer."""
        hop = url
        for _ in range(self.settings.max_redirects + 1):
            where = hop if hop == url else f"{hop} (redirected from {url})"
            target = self._target(hop, where)  # 1.
            if not self.settings.allow_private:
                try:
                    checked_addresses(
                        target.host, _port(target), resolve=self._resolve, allow_private=False
                    )
                except FetchError as exc:
                    raise type(exc)(f"{where}: {exc}") from exc
            if robots:
                self._check_robots(target, where)  # 2.
            self._hosts.wait(target.host, self.settings.per_host_delay)  # 3.
            answer = self._exchange(target, where, headers=headers, accept=accept, cap=cap)  # 4.
            if isinstance(answer, Fetched):
                return answer
            hop = answer  # 5.
        raise TooManyRedirects(
            f"{url}: too many redirects ({self.settings.max_redirects}); the last one went to {hop}"
        )

    @staticmethod
    def _target(url: str, where: str) -> httpx.URL:
        try:
            target = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise BadURL(f"{where}: not a valid URL ({exc})") from exc
        if target.scheme not in ("http", "https"):
            raise AddressRefused(
                f"{where}: refused: expected an http or https URL, found {target.scheme or 'none'}"
            )
        if not target.host:
            raise BadURL(f"{where}: expected a URL with a host, found none")
        return target

    def _exchange(
        self,
        target: httpx.URL,
        where: str,
        *,
        headers: dict[str, str],
        accept: Collection[str],
        cap: int,
    ) -> Fetched | str:
        """One request: the answer, or the URL a redirect points to."""
        s = self.settings
        try:
            with self._client.stream("GET", target, headers=headers) as response:
                location = response.headers.get("location")
                if response.status_code in REDIRECT_STATUSES and location:
                    return str(response.url.join(location))
                conditional = "If-None-Match" in headers or "If-Modified-Since" in headers
                return self._answer(
                    response, where, accept=accept, cap=cap, conditional=conditional
                )
        except _HostError as exc:
            raise type(exc.error)(f"{where}: {exc.error}") from exc.error
        except httpx.ConnectTimeout as exc:
            raise FetchTimeout(
                f"{where}: timed out after {s.fetch_connect_timeout:g} s connecting"
            ) from exc
        except httpx.TimeoutException as exc:
            raise FetchTimeout(
                f"{where}: timed out after {s.fetch_read_timeout:g} s reading"
            ) from exc
        except httpx.ConnectError as exc:
            raise FetchError(f"{where}: cannot connect ({exc or type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{where}: {exc or type(exc).__name__}") from exc
        except httpx.InvalidURL as exc:  # httpx reads a redirect's Location when it answers
            raise BadURL(f"{where}: the server redirected to an unusable URL ({exc})") from exc

    def _answer(
        self,
        response: httpx.Response,
        where: str,
        *,
        accept: Collection[str],
        cap: int,
        conditional: bool,
    ) -> Fetched:
        """1. 304 to a conditional request; 2. errors; 3. the content type; 4. the body."""
        etag = response.headers.get("etag")
        last_modified = response.headers.get("last-modified")
        media, charset = _media_type(response.headers.get("content-type"))
        if response.status_code == 304 and conditional:  # 1.
            return Fetched(
                url=str(response.url),
                status=304,
                content_type=media,
                charset=charset,
                body=b"",
                etag=etag,
                last_modified=last_modified,
            )
        if not 200 <= response.status_code < 300:  # 2.
            phrase = response.reason_phrase
            raise HTTPStatusError(
                f"{where}: HTTP {response.status_code} {phrase}".rstrip(),
                status=response.status_code,
            )
        if accept and media and not any(media in CONTENT_TYPES[kind] for kind in accept):  # 3.
            raise UnexpectedContent(f"{where}: expected {' or '.join(accept)}, found {media}")
        return Fetched(  # 4.
            url=str(response.url),
            status=response.status_code,
            content_type=media,
            charset=charset,
            body=self._body(response, where, cap=cap),
            etag=etag,
            last_modified=last_modified,
        )

    def _body(self, response: httpx.Response, where: str, *, cap: int) -> bytes:
        """The decoded body, refused above ``cap`` bytes: at once when Content-Length says so,
        else as soon as the decoded bytes pass it; and refused when it has not all arrived
        within the body deadline, checked after every read (a server may drip a few bytes a
        second, each read well within the read timeout)."""
        length = response.headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > cap:
            raise ResponseTooLarge(
                f"{where}: the server announces {int(length):,} bytes, more than the cap of "
                f"{cap:,} bytes (setting max_response_bytes)"
            )
        decoder = _Decoder(response.headers.get("content-encoding", ""), cap=cap, where=where)
        budget = BODY_DEADLINE_FACTOR * self.settings.fetch_read_timeout
        deadline = self._clock() + budget
        parts: list[bytes] = []
        for raw in response.iter_raw():  # as they arrive: a chunk size would wait to fill it
            parts.append(decoder.feed(raw))
            if self._clock() > deadline:
                raise FetchTimeout(f"{where}: timed out after {budget:g} s reading the body")
        return b"".join(parts)

    # --- robots.txt --------------------------------------------------------------------------
    def _check_robots(self, target: httpx.URL, where: str) -> None:
        origin = f"{target.scheme}://{target.netloc.decode('ascii')}"
        cached = self._robots.get(origin)
        if cached is None or self._clock() - cached[2] > ROBOTS_MAX_AGE:
            cached = self._robots[origin] = (*self._read_robots(origin, where), self._clock())
        rules, why, _ = cached
        if not rules.can_fetch(self.agent, str(target)):
            raise RobotsDisallowed(
                f"{where}: disallowed by {origin}/robots.txt{why} for {self.agent} "
                "(setting respect_robots)"
            )

    def _read_robots(
        self, origin: str, where: str
    ) -> tuple[urllib.robotparser.RobotFileParser, str]:
        """The rules of ``origin`` (RFC 9309): a 4xx (no robots.txt) allows everything, a 5xx
        disallows everything; a host that cannot be reached fails the page's fetch too."""
        rules = urllib.robotparser.RobotFileParser(f"{origin}/robots.txt")
        try:
            fetched = self._follow(
                f"{origin}/robots.txt", headers={}, accept=(), cap=ROBOTS_MAX_BYTES, robots=False
            )
        except HTTPStatusError as exc:
            if exc.status < 500:
                rules.parse([])  # no rules: everything allowed
                return rules, ""
            rules.parse(["User-agent: *", "Disallow: /"])
            return rules, f" (unavailable: HTTP {exc.status})"
        except FetchError as exc:
            raise type(exc)(f"{where}: cannot read robots.txt: {exc}") from exc
        rules.parse(fetched.body.decode("utf-8", errors="replace").splitlines())
        return rules, ""
