"""The page's routes (a public interface: keep the paths) and the rules every response obeys.

Only GET and HEAD; every response carries the security headers; an unknown path, method or page
is a friendly 404/405 (JSON under /api/ and /snapshots/, HTML elsewhere), never a 500.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path

from aiohttp import hdrs, web
from multidict import CIMultiDict

from adapters.web.reader import ReaderLanguage
from adapters.web.render import CSP, ErrorKind, Renderer, json_bytes
from adapters.web.state import Body, Current, Page, PageState
from adapters.web.words import html_language
from bot.errors import StoreUnavailable
from bot.i18n import DEFAULT_LANGUAGE

__all__ = ["SECURITY_HEADERS", "build_app", "static_assets"]

_log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
#: What is not a page (JSON, scripts, styles, images) runs nothing and embeds nothing.
_NOT_A_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'"
#: The public data may be read by other sites' scripts (a counter on a band's page).
_OPEN_DATA = {"Access-Control-Allow-Origin": "*"}
_HTML = "text/html"
_JSON = "application/json"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ASSET_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CurrentHandler = Callable[[web.Request, Current], web.StreamResponse]
#: /healthz's answer: the same bytes every time.
_HEALTHY = json_bytes({"status": "ok"})


def static_assets() -> dict[str, tuple[Body, str]]:
    """The fixed set of files under /static/: read once, never a path from the request."""
    folder = resources.files("adapters.web") / "static"
    assets = {}
    for entry in folder.iterdir():
        suffix = Path(entry.name).suffix
        if suffix in _ASSET_TYPES:
            assets[entry.name] = (Body.of(entry.read_bytes()), _ASSET_TYPES[suffix])
    return assets


def _secured(
    headers: dict[str, str], content_type: str, *, open_data: bool = False
) -> dict[str, str]:
    """``headers`` with the security headers every response carries: only a page may run or
    load anything; ``open_data``: other sites' scripts may read it. Every response the routes
    make gets its headers here, so none is looked over again on its way out."""
    secured = headers | SECURITY_HEADERS
    if not content_type.startswith(_HTML):
        secured["Content-Security-Policy"] = _NOT_A_PAGE_CSP
    if open_data:
        secured |= _OPEN_DATA
    return secured


def _headers(
    body: Body, content_type: str, cache: str, language: str | None = None
) -> CIMultiDict[str]:
    """Built once per body (a page's body is in one language, so its headers are too), as the
    CIMultiDict aiohttp keeps them in: a response copies one of those in a tenth of the time
    it takes to build one from a dict."""
    charset = "" if content_type.startswith("image/") else "; charset=utf-8"
    built = _secured(
        {"Content-Type": content_type + charset, "ETag": body.etag, "Cache-Control": cache},
        content_type,
        open_data=content_type == _JSON,
    )
    if language is not None:
        built |= _language_headers(language)
    found = body.headers[(content_type, cache)] = CIMultiDict(built)
    return found


def _language_headers(language: str) -> dict[str, str]:
    """A page's language depends on Accept-Language: caches must keep one copy per header."""
    return {"Content-Language": html_language(language), "Vary": "Accept-Language"}


def _send(
    request: web.Request,
    body: Body,
    content_type: str,
    cache: str = "no-cache",
    language: str | None = None,
) -> web.Response:
    headers = body.headers.get((content_type, cache)) or _headers(
        body, content_type, cache, language
    )
    if body.etag in request.headers.get(hdrs.IF_NONE_MATCH, ""):
        return web.Response(status=304, headers=headers)
    return web.Response(body=body.data, headers=headers)


def page_number(request: web.Request) -> int | None:
    """``?page=N``: 1 when absent, None when it is not a plain positive number."""
    raw = request.query.get("page")
    if raw is None:
        return 1
    if not raw.isascii() or not raw.isdecimal() or len(raw) > 9:
        return None
    return int(raw)


class _Routes:
    """The handlers, holding what they serve from: an attribute each, not ``request.app[key]``
    (two look-ups through the matched route's app per request, a tenth of the bot's own cost
    of a front page)."""

    def __init__(
        self,
        state: PageState,
        renderer: Renderer,
        snapshot_dir: Path,
        reader: ReaderLanguage,
    ) -> None:
        self.state = state
        self.renderer = renderer
        self.snapshot_dir = snapshot_dir
        self.reader = reader
        self.assets = static_assets()

    def language(self, request: web.Request) -> str:
        """``?lang=``, then ``Accept-Language``, then the default language."""
        return self.reader(request.query.get("lang"), request.headers.get("Accept-Language"))

    def index(self, request: web.Request, current: Current) -> web.StreamResponse:
        language = self.language(request)
        return _send(request, current.index(language), _HTML, language=language)

    def api_count(self, request: web.Request, current: Current) -> web.StreamResponse:
        return _send(request, current.count_json, _JSON)

    async def api_letter(self, request: web.Request) -> web.StreamResponse:
        return _send(request, self.state.letter_json, _JSON)

    async def _page(self, request: web.Request) -> Page:
        number = page_number(request)
        found = await self.state.page(number) if number is not None else None
        if found is None:
            raise web.HTTPNotFound()
        return found

    async def signatories(self, request: web.Request) -> web.StreamResponse:
        page = await self._page(request)
        language = self.language(request)
        return _send(request, page.html(language), _HTML, language=language)

    async def api_signatories(self, request: web.Request) -> web.StreamResponse:
        return _send(request, (await self._page(request)).json, _JSON)

    def _snapshot_file(self, name: str) -> web.StreamResponse:
        path = self.snapshot_dir / name
        if not path.is_file():
            raise web.HTTPNotFound()
        headers = {"Content-Type": _JSON, "Cache-Control": "no-cache"}
        return web.FileResponse(path, headers=_secured(headers, _JSON, open_data=True))

    async def snapshot_latest(self, request: web.Request) -> web.StreamResponse:
        return self._snapshot_file("latest.json")

    async def snapshot(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if not _SHA256.fullmatch(name):
            raise web.HTTPNotFound()
        return self._snapshot_file(f"{name}.json")

    async def healthz(self, request: web.Request) -> web.StreamResponse:
        """Answers from the store itself, not the page cache: a dead database shows here at
        once."""
        await self.state.public.store.count()
        headers = _secured({}, _JSON)
        return web.Response(body=_HEALTHY, content_type=_JSON, headers=headers)

    async def asset(self, request: web.Request) -> web.StreamResponse:
        found = self.assets.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        body, content_type = found
        return _send(request, body, content_type, cache="public, max-age=300")

    def error(self, request: web.Request, status: int, kind: ErrorKind) -> web.Response:
        headers = {"Cache-Control": "no-store"}
        if status == 405:
            headers["Allow"] = "GET, HEAD"
        if _wants_json(request):
            body = json_bytes({"error": kind})
            headers = _secured(headers, _JSON)
            return web.Response(status=status, body=body, content_type=_JSON, headers=headers)
        state = self.state
        language = self.language(request)
        page = self.renderer.error(kind, state.public.letter, state.links.in_language(language))
        headers = _secured(headers, _HTML) | _language_headers(language)
        return web.Response(
            status=status, body=page, content_type=_HTML, charset="utf-8", headers=headers
        )

    def failed(self, request: web.Request, exc: Exception) -> web.Response:
        """The friendly answer to what a handler raised (called in its ``except``, so the log
        has the traceback). A 3xx is not a failure: it goes on up to aiohttp."""
        error = self.error
        if isinstance(exc, web.HTTPNotFound):
            return error(request, 404, "not_found")
        if isinstance(exc, web.HTTPMethodNotAllowed):
            return error(request, 405, "method_not_allowed")
        if isinstance(exc, web.HTTPException):
            if exc.status < 400:
                raise exc
            return error(request, exc.status, "not_found" if exc.status < 500 else "error")
        if isinstance(exc, StoreUnavailable):
            _log.warning("web: the store is unavailable for %s", request.path)
            return error(request, 503, "unavailable")
        _log.exception("web: error answering %s", request.path)
        return error(request, 500, "error")

    def guarded(self, handler: Handler) -> Handler:
        """``handler`` with friendly errors (every response the routes make carries the
        security headers already: see :func:`_secured`).

        A wrapper per route rather than an aiohttp middleware: any middleware makes aiohttp run
        two more coroutines per request (its own keeps ``request.app`` right), a tenth of what
        a burst of readers costs. Paths and methods no route serves reach :func:`_unrouted`,
        guarded too."""
        failed = self.failed

        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except Exception as exc:
                return failed(request, exc)

        return guarded

    def guarded_current(self, handler: CurrentHandler) -> Handler:
        """:meth:`guarded` for a page made from what :class:`PageState` holds now: ``handler``
        is a plain function given the :class:`Current`, so a reader of a burst costs aiohttp's
        one coroutine, as a bare handler does, not two more of the adapter's own."""
        state, failed = self.state, self.failed

        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                return handler(request, state.fresh or await state.current())
            except Exception as exc:
                return failed(request, exc)

        return guarded


def _wants_json(request: web.Request) -> bool:
    return request.path.startswith(("/api/", "/snapshots/", "/healthz"))


async def _unrouted(request: web.Request) -> web.StreamResponse:
    """Every path and method the routes do not serve: only GET and HEAD are ever allowed."""
    if request.method not in ("GET", "HEAD"):
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
    raise web.HTTPNotFound()


def build_app(
    state: PageState,
    renderer: Renderer,
    snapshot_dir: Path,
    default_language: str = DEFAULT_LANGUAGE,
) -> web.Application:
    app = web.Application(client_max_size=1024)
    routes = _Routes(state, renderer, snapshot_dir, ReaderLanguage(default_language))

    def get(path: str, handler: Handler) -> None:
        app.router.add_get(path, routes.guarded(handler))

    app.router.add_get("/", routes.guarded_current(routes.index))
    get("/signatories", routes.signatories)
    app.router.add_get("/api/count", routes.guarded_current(routes.api_count))
    get("/api/letter", routes.api_letter)
    get("/api/signatories", routes.api_signatories)
    get("/snapshots/latest.json", routes.snapshot_latest)
    get("/snapshots/{name}.json", routes.snapshot)
    get("/healthz", routes.healthz)
    get("/static/{name}", routes.asset)
    # Last: a path above with another method, and any other path, come here.
    app.router.add_route("*", "/{path:.*}", routes.guarded(_unrouted))
    return app
