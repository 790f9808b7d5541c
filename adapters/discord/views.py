"""The signer's buttons: sign, page through signatories, confirm a withdrawal.

Every button is a :class:`discord.ui.DynamicItem` whose ``custom_id`` (``pledge:<what>:<arg>``,
well under Discord's 100 and Telegram's 64 bytes) holds all it needs, so a ``/letter`` posted
last month still opens the sign form today, whatever restarts happened in between.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

import discord

from adapters.discord import render
from adapters.discord.modals import SignForm
from adapters.discord.replies import Reply, open_modal, update
from bot import texts
from bot.errors import PledgeError
from bot.service import PledgeService

if TYPE_CHECKING:
    from adapters.discord.client import Interaction

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
    def __init__(self, *, anonymous: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label="Sign without listing my name" if anonymous else "Sign the letter",
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
        return cls(anonymous=match["mode"] == "anon")

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        await open_modal(
            interaction,
            lambda: SignForm.for_user(interaction, anonymous=self.anonymous),
            check=SignForm.check(interaction),
        )


def letter_view(*, allow_anonymous: bool) -> discord.ui.View:
    if allow_anonymous:
        return _view(SignButton(anonymous=False), SignButton(anonymous=True))
    return _view(SignButton(anonymous=False))


class PageButton(discord.ui.DynamicItem[Button], template=r"pledge:page:(?P<page>[0-9]{1,9})"):
    """Previous/Next under a signatories page; the id is the page it leads to."""

    def __init__(self, page: int, *, label: str = "Page", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
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
        await update(interaction, signatories_reply(interaction.client.service, self.page))


async def signatories_reply(service: PledgeService, page_number: int) -> Reply:
    page = await service.signatories(page_number)
    if page.pages <= 1:
        return Reply(embed=render.signatories(page))
    pager = _view(
        PageButton(page.page - 1, label="◀ Previous", disabled=not page.has_previous),
        PageButton(page.page + 1, label="Next ▶", disabled=not page.has_next),
    )
    return Reply(embed=render.signatories(page), view=pager)


class WithdrawButton(
    discord.ui.DynamicItem[Button], template=r"pledge:withdraw:(?P<choice>confirm|erase|cancel)"
):
    """The choices under ``/withdraw``'s private confirmation. The user who clicks is the one
    withdrawing: only they can see an ephemeral message."""

    _LOOKS: ClassVar[dict[str, tuple[str, discord.ButtonStyle]]] = {
        "confirm": ("Withdraw my signature", discord.ButtonStyle.danger),
        "erase": ("Withdraw and erase my details", discord.ButtonStyle.danger),
        "cancel": ("Keep it", discord.ButtonStyle.secondary),
    }

    def __init__(self, choice: str) -> None:
        label, style = self._LOOKS[choice]
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=f"pledge:withdraw:{choice}")
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
        return cls(match["choice"])

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        await update(interaction, self._withdraw(interaction))

    async def _withdraw(self, interaction: Interaction) -> Reply:
        if self.choice == "cancel":
            return Reply("Nothing changed: your signature stays as it was.")
        client = interaction.client
        erase = self.choice == "erase"
        signer = client.actor(interaction)
        try:
            sig = await client.service.withdraw(signer, erase=erase)
        except PledgeError as exc:  # resolve the confirmation either way
            return Reply(render.safe(exc.message))
        # The mod-queue cards (withdrawn, or erased) are redrawn by the outbox's card updates.
        lines = [f"Signature #{sig.id} is withdrawn."] if sig is not None else []
        if erase:
            lines.append("Your details have been erased.")
        return Reply(" ".join(lines))


def withdraw_view() -> discord.ui.View:
    return _view(WithdrawButton("confirm"), WithdrawButton("erase"), WithdrawButton("cancel"))


async def withdraw_prompt(interaction: Interaction) -> Reply:
    """What ``/withdraw`` shows: the signature, and the choices (none when there is nothing)."""
    client = interaction.client
    status = await client.service.status(client.actor(interaction).identity)
    text = render.safe(texts.status_text(status))
    if status.signature is None:
        return Reply(text)
    return Reply(
        f"{text}\n\nWithdrawing takes your name off the letter. You can also erase your details "
        "(name, role, location, link) from every signature you made.",
        view=withdraw_view(),
    )


ITEMS = (SignButton, PageButton, WithdrawButton)
