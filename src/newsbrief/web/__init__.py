"""The web app of ``newsbrief serve``: a REST API (``/api``, OpenAPI at ``/openapi.json``, its
reference at ``/api``) and server-rendered pages (story list, story with its brief, article
view, sources side by side).

Article text is untrusted: templates autoescape everything, no article HTML is ever rendered as
HTML, and every response carries a Content-Security-Policy without inline script. Pages and GET
endpoints read the store through a read-only connection; the POST endpoints (ingest) open a
writable one and need the token (``NEWSBRIEF_TOKEN``), compared in constant time, and are off
when none is set.
"""

from __future__ import annotations

from newsbrief.web.app import SHUTDOWN_GRACE, create_app

__all__ = ["SHUTDOWN_GRACE", "create_app"]
