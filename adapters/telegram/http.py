"""python-telegram-bot's HTTP calls made with aiohttp instead of its default httpx.

Why: under a signing burst the bot is CPU-bound, and httpx (with httpcore's pool) spends about
2.7 ms of CPU per Bot API call-and-answer here, most of a Telegram update's cost; aiohttp, which
discord.py already brings, does the same request in a fraction of that (benchmarks/RESULTS.md).
Only the transport changes: python-telegram-bot still builds every request, parses every answer
and raises its own errors (``TimedOut``, ``NetworkError``) exactly as with httpx.

The environment's proxy (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``, as httpx honours them) is
read once per origin: aiohttp's ``trust_env`` reads it again for every request, in a worker
thread, and that thread hop cost more CPU than the request itself.

A call without a file goes as one JSON body (the Bot API takes ``application/json`` as it takes
a form): json.dumps runs in C, while url-encoding a form quotes an HTML text byte by byte in
Python, ~30 µs for a /sign summary. Uploads stay multipart, the only way to send a file.
"""

from __future__ import annotations

import json

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

__all__ = ["AiohttpRequest"]

_JSON = {"Content-Type": "application/json"}
_Proxy = tuple[URL | None, aiohttp.BasicAuth | None]
# The defaults of python-telegram-bot's HTTPXRequest, so nothing changes but the client.
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded connection pool.

    Timeouts map onto aiohttp's: ``connect`` is the wait for a pooled connection plus the TCP
    connect, ``sock_connect`` the connect alone, ``sock_read`` the wait for each read; a write
    timeout bounds the whole call when the request carries a file (aiohttp has no per-write
    timeout)."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        read_timeout: float | None = READ_TIMEOUT,
        write_timeout: float | None = WRITE_TIMEOUT,
        connect_timeout: float | None = CONNECT_TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
        media_write_timeout: float | None = MEDIA_WRITE_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, _Proxy] = {}  # origin -> the environment's proxy for it

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                # Bot API answers are parsed by python-telegram-bot from the raw bytes.
                auto_decompress=True,
                trust_env=False,  # the proxy is read once per origin, see _proxy_for
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = _given(read_timeout, self._read)
        connect = _given(connect_timeout, self._connect)
        pool = _given(pool_timeout, self._pool)
        write = _given(write_timeout, self._media_write if files else self._write)

        data: aiohttp.FormData | bytes | None = None
        headers = None
        total: float | None = None
        if request_data is not None and files:  # an upload
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            data = form
            if write is not None and read is not None:
                total = write + read  # an upload: bound the whole call, not each read
        elif request_data is not None:
            data, headers = json.dumps(request_data.parameters).encode(), _JSON
        timeout = aiohttp.ClientTimeout(
            total=total,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            proxy, proxy_auth = self._proxy_for(url)
            async with session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=timeout,
                proxy=proxy,
                proxy_auth=proxy_auth,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err

    def _proxy_for(self, url: str) -> _Proxy:
        """The proxy the environment names for ``url``'s origin, or none (NO_PROXY, or no
        variable for its scheme); read at the origin's first request."""
        end = url.find("/", url.find("//") + 2)
        origin = url if end < 0 else url[:end]
        found = self._proxies.get(origin)
        if found is None:
            try:
                found = get_env_proxy_for_url(URL(origin))
            except LookupError:
                found = (None, None)
            self._proxies[origin] = found
        return found


def _given(value: object, default: float | None) -> float | None:
    """A timeout passed to this call, or the default when the caller left it out."""
    if isinstance(value, type(BaseRequest.DEFAULT_NONE)):
        return default
    return value if value is None else float(value)  # type: ignore[arg-type]
