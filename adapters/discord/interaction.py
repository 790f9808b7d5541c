"""The interaction every pledgebot handler receives, typed without importing the client.

:class:`~adapters.discord.client.PledgeClient` routes interactions to the handlers (modals,
replies, commands, buttons) and so imports them; they in turn only need to know what
``interaction.client`` offers them — the core, who is asking, the time budget for an answer —
which :class:`HandlerClient` states. The client derives from it, so the imports point one way.
"""

from __future__ import annotations

from typing import TypeAlias

import discord

from adapters.discord.deferrals import Deferrals
from bot.domain import Actor
from bot.service import PledgeService

__all__ = ["HandlerClient", "Interaction"]


class HandlerClient(discord.Client):
    """What a handler may use of pledgebot's client, besides discord.py's own."""

    #: The core: every use case a handler calls.
    service: PledgeService
    #: Defers work still running after the response budget (Discord allows 3 s to answer).
    deferrals: Deferrals
    #: ``[i18n] default_language``: channel posts, and readers whose language is not spoken.
    language: str

    def actor(self, interaction: discord.Interaction) -> Actor:
        """Who is asking, with whether they moderate here."""
        raise NotImplementedError


#: What every pledgebot handler receives: ``interaction.client`` is a :class:`HandlerClient`.
Interaction: TypeAlias = discord.Interaction[HandlerClient]
