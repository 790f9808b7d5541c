"""The signer's buttons: sign, page through signatories, confirm a withdrawal.

Every button is a :class:`discord.ui.DynamicItem` whose ``custom_id`` (``pledge:<what>:<arg>``,
well under Discord's 100 and Telegram's 64 bytes) holds all it needs, so a ``/letter`` posted
last month still opens the sign form today, whatever restarts happened in between.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import discord

from adapters.discord import render
from adapters.discord.language import reader
from adapters.discord.modals import SignForm
from adapters.discord.replies import Reply, open_modal, update
from bot.domain import WithdrawChoice
from bot.errors import PledgeError
from bot.i18n import Translator, translator
from bot.texts import signing

if TYPE_CHECKING:
    from adapters.discord.interaction import Interaction

__all__ = [
    "ITEMS",
    "PageButton",
    "SignButton",
    "WithdrawButton",
    "letter_view",
    "signatories_reply",
    "withdraw_prompt",
    "withdraw_view",
]

Button = discord.ui.Button[discord.ui.View]


def _view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


class SignButton(discord.ui.DynamicItem[Button], template=r"pledge:sign:(?P<mode>named|anon)"):
    def __init__(self, *, anonymous: bool, tr: Translator) -> None:
        super().__init__(
            discord.ui.Button(
                label=tr.render(
                    signing.SIGN_ANONYMOUSLY_LABEL if anonymous else signing.SIGN_LABEL
                ),
                style=discord.ButtonStyle.secondary if anonymous else discord.ButtonStyle.success,
                custom_id=f"pledge:sign:{'anon' if anonymous else 'named'}",
            )
        )
        self.anonymous = anonymous

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[discord.ui.View],
        match: re.Match[str],
        /,
    ) -> SignButton:
        # Rebuilt from a pressed button only to run its callback: the label is not shown.
        return cls(anonymous=match["mode"] == "anon", tr=translator())

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        await open_modal(
            interaction,
            lambda: SignForm.for_user(interaction, anonymous=self.anonymous),
            check=SignForm.check(interaction),
        )


def letter_view(tr: Translator, *, allow_anonymous: bool) -> discord.ui.View:
    if allow_anonymous:
        return _view(SignButton(anonymous=False, tr=tr), SignButton(anonymous=True, tr=tr))
    return _view(SignButton(anonymous=False, tr=tr))


class PageButton(discord.ui.DynamicItem[Button], template=r"pledge:page:(?P<page>[0-9]{1,9})"):
    """Previous/Next under a signatories page; the id is the page it leads to."""

    def __init__(self, page: int, *, label: str = "", disabled: bool = False) -> None:
        """``label``: shown on the button; a click rebuilds the item from its id alone."""
        super().__init__(
            discord.ui.Button(
                label=label or str(page),
                style=discord.ButtonStyle.secondary,
                custom_id=f"pledge:page:{page}",
                disabled=disabled,
            )
        )
        self.page = page

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[discord.ui.View],
        match: re.Match[str],
        /,
    ) -> PageButton:
        return cls(int(match["page"]))

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        await update(interaction, signatories_reply(interaction, self.page))


async def signatories_reply(interaction: Interaction, page_number: int) -> Reply:
    client = interaction.client
    page = await client.service.signatories(page_number, actor=client.actor(interaction))
    if page.pages <= 1:
        return Reply(embed=render.signatories(page, reader(interaction)))
    tr = reader(interaction)
    pager = _view(
        PageButton(
            page.page - 1, label="◀ " + tr.p("page", "Previous"), disabled=not page.has_previous
        ),
        PageButton(page.page + 1, label=tr.p("page", "Next") + " ▶", disabled=not page.has_next),
    )
    return Reply(embed=render.signatories(page, tr), view=pager)


class WithdrawButton(
    discord.ui.DynamicItem[Button], template=r"pledge:withdraw:(?P<choice>confirm|erase|cancel)"
):
    """One of the core's withdraw choices under ``/withdraw``'s private confirmation. The user
    who clicks is the one withdrawing: only they can see an ephemeral message."""

    #: The custom_id's word for each choice (posted buttons carry them: never renamed). Both
    #: erasing choices press the same button: erasing runs alike with or without an active
    #: signature, and the label says which the signer was offered.
    _IDS: ClassVar[dict[WithdrawChoice, str]] = {
        WithdrawChoice.WITHDRAW: "confirm",
        WithdrawChoice.WITHDRAW_AND_ERASE: "erase",
        WithdrawChoice.ERASE: "erase",
        WithdrawChoice.KEEP: "cancel",
    }
    _CHOICES: ClassVar[dict[str, WithdrawChoice]] = {
        "confirm": WithdrawChoice.WITHDRAW,
        "erase": WithdrawChoice.WITHDRAW_AND_ERASE,
        "cancel": WithdrawChoice.KEEP,
    }

    def __init__(self, choice: WithdrawChoice, tr: Translator) -> None:
        style = (
            discord.ButtonStyle.secondary
            if choice is WithdrawChoice.KEEP
            else discord.ButtonStyle.danger
        )
        super().__init__(
            discord.ui.Button(
                label=tr.render(signing.WITHDRAW_LABELS[choice]),
                style=style,
                custom_id=f"pledge:withdraw:{self._IDS[choice]}",
            )
        )
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[discord.ui.View],
        match: re.Match[str],
        /,
    ) -> WithdrawButton:
        # Rebuilt from a pressed button only to run its callback: the label is not shown.
        return cls(cls._CHOICES[match["choice"]], translator())

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        await update(interaction, self._withdraw(interaction))

    async def _withdraw(self, interaction: Interaction) -> Reply:
        client = interaction.client
        tr = reader(interaction)
        try:
            done = await client.service.withdraw_as_chosen(client.actor(interaction), self.choice)
        except PledgeError as exc:  # resolve the confirmation either way
            return Reply(render.say(exc.message, tr))
        # The mod-queue cards (withdrawn, or erased) are redrawn by the outbox's card updates.
        return Reply(render.say(done.message, tr))


def withdraw_view(choices: Sequence[WithdrawChoice], tr: Translator) -> discord.ui.View:
    return _view(*(WithdrawButton(choice, tr) for choice in choices))


async def withdraw_prompt(interaction: Interaction) -> Reply:
    """What ``/withdraw`` shows: the signature, and the core's choices (none when there is
    nothing to take back or erase)."""
    client = interaction.client
    status = await client.service.status(client.actor(interaction).identity)
    tr = reader(interaction)
    text = render.say(signing.withdraw_prompt(status), tr)
    choices = status.withdraw_choices
    return Reply(text, view=withdraw_view(choices, tr)) if choices else Reply(text)


ITEMS = (SignButton, PageButton, WithdrawButton)
