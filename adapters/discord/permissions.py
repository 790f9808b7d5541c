"""Who may moderate, decided from Discord's own facts each time someone acts.

Moderator commands are hidden from regular members with ``default_permissions(manage_guild=True)``,
but any server admin can re-enable them for everyone under Server Settings → Integrations, so
hiding is only a courtesy: every moderator command and button asks :class:`ModeratorPolicy` at
the moment it runs, and the core refuses an actor who is not a moderator.

A member is a moderator when they hold a role listed in ``discord.moderator_role_ids`` (role ids
are unique to one server), or have Manage Server in the campaign's *home* server: the server of
``discord.mod_channel_id`` or, when no mod channel is set, a server in ``discord.guild_ids``. The
bot is meant to be added to many community servers, and their admins must not be able to approve
signatures to a letter they do not run.
"""

from __future__ import annotations

import logging

import discord

from bot.config import DiscordSettings
from bot.domain import Actor, Identity

__all__ = ["PLATFORM", "ModeratorPolicy", "community_of", "guild_community"]

_log = logging.getLogger(__name__)

PLATFORM = "discord"


class ModeratorPolicy:
    def __init__(self, settings: DiscordSettings, client: discord.Client) -> None:
        self._role_ids = frozenset(settings.moderator_role_ids)
        self._guild_ids = frozenset(settings.guild_ids)
        self._mod_channel_id = settings.mod_channel_id
        self._client = client

    def home_guild_ids(self) -> frozenset[int]:
        """Servers where Manage Server makes a moderator. Fails closed: a mod channel the bot
        cannot see (yet) means no such server, rather than every server."""
        if not self._mod_channel_id:
            return self._guild_ids
        channel = self._client.get_channel(self._mod_channel_id)
        if isinstance(channel, discord.abc.GuildChannel):
            return frozenset({channel.guild.id})
        return frozenset()

    def allows(self, interaction: discord.Interaction) -> bool:
        member = interaction.user
        if not isinstance(member, discord.Member):  # a DM: no roles, no server permissions
            return False
        # Asked for every signature too (the actor says whether they moderate): the member's
        # roles are looked up and sorted only where moderator roles are configured.
        if self._role_ids and any(role.id in self._role_ids for role in member.roles):
            return True
        return interaction.permissions.manage_guild and member.guild.id in self.home_guild_ids()

    def actor(self, interaction: discord.Interaction) -> Actor:
        user = interaction.user
        return Actor(
            Identity(PLATFORM, str(user.id)),
            user.display_name,
            is_moderator=self.allows(interaction),
        )


def community_of(interaction: discord.Interaction) -> str:
    """Where a signature was made, for attribution: ``discord:<server id>`` or ``discord:dm``."""
    return guild_community(interaction.guild_id) if interaction.guild_id else f"{PLATFORM}:dm"


def guild_community(guild_id: int) -> str:
    """The community of a server, as its signatures record it."""
    return f"{PLATFORM}:{guild_id}"
