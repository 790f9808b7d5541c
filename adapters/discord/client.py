"""The discord.py client pledgebot runs: intents, mentions, command sync and form routing.

It knows nothing of particular commands or buttons; :mod:`adapters.discord.adapter` registers
them. Handlers reach the core through ``interaction.client.service``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands

from adapters.discord.command_language import CatalogueTranslator
from adapters.discord.deferrals import Deferrals
from adapters.discord.interaction import HandlerClient, Interaction
from adapters.discord.language import reader
from adapters.discord.modals import Form, submitted_values
from adapters.discord.permissions import PLATFORM, ModeratorPolicy, guild_community
from adapters.discord.replies import NO_PINGS, fail, tell
from bot.config import DiscordSettings
from bot.domain import Actor
from bot.service import PledgeService

__all__ = ["Interaction", "PledgeClient", "ShardedPledgeClient", "intents"]

_log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Only ``guilds``: the channel and role cache, so the bot knows the mod channel's server and
    a member's roles. Interactions carry the member and their permissions, join dates are
    fetched by REST for each mod-queue card, and nothing reads messages — so neither the
    privileged members nor the message-content intent is asked for."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    return wanted


class PledgeClient(HandlerClient):
    def __init__(
        self,
        service: PledgeService,
        settings: DiscordSettings,
        *,
        response_budget: float,
        on_login: Callable[[], None] = lambda: None,
        **options: Any,
    ) -> None:
        super().__init__(
            intents=intents(),
            # The replies' own object (see adapters.discord.callbacks: not merged with itself).
            allowed_mentions=NO_PINGS,
            member_cache_flags=discord.MemberCacheFlags.none(),
            chunk_guilds_at_startup=False,
            max_messages=None,
            **options,
        )
        self.service = service
        self.settings = settings
        self.deferrals = Deferrals(response_budget)
        self.moderators = ModeratorPolicy(settings, self)
        self.tree: app_commands.CommandTree[PledgeClient] = app_commands.CommandTree(self)
        self.tree.error(self._on_command_error)
        self._forms: list[type[Form]] = []
        self._on_login = on_login

    def add_forms(self, *forms: type[Form]) -> None:
        """Route modal submits matching these forms' templates (like ``add_dynamic_items``)."""
        self._forms.extend(forms)

    def actor(self, interaction: discord.Interaction) -> Actor:
        return self.moderators.actor(interaction)

    # -- start-up ------------------------------------------------------------------------------
    async def setup_hook(self) -> None:
        """Logged in, not yet on the gateway: register the slash commands (and the moderators'
        member menu) with Discord, in every language. Runs at every login, after discord.py
        has set ``self.loop`` to the loop this login runs in: the deferrals keep it."""
        self.deferrals.loop = self.loop
        await self.tree.set_translator(CatalogueTranslator())
        await self._sync_commands()
        self._on_login()

    async def _sync_commands(self) -> None:
        """To each configured server (shown at once), or globally when none is configured (which
        Discord may take up to an hour to show). A refusal is logged: the bot still announces
        and serves wherever the commands did register."""
        targets: list[discord.Object | None] = [discord.Object(g) for g in self.settings.guild_ids]
        for guild in targets or [None]:
            where = f"server {guild.id}" if guild else "all servers"
            if guild is not None:
                self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.HTTPException as exc:
                _log.error(
                    "could not register the commands in %s (%s): is the bot there, invited with "
                    "the applications.commands scope?",
                    where,
                    exc,
                )
                continue
            _log.info("registered %d commands in %s", len(synced), where)

    def dispatch(self, event: str, /, *args: Any, **kwargs: Any) -> None:
        """Nothing once the client is closed. discord.py's ``close()`` leaves its wait for the
        end of the start-up's GUILD_CREATE stream running (``guild_ready_timeout``, 2 s), and
        that wait still dispatches ``guild_available`` and ``ready`` afterwards: into a client
        whose loop ``close()`` has unset, so the event's coroutine was made and never run
        (``coroutine 'Client._run_event' was never awaited``) whenever the bot stopped within
        two seconds of connecting. A closed client has no one left to tell."""
        if self.is_closed():
            return
        super().dispatch(event, *args, **kwargs)

    async def on_ready(self) -> None:
        _log.info("connected to Discord as %s in %d server(s)", self.user, len(self.guilds))
        configured = [("mod_channel_id", self.settings.mod_channel_id)]
        configured += [("announce_channel_ids", c) for c in self.settings.announce_channel_ids]
        for key, channel_id in configured:
            if channel_id and self.get_channel(channel_id) is None:
                _log.warning("discord.%s: the bot cannot see channel %d", key, channel_id)

    # -- the servers' names (for /communities) -------------------------------------------------
    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.service.community_seen(guild_community(guild.id), guild.name)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.service.community_seen(guild_community(guild.id), guild.name)

    async def on_guild_update(self, before: discord.Guild, after: discord.Guild) -> None:
        if before.name != after.name:
            await self.service.community_seen(guild_community(after.id), after.name)

    # -- where the bot is gone (live letter posts there end at once) -----------------------------
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Kicked from a server, or the server deleted (an outage is ``on_guild_unavailable``)."""
        _log.warning("discord: removed from server %s", guild.id)
        await self.service.live.community_gone(guild_community(guild.id))

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        _log.info("discord: channel %s deleted in server %s", channel.id, channel.guild.id)
        await self.service.live.chat_gone(PLATFORM, str(channel.id))

    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        """A thread deleted (``/post-letter`` used inside one posts there), cached or not."""
        _log.info("discord: thread %s deleted in server %s", payload.thread_id, payload.guild_id)
        await self.service.live.chat_gone(PLATFORM, str(payload.thread_id))

    # -- interactions --------------------------------------------------------------------------
    async def on_interaction(self, interaction: Interaction) -> None:
        """Route modal submits to their :class:`Form` (discord.py routes everything else)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: Any = interaction.data or {}  # read, not copied: this runs for every submit
        custom_id = str(data.get("custom_id", ""))
        for form in self._forms:
            match = form.template.fullmatch(custom_id)
            if match is not None:
                await form.submitted(interaction, match, submitted_values(interaction))
                return

    async def _on_command_error(
        self, interaction: Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Errors that escape a command; its handler answers everything it raises itself."""
        if isinstance(error, app_commands.CommandInvokeError):
            await fail(interaction, error.original)
        elif isinstance(error, app_commands.CheckFailure):
            await tell(interaction, reader(interaction).t("This command cannot be used here."))
        elif isinstance(error, app_commands.TransformerError):
            said = reader(interaction).t("That value does not fit this option; please check it.")
            await tell(interaction, said)
        else:
            await fail(interaction, error)


class ShardedPledgeClient(PledgeClient, discord.AutoShardedClient):
    """The same client over several gateway connections (``discord.shard_count``), of which
    this process runs ``discord.shard_ids``: a bot in thousands of servers splits them between
    processes that share one PostgreSQL store."""
