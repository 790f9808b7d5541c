"""Reaffirming a changed letter on Discord: ``/reaffirm``, and the two buttons under the direct
message the outbox sends each earlier signer (:mod:`bot.reaffirm`).

The buttons are persistent (``pledge:reaffirm``, ``pledge:withdraw:ask``): a notice read a week
after it was sent, across restarts, still works. Whoever presses acts for themselves — the
notice is in their own DM — so a button carries no signature id.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from adapters.discord import render, views
from adapters.discord.command_language import described, localized
from adapters.discord.language import reader
from adapters.discord.replies import Reply, respond
from bot.i18n import Translator, pmsg, translator
from bot.reaffirm import reaffirmed

if TYPE_CHECKING:
    from adapters.discord.interaction import Interaction

__all__ = ["ITEMS", "ReaffirmButton", "WithdrawAskButton", "notice_view", "reaffirm"]

Button = discord.ui.Button[discord.ui.View]


async def _reaffirm(interaction: Interaction) -> Reply:
    client = interaction.client
    sig = await client.service.reaffirm(client.actor(interaction))
    return Reply(reader(interaction).render(reaffirmed(sig), escape=render.safe))


@app_commands.command(
    name=localized(pmsg("command name", "reaffirm")), description=described("reaffirm")
)
async def reaffirm(interaction: Interaction) -> None:
    await respond(interaction, _reaffirm(interaction))


class ReaffirmButton(discord.ui.DynamicItem[Button], template=r"pledge:reaffirm"):
    """Under a notice: keep one's signature on the new text."""

    def __init__(self, tr: Translator) -> None:
        super().__init__(
            discord.ui.Button(
                label=tr.p("button", "Reaffirm"),
                style=discord.ButtonStyle.success,
                custom_id="pledge:reaffirm",
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[discord.ui.View],
        match: re.Match[str],
        /,
    ) -> ReaffirmButton:
        # Rebuilt from a pressed button only to run its callback: the label is not shown.
        return cls(translator())

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        await respond(interaction, _reaffirm(interaction))


class WithdrawAskButton(discord.ui.DynamicItem[Button], template=r"pledge:withdraw:ask"):
    """Under a notice: what ``/withdraw`` shows, with its choices."""

    def __init__(self, tr: Translator) -> None:
        super().__init__(
            discord.ui.Button(
                label=tr.p("button", "Withdraw…"),
                style=discord.ButtonStyle.secondary,
                custom_id="pledge:withdraw:ask",
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[discord.ui.View],
        match: re.Match[str],
        /,
    ) -> WithdrawAskButton:
        # Rebuilt from a pressed button only to run its callback: the label is not shown.
        return cls(translator())

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        await respond(interaction, views.withdraw_prompt(interaction))


def notice_view(tr: Translator) -> discord.ui.View:
    """The buttons under a notice, labelled in ``tr``'s language."""
    view = discord.ui.View(timeout=None)
    items: list[discord.ui.Item[Any]] = [ReaffirmButton(tr), WithdrawAskButton(tr)]
    for item in items:
        view.add_item(item)
    return view


ITEMS = (ReaffirmButton, WithdrawAskButton)
