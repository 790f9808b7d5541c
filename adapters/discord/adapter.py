"""pledgebot on Discord: slash commands, modals and buttons in; outbox messages out.

:class:`DiscordAdapter` is what :mod:`bot.app` runs. ``run()`` connects and serves until it is
cancelled (SIGINT/SIGTERM), then closes the connection; ``deliver()`` is the outbox sender for
the ``discord`` platform and may be called from the moment the bot has logged in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route
from discord.utils import MISSING

from adapters.discord import (
    bulk,
    commands,
    liveposts,
    moderation,
    modqueue,
    reaffirm,
    sender,
    signer_menu,
    views,
)
from adapters.discord.client import PledgeClient, ShardedPledgeClient
from adapters.discord.modals import SignForm
from adapters.discord.permissions import PLATFORM
from bot.config import DiscordSettings, rejected_token
from bot.domain import OutboxMessage
from bot.ports import DeliveryError
from bot.service import PledgeService
from bot.startup import keep_trying

__all__ = ["DiscordAdapter"]

_log = logging.getLogger(__name__)


class DiscordAdapter:
    platform = PLATFORM

    def __init__(
        self,
        service: PledgeService,
        settings: DiscordSettings,
        *,
        response_budget: float = 2.0,
        login_wait: float = 10.0,
        startup_retry: float = 0.0,
    ) -> None:
        """``response_budget``: seconds an interaction's work may take before it is deferred
        (Discord wants an answer within 3). ``login_wait``: how long ``deliver`` waits for the
        bot to log in before telling the outbox to retry later. ``startup_retry``: seconds to keep
        trying when Discord cannot be reached at start. The default language (channel posts,
        and readers whose own language pledgebot does not speak) is the service's
        ``destinations.default_language``."""
        self.service = service
        self.settings = settings
        self.response_budget = response_budget
        self.login_wait = login_wait
        self.startup_retry = startup_retry
        self._client: PledgeClient | None = None
        self._logged_in = asyncio.Event()

    async def run(self) -> None:
        client = self._build_client()
        with _endpoints(self.settings):
            try:
                async with client:
                    self._client = client
                    token = self.settings.token.get_secret_value()
                    await keep_trying(
                        "Discord",
                        lambda: _login(client, token),
                        within=self.startup_retry,
                        transient=_not_yet,
                    )
                    await client.connect()  # reconnects by itself once connected
            except discord.LoginFailure:
                raise rejected_token(PLATFORM) from None
            finally:
                self._logged_in.clear()
                self._client = None

    @property
    def connected(self) -> bool:
        """Logged in, and every shard of this process is connected to the gateway."""
        client = self._client
        return client is not None and client.is_ready() and not client.is_closed()

    async def deliver(self, message: OutboxMessage) -> str | None:
        try:
            async with asyncio.timeout(self.login_wait):
                await self._logged_in.wait()
        except TimeoutError:
            raise DeliveryError("not logged in to Discord yet", retry_after=5.0) from None
        client = self._client
        if client is None or client.is_closed():
            raise DeliveryError("the Discord connection is closing", retry_after=5.0)
        return await sender.deliver(client, message)

    def _build_client(self) -> PledgeClient:
        sharding: dict[str, Any] = {}
        client_class = PledgeClient
        if self.settings.shard_count:
            client_class = ShardedPledgeClient
            sharding = {
                "shard_count": self.settings.shard_count,
                "shard_ids": self.settings.shard_ids or None,  # None: every shard
            }
        client = client_class(
            self.service,
            self.settings,
            response_budget=self.response_budget,
            on_login=self._logged_in.set,
            **sharding,
        )
        public = self.service.rules.public_communities
        for command in (
            *commands.COMMANDS,
            reaffirm.reaffirm,
            *moderation.COMMANDS,
            moderation.communities_command(public=public),
            *liveposts.COMMANDS,
        ):
            client.tree.add_command(command)
        client.tree.add_command(signer_menu.signature_status_menu())
        client.add_dynamic_items(*views.ITEMS, *modqueue.ITEMS, *bulk.ITEMS, *reaffirm.ITEMS)
        client.add_forms(SignForm, modqueue.ReasonForm, bulk.ManyReasonForm)
        return client


async def _login(client: PledgeClient, token: str) -> None:
    """Log in; after a failure, drop the HTTP session so the next try starts a fresh one."""
    try:
        await client.login(token)
    except BaseException:
        await client.http.close()
        client.http.connector = MISSING  # the closed session closed it; login makes a new one
        raise


def _not_yet(exc: BaseException) -> bool:
    """Discord could not be reached or answered 5xx; a refused token stays refused."""
    if isinstance(exc, discord.LoginFailure):
        return False
    return isinstance(
        exc, OSError | TimeoutError | aiohttp.ClientError | discord.DiscordServerError
    )


@contextlib.contextmanager
def _endpoints(settings: DiscordSettings) -> Iterator[None]:
    """Point discord.py at ``api_base_url`` / ``gateway_url`` when set (a proxy, or the tests'
    fake Discord), and back afterwards. Both are class attributes: every request uses them."""
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    if settings.api_base_url:
        Route.BASE = settings.api_base_url
    if settings.gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
