"""The aiohttp transport under python-telegram-bot: answers, uploads, and the errors PTB expects
(``TimedOut`` for a slow server, ``NetworkError`` for one that is not there) — driven through a
real ``telegram.Bot`` against a small Bot API stand-in on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest

from adapters.telegram.http import AiohttpRequest

TOKEN = "123:abc"
ME = {"id": 123, "is_bot": True, "first_name": "Pledge", "username": "pledge_bot"}


@dataclass
class Stand:
    url: str
    delay: float = 0.0
    seen: list[dict[str, object]] = field(default_factory=list)


@pytest.fixture
async def stand() -> AsyncIterator[Stand]:
    state = Stand("")

    async def method(request: web.Request) -> web.Response:
        await asyncio.sleep(state.delay)
        seen: dict[str, object] = {
            "method": request.match_info["method"],
            "agent": request.headers.get("User-Agent", ""),
            "type": request.content_type,
            "host": request.host,
        }
        if request.content_type == "application/json":
            seen.update(await request.json())
        form = await request.post()
        for name, value in form.items():
            seen[name] = value.file.read() if isinstance(value, web.FileField) else value
            if isinstance(value, web.FileField):
                seen[f"{name}.filename"] = value.filename
        state.seen.append(seen)
        if seen["method"] == "getMe":
            return web.json_response({"ok": True, "result": ME})
        message = {"message_id": 7, "date": 0, "chat": {"id": 5, "type": "private"}}
        return web.json_response({"ok": True, "result": message})

    app = web.Application()
    app.router.add_post(f"/bot{TOKEN}/{{method}}", method)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state.url = f"http://127.0.0.1:{port}/bot"
    try:
        yield state
    finally:
        await runner.cleanup()


def _bot(base_url: str, request: AiohttpRequest) -> Bot:
    return Bot(TOKEN, base_url=base_url, request=request, get_updates_request=AiohttpRequest(1))


async def test_calls_and_uploads_go_through(stand: Stand) -> None:
    async with _bot(stand.url, AiohttpRequest()) as bot:
        assert bot.username == "pledge_bot"
        await bot.send_message(5, "Hello <b>there</b>", parse_mode="HTML")
        await bot.send_document(5, io.BytesIO(b"signature,name\n1,Ada\n"), filename="s.csv")
    sent, upload = stand.seen[1], stand.seen[2]
    assert (sent["text"], sent["parse_mode"]) == ("Hello <b>there</b>", "HTML")
    assert sent["chat_id"] == 5
    assert sent["type"] == "application/json"  # a call without a file: one JSON body
    assert upload["type"] == "multipart/form-data"
    assert upload["document"] == b"signature,name\n1,Ada\n"
    assert upload["document.filename"] == "s.csv"
    assert all(str(s["agent"]) == BaseRequest.USER_AGENT for s in stand.seen)


async def test_a_slow_answer_is_timed_out(stand: Stand) -> None:
    async with _bot(stand.url, AiohttpRequest(read_timeout=0.2)) as bot:
        stand.delay = 1.0
        with pytest.raises(TimedOut):
            await bot.send_message(5, "late")
        # A call's own timeout wins over the default.
        stand.delay = 0.4
        await bot.send_message(5, "patient", read_timeout=2.0)


async def test_no_server_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"http://127.0.0.1:{port}/x", "POST")


async def test_the_environments_proxy_is_used(
    stand: Stand, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY names the stand, so a call to a host that does not exist reaches it through
    the proxy, as httpx would send it (and nothing leaves the machine)."""
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, stand.url.removesuffix("/bot"))
    async with _bot("http://telegram.invalid/bot", AiohttpRequest()) as bot:
        assert bot.username == "pledge_bot"
    assert stand.seen[-1]["host"] == "telegram.invalid"


async def test_no_proxy_wins(stand: Stand, monkeypatch: pytest.MonkeyPatch) -> None:
    """A host in NO_PROXY is called directly, though HTTP_PROXY names a dead port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{dead}")
    _no_proxy(monkeypatch, "127.0.0.1")
    async with _bot(stand.url, AiohttpRequest()) as bot:
        assert bot.username == "pledge_bot"
    _no_proxy(monkeypatch, "")
    with pytest.raises(NetworkError):  # the same call, through the dead proxy
        async with _bot(stand.url, AiohttpRequest()):
            pass


def _no_proxy(monkeypatch: pytest.MonkeyPatch, hosts: str) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, hosts)
