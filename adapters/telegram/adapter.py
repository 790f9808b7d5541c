"""pledgebot on Telegram: a python-telegram-bot ``Application`` in pledgebot's event loop.

:class:`TelegramAdapter` is what :mod:`bot.app` builds when ``telegram.token`` is set. ``run()``
starts the application by hand — ``async with application``, ``start()``, then polling or a
webhook — instead of ``run_polling()``, which would want the event loop to itself; the outbox
dispatcher and the other adapters share that loop. Cancelling ``run()`` (SIGINT/SIGTERM in
``pledgebot run``) stops receiving, lets running handlers finish, and closes the HTTP client.
``deliver()`` is the outbox sender for platform "telegram".
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application, Defaults

from adapters.telegram import menus, profile, render
from adapters.telegram.concurrency import PerChatUpdateProcessor
from adapters.telegram.context import CONTEXT_TYPES, Deps, PledgeApp
from adapters.telegram.handlers import register
from adapters.telegram.http import AiohttpRequest
from adapters.telegram.moderators import PLATFORM, ModeratorDirectory
from adapters.telegram.sender import OutboxSender
from bot.config import TelegramSettings, rejected_token
from bot.domain import OutboxMessage
from bot.i18n import DEFAULT_LANGUAGE
from bot.ports import DeliveryError
from bot.service import PledgeService
from bot.startup import keep_trying

__all__ = ["TelegramAdapter", "build_application"]

_log = logging.getLogger(__name__)

# What the handlers use; Telegram sends nothing else (chat_member keeps the admin list fresh,
# my_chat_member says when the bot itself is added to or removed from a chat).
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.CHAT_MEMBER, Update.MY_CHAT_MEMBER]
RATE_LIMIT_RETRIES = 3  # a 429 is waited out this many times before the caller sees it
MAX_CONCURRENT_UPDATES = 64
READY_TIMEOUT = 30.0  # how long an outbox delivery waits for the bot to connect
STOP_TIMEOUT = 10.0  # how long stopping waits for polling and running handlers
MODERATOR_CACHE = 300.0  # seconds the mod chat's administrators are remembered


def build_application(
    settings: TelegramSettings,
    *,
    rate_limit: bool = True,
    requests: tuple[AiohttpRequest, AiohttpRequest] | None = None,
) -> PledgeApp:
    """The Application: HTML and no link previews by default, flood limits respected, one
    chat's updates in order while different chats are served at once.

    ``rate_limit=False`` leaves out the AIORateLimiter (Telegram's flood limits are then not
    respected and a 429 reaches the caller at once): only for benchmarks against a fake.
    ``requests``: the HTTP clients for API calls and for ``getUpdates``."""
    calls, polling = requests or (AiohttpRequest(), AiohttpRequest(connection_pool_size=1))
    builder = (
        Application.builder()
        .token(settings.token.get_secret_value())
        .context_types(CONTEXT_TYPES)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
        .request(calls)
        .get_updates_request(polling)
    )
    if rate_limit:
        limited: Any = builder  # the limiter changes the builder's bot type parameter
        builder = limited.rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
    if settings.api_base_url:  # a self-hosted Bot API server, or the tests' fake
        base = settings.api_base_url
        builder = builder.base_url(base)
        if base.endswith("/bot"):
            builder = builder.base_file_url(base.removesuffix("/bot") + "/file/bot")
    application: PledgeApp = builder.build()
    return application


def _not_yet(exc: BaseException) -> bool:
    """The Bot API could not be reached or answered 5xx (a refused token or a bad request is
    not going to change by trying again)."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


class TelegramAdapter:
    platform = PLATFORM

    def __init__(
        self,
        service: PledgeService,
        settings: TelegramSettings,
        *,
        rate_limit: bool = True,
        moderator_cache: float = MODERATOR_CACHE,
        startup_retry: float = 0.0,
        language: str = DEFAULT_LANGUAGE,
    ) -> None:
        """``rate_limit``: see :func:`build_application` (off only for benchmarks).
        ``moderator_cache``: seconds the mod chat's administrators are remembered.
        ``startup_retry``: seconds to keep trying when the Bot API cannot be reached at start.
        ``language``: ``[i18n] default_language``, spoken in groups and channels and to users
        whose language pledgebot does not speak."""
        self.service = service
        self.settings = settings
        self.startup_retry = startup_retry
        self.moderators = ModeratorDirectory(
            settings.moderator_user_ids,
            settings.mod_chat_id,
            ttl=moderator_cache,
            on_lookup_failure=self._moderators_unreadable,
        )
        self._warnings: set[asyncio.Task[None]] = set()
        self._requests = (AiohttpRequest(), AiohttpRequest(connection_pool_size=1))
        self.application = build_application(
            settings, rate_limit=rate_limit, requests=self._requests
        )
        self.deps = Deps(service, self.moderators, language, greet_groups=settings.greet_groups)
        self.deps.install(self.application)
        register(self.application)
        self._sender = OutboxSender(
            service, self.application.bot, self.deps.chat_tr, lost_chats=self.deps.lost_chats
        )
        self._ready = asyncio.Event()

    async def run(self) -> None:
        """Serve Telegram until cancelled."""
        application = self.application
        updater = application.updater
        assert updater is not None  # built with the default updater
        try:
            await keep_trying(
                "Telegram", application.initialize, within=self.startup_retry, transient=_not_yet
            )
            async with application:  # getMe, and the HTTP client; shut down on the way out
                self._ready.set()
                try:
                    await menus.publish(application.bot, self.moderators, self.deps.language)
                    await profile.publish(application.bot, self.service.letter, self.deps.language)
                    await application.start()
                    if self.settings.webhook_url:
                        await self._start_webhook()
                    else:
                        await updater.start_polling(allowed_updates=ALLOWED_UPDATES)
                        _log.info("telegram: @%s is polling for updates", application.bot.username)
                    await asyncio.Event().wait()  # until cancelled
                finally:
                    self._ready.clear()
                    await self._stop(application)
        except InvalidToken:  # its message quotes the token
            raise rejected_token(PLATFORM) from None
        finally:
            # A failed getMe leaves the HTTP clients open (PTB shuts down only what started).
            for request in self._requests:
                await request.shutdown()

    async def _stop(self, application: PledgeApp) -> None:
        """Stop polling, then let running handlers finish — within a bound, so that SIGTERM
        always ends the process even if a handler is stuck on the network."""
        updater = application.updater
        assert updater is not None
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                if updater.running:
                    await updater.stop()
                if application.running:
                    await application.stop()
        except TimeoutError:
            _log.warning(
                "telegram: stopping took over %.0f s; not waiting any longer", STOP_TIMEOUT
            )

    async def _start_webhook(self) -> None:
        settings = self.settings
        assert self.application.updater is not None
        secret = settings.webhook_secret.get_secret_value() or None
        await self.application.updater.start_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
        )
        _log.info(
            "telegram: receiving updates at %s (listening on %s:%d)",
            settings.webhook_url,
            settings.webhook_listen,
            settings.webhook_port,
        )

    @property
    def connected(self) -> bool:
        """Logged in (getMe answered) and receiving updates."""
        updater = self.application.updater
        receiving = bool(self.settings.webhook_url) or (updater is not None and updater.running)
        return self._ready.is_set() and receiving

    def _moderators_unreadable(self, error: TelegramError) -> None:
        """The mod chat's administrators cannot be read: tell the moderators who still
        moderate (``moderator_user_ids``), privately, once per spell of failures."""
        task = asyncio.create_task(self._warn_moderators())
        self._warnings.add(task)
        task.add_done_callback(self._warnings.discard)

    async def _warn_moderators(self) -> None:
        text = render.moderators_unreadable(self.deps.tr, self.settings.mod_chat_id)
        for user_id in self.settings.moderator_user_ids:
            try:
                await self.application.bot.send_message(user_id, text)
            except TelegramError as exc:
                _log.warning("telegram: cannot warn moderator %s: %s", user_id, exc)

    async def deliver(self, message: OutboxMessage) -> str | None:
        """The outbox sender: waits for the bot to be connected, then posts the row."""
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                await self._ready.wait()
        except TimeoutError:
            raise DeliveryError(
                "telegram is not connected yet", retry_after=READY_TIMEOUT
            ) from None
        return await self._sender.deliver(message)
