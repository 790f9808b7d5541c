"""Which language a Discord reader is answered in, and which one channel posts are written in.

A reader is answered in their own client's language (the interaction's ``locale``); when
pledgebot does not speak it, in the server's (``guild_locale``, which a server's admins choose
for its community), and otherwise in ``[i18n] default_language``. Discord sends locales such as
``es-ES``, ``es-419`` and ``pt-BR``: :func:`bot.i18n.negotiate` reduces them to the catalogue's
five languages.

Posts no single reader asked for — mod-queue cards (and their redraws after a moderator's
click), milestones, alerts — are written in the channel's language (``[i18n]
channel_languages``, else the default language), never in the language of whoever happened
to trigger them.

Both speak of commands as the reader's client lists them: a Spanish client shows ``/firmar``
(:mod:`adapters.discord.command_language`), so "Use {sign} to add your name" says ``/firmar``
there, where Telegram and the console say ``/sign``.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING

import discord

from bot.i18n import Translator, negotiate, translator
from bot.i18n.commands import discord_command

if TYPE_CHECKING:
    from adapters.discord.interaction import HandlerClient

__all__ = ["channel_translator", "discord_translator", "reader", "reader_language"]


@cache
def discord_translator(language: str) -> Translator:
    """A language's translator that names commands as a Discord client in it lists them."""
    return translator(language).with_commands(discord_command)


def reader_language(interaction: discord.Interaction, default: str) -> str:
    """The catalogue language for the person behind ``interaction``."""
    guild_locale = interaction.guild_locale
    return _negotiated(
        interaction.locale.value, guild_locale.value if guild_locale is not None else None, default
    )


@lru_cache(maxsize=1024)
def _negotiated(locale: str, guild_locale: str | None, default: str) -> str:
    """Asked for every interaction, of the few dozen locales Discord has: worked out once for
    each pair (bounded all the same: the locale is whatever the interaction says)."""
    return negotiate([locale, guild_locale], default)


def reader(interaction: discord.Interaction[HandlerClient]) -> Translator:
    """The translator for the person behind ``interaction``: replies, forms, buttons."""
    default = interaction.client.service.destinations.default_language
    return discord_translator(reader_language(interaction, default))


def channel_translator(client: HandlerClient, channel_id: int | None = None) -> Translator:
    """The translator for posts to a channel: the channel's own language where
    ``[i18n] channel_languages`` gives one, else the campaign's default language."""
    destinations = client.service.destinations
    if channel_id is None:
        return discord_translator(destinations.default_language)
    return discord_translator(destinations.language_of("discord", str(channel_id)))
