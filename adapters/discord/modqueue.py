"""The mod queue: one card per pending signature in the mod channel, with Approve and Reject.

Cards are posted through the outbox (see :mod:`adapters.discord.sender`), so a signature made
while Discord is unreachable still gets its card later. The buttons are DynamicItems carrying the
signature id, so cards posted before a restart keep working. After any decision — from a card,
a command, another platform or the signer withdrawing — the card is edited to show it and loses
its buttons; a moderator pressing a button on a card not refreshed yet is told who decided.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING

import discord

from adapters.discord import render
from adapters.discord.language import channel_translator, reader
from adapters.discord.modals import Form
from adapters.discord.permissions import PLATFORM
from adapters.discord.replies import NO_PINGS, Reply, open_modal, respond, update
from bot.domain import PendingItem, Signature
from bot.errors import AlreadyDecided
from bot.hygiene import LIMITS
from bot.i18n import Translator, translator
from bot.texts import moderation

if TYPE_CHECKING:
    from adapters.discord.interaction import HandlerClient, Interaction

__all__ = [
    "ITEMS",
    "ApproveButton",
    "ReasonForm",
    "RejectButton",
    "card_view",
    "full_card",
    "post_card",
    "refresh_cards",
    "settle",
    "signer_facts",
]

_log = logging.getLogger(__name__)

Button = discord.ui.Button[discord.ui.View]


class ApproveButton(discord.ui.DynamicItem[Button], template=r"pledge:approve:(?P<id>[0-9]{1,18})"):
    def __init__(self, signature_id: int, tr: Translator) -> None:
        super().__init__(
            discord.ui.Button(
                label=tr.render(moderation.APPROVE_LABEL),
                style=discord.ButtonStyle.success,
                custom_id=f"pledge:approve:{signature_id}",
            )
        )
        self.signature_id = signature_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[discord.ui.View],
        match: re.Match[str],
        /,
    ) -> ApproveButton:
        # Rebuilt from a pressed button only to run its callback: the label is not shown.
        return cls(int(match["id"]), translator())

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        await update(interaction, self._approve(interaction))

    async def _approve(self, interaction: Interaction) -> Reply:
        client = interaction.client
        [decision] = await client.service.approve(client.actor(interaction), [self.signature_id])
        if decision.error is not None:
            if decision.signature is not None:  # a stale card: show what was decided
                await refresh_cards(client, decision.signature)
            raise decision.error
        assert decision.signature is not None
        # The other cards are redrawn by the outbox's card update, written with the decision.
        tr = channel_translator(client, interaction.channel_id)
        return Reply(embed=render.mod_card(decision.signature, tr))


class RejectButton(discord.ui.DynamicItem[Button], template=r"pledge:reject:(?P<id>[0-9]{1,18})"):
    """Opens :class:`ReasonForm`: the signer is told why, so a reason is required."""

    def __init__(self, signature_id: int, tr: Translator) -> None:
        super().__init__(
            discord.ui.Button(
                label=tr.render(moderation.REJECT_LABEL),
                style=discord.ButtonStyle.danger,
                custom_id=f"pledge:reject:{signature_id}",
            )
        )
        self.signature_id = signature_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[discord.ui.View],
        match: re.Match[str],
        /,
    ) -> RejectButton:
        # Rebuilt from a pressed button only to run its callback: the label is not shown.
        return cls(int(match["id"]), translator())

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        def form() -> ReasonForm:
            client = interaction.client
            client.service.require_moderator(client.actor(interaction))
            return ReasonForm(self.signature_id, reader(interaction))

        await open_modal(interaction, form)


class ReasonForm(Form, template=r"pledge:reject-form:(?P<id>[0-9]{1,18})"):
    """The reason for one rejection, asked in the moderator's language."""

    def __init__(self, signature_id: int, tr: Translator) -> None:
        super().__init__(
            title=tr.t("Reject signature #{id}", id=str(signature_id)),
            custom_id=f"pledge:reject-form:{signature_id}",
        )
        self.add_input(
            tr.t("Reason"),
            "reason",
            description=tr.t("Sent to the signer, so they know what to change."),
            max_length=LIMITS["reason"],
            required=True,
            style=discord.TextStyle.paragraph,
        )

    @classmethod
    async def submitted(
        cls, interaction: Interaction, match: re.Match[str], values: Mapping[str, str]
    ) -> None:
        work = _reject(interaction, int(match["id"]), values.get("reason", ""))
        if interaction.message is not None:  # opened from a card: the card shows the decision
            await update(interaction, work)
        else:
            await respond(interaction, work)


async def _reject(interaction: Interaction, signature_id: int, reason: str) -> Reply:
    client = interaction.client
    rejecting = client.service.reject(client.actor(interaction), signature_id, reason)
    sig = await settle(client, rejecting)
    return Reply(embed=render.mod_card(sig, channel_translator(client, interaction.channel_id)))


async def settle(client: HandlerClient, decision: Awaitable[Signature]) -> Signature:
    """Await a moderator's decision. A decision's card update goes through the outbox with it;
    one that turns out to be decided already writes nothing, yet the pressed card may still
    show buttons: redraw its cards here."""
    try:
        return await decision
    except AlreadyDecided as exc:
        await refresh_cards(client, exc.signature)
        raise


def card_view(sig: Signature, tr: Translator) -> discord.ui.View | None:
    """Approve/Reject while the signature is pending; no buttons once it is decided."""
    if not sig.decidable:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(ApproveButton(sig.id, tr))
    view.add_item(RejectButton(sig.id, tr))
    return view


async def post_card(
    client: HandlerClient, channel_id: int, signature_id: int, *, nonce: str
) -> discord.Message:
    """Post a signature's card (as it stands now) to the mod channel."""
    item = await client.service.mod_queue.item(signature_id)
    sig = item.signature
    tr = channel_translator(client, channel_id)
    if sig.decidable:
        embed = await full_card(client, item, tr)
    else:  # decided before its card went out (on another platform, or withdrawn)
        embed = render.mod_card(sig, tr)
    channel = client.get_partial_messageable(channel_id)
    view = card_view(sig, tr)
    if view is None:
        return await channel.send(embed=embed, nonce=nonce, allowed_mentions=NO_PINGS)
    return await channel.send(embed=embed, view=view, nonce=nonce, allowed_mentions=NO_PINGS)


async def refresh_cards(client: HandlerClient, sig: Signature, *, skip: int | None = None) -> None:
    """Edit every Discord card of ``sig`` to show its current state (``skip``: a card already
    being edited through the interaction). The decision is made; a failed edit is only logged."""
    for destination, ref in await client.service.mod_queue.posted_cards(sig.id, PLATFORM):
        if not (destination.isdecimal() and ref.isdecimal()):
            continue
        if int(ref) == skip:
            continue
        card = client.get_partial_messageable(int(destination)).get_partial_message(int(ref))
        tr = channel_translator(client, int(destination))
        try:
            await card.edit(embed=render.mod_card(sig, tr), view=None, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            _log.warning("could not update the mod-queue card of #%d", sig.id, exc_info=True)


async def full_card(client: HandlerClient, item: PendingItem, tr: Translator) -> discord.Embed:
    """A signature's card with everything a moderator weighs: its history, possible
    duplicates, the account's facts and linked accounts (the mod queue and "Signature status")."""
    return render.mod_card(
        item.signature,
        tr,
        history=item.history,
        duplicates=item.possible_duplicates,
        facts=await signer_facts(client, item.signature),
        linked=item.linked,
        reaffirmations=item.reaffirmations,
    )


async def signer_facts(client: HandlerClient, sig: Signature) -> render.SignerFacts | None:
    """Account age for any Discord signer, and the join date for one who signed in a server
    (fetched by REST, which needs no privileged members intent)."""
    if sig.identity.platform != PLATFORM or not sig.identity.user_id.isdecimal():
        return None
    user_id = int(sig.identity.user_id)
    created = discord.utils.snowflake_time(user_id)
    guild_id = _guild_id(sig.community)
    if guild_id is None:
        return render.SignerFacts(user_id, created)
    guild = client.get_guild(guild_id)
    if guild is None:
        return render.SignerFacts(user_id, created, guild_id)
    where = guild_id, guild.name
    try:
        member = guild.get_member(user_id) or await guild.fetch_member(user_id)
    except discord.NotFound:
        return render.SignerFacts(user_id, created, *where, is_member=False)
    except discord.HTTPException:
        _log.warning("could not look up member %d of %d", user_id, guild_id, exc_info=True)
        return render.SignerFacts(user_id, created, *where)
    return render.SignerFacts(user_id, created, *where, joined_at=member.joined_at, is_member=True)


def _guild_id(community: str) -> int | None:
    """The server id in a ``discord:<id>`` community, None for ``discord:dm`` and others."""
    platform, _, rest = community.partition(":")
    return int(rest) if platform == PLATFORM and rest.isdecimal() else None


ITEMS = (ApproveButton, RejectButton)
