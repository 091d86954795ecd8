"""The busiest public pages, kept for a few seconds in each process for visitors without cookies.

On a viral day tens of thousands of people watch one campaign page, and it only changes when
its counts do. A visitor who sends no cookie gets exactly what every other such visitor gets,
so the first answer is kept and replayed until the counts it shows would have expired anyway:
a cached page is never older than `COUNTS_TTL_SECONDS`. Anyone who sends a cookie (a signer
who has just confirmed and is shown a thank-you message, a member of staff) gets a page made
for them, and an answer that sets a cookie is never kept.

The copy is replayed by a WSGI layer in front of Flask (`KeptCopies`): the answer is whole
when it is kept (status, every header, body), so nothing else has to run for it, neither
routing nor rate limits nor language handling. A visitor who already holds the copy (its
ETag in If-None-Match) is answered 304 without a body, as the view would answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Flask, Response, current_app, g, make_response, request, session
from flask.typing import ResponseReturnValue

from petition.security import add_security_headers

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Answers to addresses with a query string are not kept at all, so the number of entries is
# bounded by the number of public pages; this bound is a second line of defence.
MAX_ENTRIES = 1024
FRESH_UNTIL = "page_fresh_until"
PAGES = "petition.pages"  # the app's PageCache, in app.extensions

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


@dataclass(frozen=True)
class CachedPage:
    expires: float
    body: bytes
    headers: tuple[tuple[str, str], ...]  # all of the answer's, as it was sent
    endpoint: str  # the view that made it, for the metrics of its replays


@dataclass
class PageCache:
    entries: dict[str, CachedPage] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Told of every copy replayed (petition/metrics.py counts them), outside any request.
    replayed: Callable[[CachedPage], None] | None = None

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
    """Keep `view`'s answer to a visitor who sends no cookie, for `KeptCopies` to replay."""

    @wraps(view)
    def make_and_keep(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not _anonymous_get(request.environ):
            return view(*args, **kwargs)
        fresh_until(time.monotonic() + current_app.config["COUNTS_TTL_SECONDS"])
        response = make_response(view(*args, **kwargs))
        if _shareable(response):
            _cache().put(_key(request.environ), _keep(response, g.get(FRESH_UNTIL)))
        return response

    return make_and_keep  # type: ignore[return-value]


class KeptCopies:
    """Replays a kept copy to a visitor who may have it; passes every other request on."""

    def __init__(self, app: WSGIApplication, cache: PageCache) -> None:
        self.app = app
        self.cache = cache

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        page = self._copy_for(environ)
        if page is None:
            return self.app(environ, start_response)
        if self.cache.replayed is not None:
            self.cache.replayed(page)
        if "HTTP_IF_NONE_MATCH" in environ:
            return _conditional(page, environ)(environ, start_response)
        start_response("200 OK", list(page.headers))
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

    def _copy_for(self, environ: WSGIEnvironment) -> CachedPage | None:
        if not _anonymous_get(environ):
            return None
        return self.cache.get(_key(environ), time.monotonic())


def register(app: Flask) -> None:
    """Put the kept copies in front of the app. Call before anything that rewrites the
    request (ProxyFix) wraps it, so that the copies see the scheme the app sees."""
    cache = app.extensions.setdefault(PAGES, PageCache())
    app.wsgi_app = KeptCopies(app.wsgi_app, cache)  # type: ignore[method-assign]


def _key(environ: WSGIEnvironment) -> str:
    # The scheme too: an answer over HTTPS carries Strict-Transport-Security.
    return f"{environ['wsgi.url_scheme']}:{environ.get('SCRIPT_NAME', '')}{environ['PATH_INFO']}"


def _anonymous_get(environ: WSGIEnvironment) -> bool:
    return (
        environ["REQUEST_METHOD"] in ("GET", "HEAD")
        and not environ.get("QUERY_STRING")
        and not environ.get("HTTP_COOKIE")
    )


def _shareable(response: Response) -> bool:
    # A page that started a session (a form token, a message) was made for this visitor only.
    return (
        response.status_code == 200
        and not session.modified
        and "Set-Cookie" not in response.headers
    )


def _keep(response: Response, expires: float) -> CachedPage:
    add_security_headers(response)  # what the app adds to every answer, added now
    response.vary.add("Cookie")  # a visitor with a cookie would be answered differently
    body = response.get_data()
    headers = [(name, value) for name, value in response.headers if name != "Content-Length"]
    headers.append(("Content-Length", str(len(body))))
    endpoint = request.endpoint or ""
    return CachedPage(expires=expires, body=body, headers=tuple(headers), endpoint=endpoint)


def _conditional(page: CachedPage, environ: WSGIEnvironment) -> Response:
    """The copy, or 304 (the same headers, no body) when the visitor's ETag is its own."""
    response = Response(page.body, headers=list(page.headers))
    response.make_conditional(environ)
    return response


def _cache() -> PageCache:
    cache: PageCache = current_app.extensions[PAGES]
    return cache
