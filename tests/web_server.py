"""The web app served by uvicorn in a background thread on 127.0.0.1, for the tests that need a
real HTTP server (the browser tests; a body streamed in chunks):

    with serving(create_app(settings)) as url:
        httpx.get(url + "/api/stories")
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi import FastAPI

SERVER_START = 10.0  # seconds for uvicorn to accept connections, and to stop


def _free_socket() -> socket.socket:
    """A socket bound to a free port of 127.0.0.1, handed to uvicorn so no other process can
    take the port between choosing and serving it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _wait_accepting(port: int, thread: threading.Thread) -> None:
    deadline = time.monotonic() + SERVER_START
    while time.monotonic() < deadline:
        if not thread.is_alive():
            pytest.fail("the web server stopped while starting", pytrace=False)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"the web server did not accept connections within {SERVER_START} s")


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served until the block ends; yields its base URL."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_accepting(port, thread)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=SERVER_START)
        sock.close()
