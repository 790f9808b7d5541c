"""`FakeTelegram`: the Bot API server a test starts, configures, feeds and reads."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fakes.fake_telegram.commands import CommandsMixin
from tests.fakes.fake_telegram.errors import BotApiError
from tests.fakes.fake_telegram.faults import FaultsMixin
from tests.fakes.fake_telegram.journal import CallLogMixin
from tests.fakes.fake_telegram.messages import MessagesMixin
from tests.fakes.fake_telegram.models import (
    DEFAULT_BOT_ID,
    DEFAULT_BOT_USERNAME,
    JSON,
    ApiCall,
    FakeUser,
)
from tests.fakes.fake_telegram.polling import PollingMixin
from tests.fakes.fake_telegram.updates import UpdatesMixin
from tests.fakes.fake_telegram.wakeup import Signal
from tests.fakes.fake_telegram.wire import read_params

if TYPE_CHECKING:
    from telegram.ext import ApplicationBuilder

Handler = Callable[[ApiCall], Awaitable[Any]]


def _encoded(body: JSON) -> str:
    """An answer's JSON text, as ``web.json_response`` would encode it."""
    return json.dumps(body)


class FakeTelegram(
    FaultsMixin, CallLogMixin, UpdatesMixin, PollingMixin, MessagesMixin, CommandsMixin
):
    """The fake Bot API server plus the state and helpers tests drive it with.

    Start with ``async with FakeTelegram() as fake`` (or ``await fake.start()`` /
    ``await fake.close()``). Feed updates with ``feed_*``, inspect ``calls`` / ``wait_for``,
    inject faults with ``inject_*`` / ``break_method``.
    """

    def __init__(
        self,
        *,
        bot_id: int = DEFAULT_BOT_ID,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = "Pledge Test Bot",
        token: str | None = None,
    ) -> None:
        # Every attribute is declared, with what it holds, in state.py.
        self.bot = FakeUser(
            id=bot_id, first_name=bot_first_name, username=bot_username, is_bot=True
        )
        self.token = token or f"{bot_id}:AAFakeTokenForLoopbackTests_0123456789"
        self.calls = []
        self.users = {bot_id: self.bot}
        self.chats = {}
        self.blocked_by = set()
        self.webhook = None
        self.commands = {}
        self.descriptions = {}
        self.callback_answers = {}
        self.files = {}
        self.delivered_update_ids = set()

        self._pending_updates = []
        self._update_ids = itertools.count(100_000_001)
        self._user_ids = itertools.count(1_000_001)
        self._group_ids = itertools.count(4_000_000_001)
        self._supergroup_ids = itertools.count(1_002_000_000_001)
        self._channel_ids = itertools.count(1_003_000_000_001)
        self._callback_ids = itertools.count(5_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._open_callbacks = set()
        self._sent = []
        self._sent_keys = set()
        self._faults = {}
        self._broken = {}
        self._poll_generation = 0
        self._allowed_updates = None
        self._closing = False
        self._updates_signal = Signal()
        self._calls_signal = Signal()
        self._runner = None
        self._port = None
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._set_my_description,
            "setMyShortDescription": self._set_my_short_description,
            "getMyDescription": self._get_my_description,
            "getMyShortDescription": self._get_my_short_description,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMember": self._get_chat_member,
            "getChat": self._get_chat,
            "deleteMessage": self._delete_message,
        }
        self._handlers_lower = {name.lower(): name for name in self._handlers}

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        # handler_cancellation: a long poll or delayed answer whose client gave up (PTB cancels
        # its getUpdates on stop, timeouts) is cancelled instead of lingering until shutdown.
        self._runner = web.AppRunner(
            app, handle_signals=False, handler_cancellation=True, shutdown_timeout=2.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        """Wake pending long polls and delays, then stop the server. Idempotent."""
        self._closing = True
        self._updates_signal.notify()
        self._calls_signal.notify()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends ``token + "/" + method``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``: file downloads."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def application_builder(self) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
        """A PTB ``ApplicationBuilder`` with token, base_url and base_file_url set.

        Add ``.rate_limiter(AIORateLimiter(...))``, timeouts etc. before ``.build()``.
        """
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    async def _handle_api(self, request: web.Request) -> web.Response:
        sent_name = request.match_info["method"]
        method = self._handlers_lower.get(sent_name.lower(), sent_name)
        params, files = await read_params(request)
        call = ApiCall(
            method=method,
            params=params,
            files=files,
            time=asyncio.get_running_loop().time(),
            http_method=request.method,
        )
        self.calls.append(call)
        self._calls_signal.notify()
        try:
            status, body = await self._answer(request, call)
        except asyncio.CancelledError:
            call.cancelled = True
            self._calls_signal.notify()
            raise
        call.status, call.answer = status, body
        call.answered_at = asyncio.get_running_loop().time()
        self._calls_signal.notify()
        return web.Response(text=body, status=status, content_type="application/json")

    async def _answer(self, request: web.Request, call: ApiCall) -> tuple[int, str]:
        """The status and JSON text of the answer to ``call``.

        A handler may return the fake's own objects (a stored message, pending updates): the
        answer is encoded at once, before anything else runs, so it is a snapshot of them
        without the deep copy each answer used to cost (the fake is the measuring device of
        telegram_burst.py, whose bots wait on it). The call log keeps that text
        (:attr:`ApiCall.response` decodes it)."""
        if request.match_info["token"] != self.token:
            return 401, _encoded({"ok": False, "error_code": 401, "description": "Unauthorized"})
        fault = self._take_fault(call.method)
        if fault is not None and fault.status is not None:
            if fault.delay:
                await self._sleep(fault.delay)
            return fault.status, _encoded(fault.error_body())
        handler = self._handlers.get(call.method)
        if handler is None:
            return 404, _encoded(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            )
        if fault is not None and not fault.process_first:
            await self._sleep(fault.delay)
        try:
            answer = _encoded({"ok": True, "result": await handler(call)})
        except BotApiError as exc:
            return exc.status, _encoded(exc.body())
        if fault is not None and fault.process_first:
            await self._sleep(fault.delay)
        return 200, answer

    async def _sleep(self, seconds: float) -> None:
        """A delay that ends early when the fake closes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self._closing and (remaining := deadline - loop.time()) > 0:
            await self._calls_signal.wait(remaining)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type=stored.mime_type)
        return web.Response(status=404)

    async def _get_me(self, call: ApiCall) -> JSON:
        return {
            **self.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
