"""The busiest public pages, kept for a few seconds in each process for visitors without cookies.

On a viral day tens of thousands of people watch one campaign page, and it only changes when
its counts do. A visitor who sends no cookie gets exactly what every other such visitor gets,
so the first answer is kept and replayed until the counts it shows would have expired anyway:
a cached page is never older than `COUNTS_TTL_SECONDS`. Anyone who sends a cookie (a signer
who has just confirmed and is shown a thank-you message, a member of staff) gets a page made
for them, and an answer that sets a cookie is never kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, make_response, request, session
from flask.typing import ResponseReturnValue

# Query strings are not part of the key (they are not cached at all), so the number of
# entries is bounded by the number of public pages; this bound is a second line of defence.
MAX_ENTRIES = 1024
# Headers that describe the body itself; everything else is added afresh to every answer.
KEPT_HEADERS = ("Content-Type", "Cache-Control")
FRESH_UNTIL = "page_fresh_until"
SHARED = "shared_page"  # marks a view whose answers may be kept

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


@dataclass(frozen=True)
class CachedPage:
    expires: float
    body: bytes
    headers: tuple[tuple[str, str], ...]

    def response(self) -> Response:
        return Response(self.body, headers=list(self.headers))


@dataclass
class PageCache:
    entries: dict[str, CachedPage] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: str, now: float) -> CachedPage | None:
        page = self.entries.get(key)
        return page if page is not None and page.expires > now else None

    def put(self, key: str, page: CachedPage) -> None:
        with self.lock:
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.clear()
            self.entries[key] = page


def fresh_until(deadline: float) -> None:
    """Note that the page being made shows data good until `deadline` (time.monotonic)."""
    current = g.get(FRESH_UNTIL)
    setattr(g, FRESH_UNTIL, deadline if current is None else min(current, deadline))


def shared_page(view: View) -> View:
    """Keep `view`'s answer to a visitor who sends no cookie, for `serve_kept_copy` to replay."""

    @wraps(view)
    def make_and_keep(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not _anonymous_get():
            return view(*args, **kwargs)
        fresh_until(time.monotonic() + current_app.config["COUNTS_TTL_SECONDS"])
        response = make_response(view(*args, **kwargs))
        if _shareable(response):
            _cache().put(request.path, _keep(response, g.get(FRESH_UNTIL)))
        return response

    setattr(make_and_keep, SHARED, True)
    return make_and_keep  # type: ignore[return-value]


def serve_kept_copy() -> Response | None:
    """Before anything else a request runs: the kept copy, if this visitor may have it.

    Nothing else needs to run for it: no rate limit applies to reading, and the copy
    already holds the page in the language of its address."""
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, SHARED, False) or not _anonymous_get():
        return None
    page = _cache().get(request.path, time.monotonic())
    return page.response() if page is not None else None


def register(app: Flask) -> None:
    app.before_request(serve_kept_copy)


def _anonymous_get() -> bool:
    return request.method in ("GET", "HEAD") and not request.query_string and not request.cookies


def _shareable(response: Response) -> bool:
    # A page that started a session (a form token, a message) was made for this visitor only.
    return (
        response.status_code == 200
        and not session.modified
        and "Set-Cookie" not in response.headers
    )


def _keep(response: Response, expires: float) -> CachedPage:
    kept = [(name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers]
    # What a fresh answer says too: it would differ with a cookie.
    headers = (*kept, ("Vary", "Cookie"))
    return CachedPage(expires=expires, body=response.get_data(), headers=headers)


def _cache() -> PageCache:
    cache: PageCache = current_app.extensions.setdefault("petition.pages", PageCache())
    return cache
