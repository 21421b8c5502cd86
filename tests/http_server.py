"""A local HTTP server for the fetch, feed and watch tests: threaded, on 127.0.0.1 only, serving
routes that a test registers (pages, feeds, robots.txt, redirects, slow and huge bodies, …).

    with LocalServer() as server:
        server.route("/a", body=b"<html>…</html>", content_type="text/html")
        fetch(server.url("/a"))

Every request is recorded (path and headers) for the test to inspect. Every wait is bounded:
a slow route waits on an event that closing the server sets.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Handlers that take longer than this are cut short when the server closes.
MAX_HANDLER_WAIT = 5.0


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the headers are sent
    chunked: bool = False  # no Content-Length: the body is streamed in chunks
    etag: str | None = None  # answer 304 to a matching If-None-Match
    # A function of the request handler that answers in place of all of the above.
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, **kwargs: Any) -> Route:
        self.routes[path] = route = Route(**kwargs)
        return route

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self.route(path, status=status, headers={"Location": to}, content_type=None)

    def gzip_route(self, path: str, data: bytes, **kwargs: Any) -> None:
        headers = {"Content-Encoding": "gzip", **kwargs.pop("headers", {})}
        self.route(path, body=gzip.compress(data), headers=headers, **kwargs)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(MAX_HANDLER_WAIT)


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # stdlib's names
            pass  # quiet tests

        def handle(self) -> None:
            # The client gave up (a timeout or a cap under test): nothing to report.
            with contextlib.suppress(ConnectionError, TimeoutError):
                super().handle()

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            server.requests.append(Request(path=path, headers=dict(self.headers.items())))
            route = server.routes.get(path)
            if route is None:
                self._send(404, b"not found", "text/plain", {})
                return
            if route.handler is not None:
                route.handler(self)
                return
            if route.delay:
                server.closing.wait(min(route.delay, MAX_HANDLER_WAIT))
            if route.etag is not None and self.headers.get("If-None-Match") == route.etag:
                self._send(304, b"", None, {"ETag": route.etag})
                return
            headers = dict(route.headers)
            if route.etag is not None:
                headers["ETag"] = route.etag
            if route.chunked:
                self._stream(route, headers)
            else:
                self._send(route.status, route.body, route.content_type, headers)

        def _send(
            self, status: int, body: bytes, content_type: str | None, headers: dict[str, str]
        ) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def _stream(self, route: Route, headers: dict[str, str]) -> None:
            self.send_response(route.status)
            if route.content_type:
                self.send_header("Content-Type", route.content_type)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            step = 16_384
            for start in range(0, len(route.body), step):
                piece = route.body[start : start + step]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")

    return Handler
