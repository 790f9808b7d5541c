"""The fake's users, channels, guilds and application as Discord's JSON shows them."""

from __future__ import annotations

from tests.fakes.fake_discord.models import JSON, ChannelType, FakeChannel, FakeGuild, iso
from tests.fakes.fake_discord.state import FakeDiscordState


class PayloadsMixin(FakeDiscordState):
    """Payload builders shared by REST answers, gateway events and interactions."""

    def _channel_payload(self, channel: FakeChannel) -> JSON:
        last_ids = self._channel_messages.get(channel.id)
        last_message_id = str(last_ids[-1]) if last_ids else None
        if channel.is_dm:
            recipient = self.users[channel.recipient_id or 0]
            return {
                "id": str(channel.id),
                "type": int(ChannelType.DM),
                "last_message_id": last_message_id,
                "flags": 0,
                "recipients": [recipient.to_payload()],
            }
        return {
            "id": str(channel.id),
            "type": int(channel.type),
            "guild_id": str(channel.guild_id),
            "name": channel.name,
            "position": channel.position,
            "parent_id": None,
            "topic": channel.topic,
            "nsfw": False,
            "permission_overwrites": [],
            "rate_limit_per_user": 0,
            "last_message_id": last_message_id,
            "flags": 0,
        }

    def _guild_create_payload(self, guild: FakeGuild) -> JSON:
        """GUILD_CREATE with ``member_count == len(members)`` so discord.py never asks to chunk."""
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "preferred_locale": guild.preferred_locale,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [role.to_payload() for role in guild.roles.values()],
            "channels": [self._channel_payload(c) for c in guild.channels.values()],
            "members": [m.to_payload() for m in guild.members.values()],
            "member_count": guild.member_count,
            "large": guild.member_count >= 250,
            "unavailable": False,
            "joined_at": iso(guild.members[self.bot_user.id].joined_at),
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "premium_progress_bar_enabled": False,
        }

    def _bot_user_payload(self) -> JSON:
        return {
            **self.bot_user.to_payload(),
            "verified": True,
            "mfa_enabled": False,
            "locale": "en-US",
            "email": None,
        }

    def _application_payload(self) -> JSON:
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": self.owner_user.to_payload(),
            "team": None,
            "flags": self.application_flags,
            "bot": self.bot_user.to_payload(),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
        }
