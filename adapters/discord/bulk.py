"""Deciding several signatures at once from ``/pending``: a select menu, then Approve or Reject.

``/pending`` shows the oldest pending signatures with a menu of them. Picking some redraws the
message with two buttons for exactly those — "Approve 3" and "Reject 3…" (which asks for the
reason every signer is told) — and the decision runs as one unit of work through
:meth:`~bot.service.PledgeService.approve` or :meth:`~bot.service.PledgeService.reject_all`, with
one outcome per signature. Every item carries what it acts on in its ``custom_id`` (the picked
ids, in base 36), so nothing is remembered between the pick and the press, and a restart in
between loses nothing; the core checks the moderator at every step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import discord

from adapters.discord import render
from adapters.discord.language import reader
from adapters.discord.modals import Form
from adapters.discord.replies import Reply, open_modal, update
from bot.domain import PendingItem
from bot.hygiene import LIMITS
from bot.i18n import Translator, translator
from bot.texts import moderation

if TYPE_CHECKING:
    from adapters.discord.interaction import Interaction

__all__ = ["ITEMS", "ManyButton", "ManyReasonForm", "PickMenu", "pending_reply"]

#: At most this many picked at once: their ids must fit a custom_id (100 characters).
MAX_PICKED = 10
_OPTION_LABEL = 100  # Discord's limit for a select option's label
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_IDS = r"[0-9a-z]{1,7}(?:\.[0-9a-z]{1,7}){0,9}"  # up to 10 ids below 36**7 (78 billion)

Select = discord.ui.Select[discord.ui.View]
Button = discord.ui.Button[discord.ui.View]


def _b36(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = _DIGITS[digit] + digits
        if not number:
            return digits


def encode_ids(ids: Sequence[int]) -> str:
    return ".".join(_b36(i) for i in ids)


def decode_ids(text: str) -> list[int]:
    return [int(part, 36) for part in text.split(".")]


def _pickable(items: Sequence[PendingItem]) -> list[PendingItem]:
    return [i for i in items if i.signature.id < 36**7][:25]  # 25: Discord's options limit


def _view(*items: discord.ui.Item[Any]) -> discord.ui.View | None:
    if not items:
        return None
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


class PickMenu(discord.ui.DynamicItem[Select], template=r"pledge:pick"):
    """The menu under ``/pending``: which signatures to decide together."""

    def __init__(self, tr: Translator, items: Sequence[PendingItem] = ()) -> None:
        options = [
            discord.SelectOption(
                label=render.clip(f"#{i.signature.id} {i.signature.public_name}", _OPTION_LABEL),
                value=str(i.signature.id),
            )
            for i in _pickable(items)
        ]
        super().__init__(
            discord.ui.Select(
                custom_id="pledge:pick",
                placeholder=tr.render(moderation.PICK_PLACEHOLDER),
                min_values=1,
                max_values=max(1, min(MAX_PICKED, len(options))),
                options=options or [discord.SelectOption(label="—", value="0")],
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[discord.ui.View],
        match: re.Match[str],
        /,
    ) -> PickMenu:
        # Rebuilt from a pick only to run its callback: the placeholder is not shown.
        return cls(translator())

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        data: dict[str, Any] = dict(interaction.data or {})
        values = [str(v) for v in data.get("values") or [] if str(v).isdecimal()]
        ids = list(dict.fromkeys(int(v) for v in values if len(v) <= 12))[:MAX_PICKED]
        await update(interaction, pending_reply(interaction, picked=ids))


class ManyButton(
    discord.ui.DynamicItem[Button], template=rf"pledge:many:(?P<action>[ar]):(?P<ids>{_IDS})"
):
    """ "Approve N" decides at once; "Reject N…" opens :class:`ManyReasonForm` first."""

    def __init__(self, action: str, ids: Sequence[int], tr: Translator) -> None:
        approve = action == "a"
        label = (
            moderation.approve_picked(len(ids)) if approve else moderation.reject_picked(len(ids))
        )
        super().__init__(
            discord.ui.Button(
                label=tr.render(label),
                style=discord.ButtonStyle.success if approve else discord.ButtonStyle.danger,
                custom_id=f"pledge:many:{action}:{encode_ids(ids)}",
            )
        )
        self.action = action
        self.ids = list(ids)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[discord.ui.View],
        match: re.Match[str],
        /,
    ) -> ManyButton:
        # Rebuilt from a press only to run its callback: the label is not shown.
        return cls(match["action"], decode_ids(match["ids"]), translator())

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        client = interaction.client
        if self.action == "r":

            def form() -> ManyReasonForm:
                client.service.require_moderator(client.actor(interaction))
                return ManyReasonForm(self.ids, reader(interaction))

            await open_modal(interaction, form)
            return

        async def approve() -> Reply:
            decisions = await client.service.approve(client.actor(interaction), self.ids)
            said = render.decisions(decisions, reader(interaction))
            return await pending_reply(interaction, said=said)

        await update(interaction, approve())


class ManyReasonForm(Form, template=rf"pledge:many-reason:(?P<ids>{_IDS})"):
    """The one reason every picked signer is told, asked in the moderator's language."""

    def __init__(self, ids: Sequence[int], tr: Translator) -> None:
        super().__init__(
            # Discord's title limit
            title=render.clip(tr.render(moderation.reject_picked_title(len(ids))), 45),
            custom_id=f"pledge:many-reason:{encode_ids(ids)}",
        )
        self.add_input(
            tr.t("Reason"),
            "reason",
            description=tr.t("Sent to each signer, so they know what to change."),
            max_length=LIMITS["reason"],
            required=True,
            style=discord.TextStyle.paragraph,
        )

    @classmethod
    async def submitted(
        cls, interaction: Interaction, match: re.Match[str], values: Mapping[str, str]
    ) -> None:
        client = interaction.client
        ids = decode_ids(match["ids"])

        async def reject() -> Reply:
            actor = client.actor(interaction)
            decisions = await client.service.reject_all(actor, ids, values.get("reason", ""))
            said = render.decisions(decisions, reader(interaction))
            return await pending_reply(interaction, said=said)

        await update(interaction, reject())


async def pending_reply(
    interaction: Interaction, *, picked: Sequence[int] = (), said: str | None = None
) -> Reply:
    """``/pending`` as it is now: the list, the menu, and — once some are picked — the buttons
    for them; ``said``: what the last decision did, above the list."""
    client = interaction.client
    items = await client.service.pending(client.actor(interaction))
    tr = reader(interaction)
    embed = render.pending(items, tr)
    still = {i.signature.id for i in items}
    picked = [i for i in picked if i in still]
    content = said
    if picked:
        content = render.say(moderation.picked_line(picked), tr)
    controls: list[discord.ui.Item[Any]] = []
    if items:
        controls.append(PickMenu(tr, items))
    if picked:
        controls += [ManyButton("a", picked, tr), ManyButton("r", picked, tr)]
    return Reply(content, embed=embed, view=_view(*controls))


ITEMS = (PickMenu, ManyButton)
