"""The member context menu "Signature status": a moderator right-clicks a member and sees, only
for themselves, that member's signature as a mod-queue card shows it — status, earlier
signatures, linked accounts, possible duplicates — or that they have not signed.

Hidden from members without Manage Server and offered only in servers, like the moderator slash
commands; the core refuses anyone who is not a moderator whatever Discord shows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from adapters.discord import render
from adapters.discord.command_language import localized
from adapters.discord.language import reader
from adapters.discord.modqueue import full_card
from adapters.discord.permissions import PLATFORM
from adapters.discord.replies import Reply, respond
from bot.domain import Identity
from bot.i18n import msg
from bot.texts import linking

if TYPE_CHECKING:
    from adapters.discord.interaction import Interaction

__all__ = ["MENU_NAME", "signature_status_menu"]

#: The menu's name as Discord shows it (translated per client language by the command tree's
#: translator, :mod:`adapters.discord.command_language`).
MENU_NAME = msg("Signature status")


async def _signature_status(interaction: Interaction, member: discord.Member) -> None:
    client = interaction.client

    async def show() -> Reply:
        actor = client.actor(interaction)
        report = await client.service.signer(actor, Identity(PLATFORM, str(member.id)))
        tr = reader(interaction)
        if report.item is None:
            said = tr.t("{name} has not signed.", escape=render.safe, name=member.display_name)
            if report.linked:
                said += "\n" + render.say(linking.linked_line(report.linked), reader(interaction))
            return Reply(said)
        return Reply(embed=await full_card(client, report.item, tr))

    await respond(interaction, show())


def signature_status_menu() -> app_commands.ContextMenu:
    """A new menu object for one client's command tree (a command belongs to one tree)."""
    menu = app_commands.ContextMenu(
        name=localized(MENU_NAME),
        callback=_signature_status,
        type=discord.AppCommandType.user,
    )
    return app_commands.guild_only()(app_commands.default_permissions(manage_guild=True)(menu))
